"""Latency samples and their summary (milliseconds)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on sorted values."""
    if not sorted_values:
        raise ValueError("no samples")
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


@dataclass
class Samples:
    """Durations of one measurement, in nanoseconds."""

    name: str
    durations_ns: list[int] = field(default_factory=list)

    def add(self, nanoseconds: int) -> None:
        self.durations_ns.append(nanoseconds)

    def timed(self, call: Callable[[], Any]) -> Any:
        started = time.perf_counter_ns()
        result = call()
        self.add(time.perf_counter_ns() - started)
        return result

    def summary(self) -> dict[str, float | int]:
        values = sorted(d / 1e6 for d in self.durations_ns)
        return {
            "n": len(values),
            "median_ms": round(statistics.median(values), 3),
            "p95_ms": round(percentile(values, 0.95), 3),
            "mean_ms": round(statistics.fmean(values), 3),
            "min_ms": round(values[0], 3),
            "max_ms": round(values[-1], 3),
        }
