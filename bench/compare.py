"""This run beside an earlier one (``python -m bench --baseline OLD/results.json``): what a
change did to the figures, each before and after from one run of each.

    results["baseline"] = baseline(Path("/tmp/before/bench/results.json"))
    lines += markdown(results)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Demo-suite measurements compared, with their labels.
DEMO = {"occupancy_graphql": "`occupancy` (all shelters)", "checkIn": "`checkIn`"}


def baseline(path: Path) -> dict[str, Any]:
    """What RESULTS.md compares with, from an earlier run's results.json."""
    earlier = json.loads(path.read_text())
    national = earlier.get("national") or {}
    return {
        "file": str(path),
        "machine": earlier["machine"],
        "config": earlier["config"],
        "databases": {
            db: {
                "status": entry.get("status"),
                "measurements": {
                    key: value
                    for key, value in entry.get("measurements", {}).items()
                    if key in DEMO
                },
            }
            for db, entry in earlier["databases"].items()
        },
        "national": {
            "status": national.get("status"),
            "query_counts": national.get("query_counts", {}),
            "operations": national.get("operations", {}),
        },
        "tablets": {
            workers: {
                "status": run.get("status"),
                "requests_per_s": run.get("requests_per_s"),
                "loops_per_s": run.get("loops_per_s"),
                "errors": run.get("errors"),
                "consistent": run.get("consistent"),
                "load_average": run.get("load_average"),
                "check_in": (run.get("operations") or {}).get("checkIn"),
            }
            for workers, run in (earlier.get("tablets") or {}).items()
        },
    }


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _delta(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "—"
    percent = f"{(after - before) / before * 100:+.0f} %" if before else "—"
    return f"{after - before:+.2f} ({percent})"


def _demo(results: dict[str, Any], earlier: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "### Demo network, one client",
        "",
        "| database | measurement | median before | median after | Δ median ms (%) "
        "| p95 before | p95 after | Δ p95 ms (%) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for db, entry in results["databases"].items():
        then = earlier["databases"].get(db, {})
        if entry.get("status") != "ok" or then.get("status") != "ok":
            lines.append(
                f"| {db} | *not compared: before {then.get('status', 'not run')}, "
                f"after {entry.get('status')}* | | | | | | |"
            )
            continue
        for key, label in DEMO.items():
            b, a = then["measurements"][key], entry["measurements"][key]
            lines.append(
                f"| {db} | {label} | {_ms(b['median_ms'])} | {_ms(a['median_ms'])} "
                f"| {_delta(b['median_ms'], a['median_ms'])} | {_ms(b['p95_ms'])} "
                f"| {_ms(a['p95_ms'])} | {_delta(b['p95_ms'], a['p95_ms'])} |"
            )
    return lines


def _national(results: dict[str, Any], earlier: dict[str, Any]) -> list[str]:
    from bench.national import COUNTED_ONLY, OPERATIONS

    now, then = results.get("national") or {}, earlier.get("national") or {}
    if now.get("status") != "ok" or then.get("status") != "ok":
        return [
            "",
            f"*National scale not compared: before {then.get('status')}, "
            f"after {now.get('status')}.*",
        ]
    lines = [
        "",
        "### SQL statements per request (national size; a dash: not counted then)",
        "",
        "| operation | before | after |",
        "| --- | ---: | ---: |",
    ]
    counted_then = then["query_counts"].get("national", {})
    for name, count in now["query_counts"]["national"].items():
        label = COUNTED_ONLY.get(name) or OPERATIONS[name]
        lines.append(f"| {label} | {counted_then.get(name, '—')} | {count} |")
    lines += [
        "",
        "### National scale on PostgreSQL, one client (GraphQL over HTTP, ms)",
        "",
        "| operation | median before | median after | Δ median ms (%) | p95 before | p95 after "
        "| ÷ SQL floor before | ÷ SQL floor after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, op in now["operations"].items():
        old = then["operations"].get(name)
        if old is None:
            continue
        b, a = old["graphql"], op["graphql"]
        lines.append(
            f"| {OPERATIONS[name]} | {_ms(b['median_ms'])} | {_ms(a['median_ms'])} "
            f"| {_delta(b['median_ms'], a['median_ms'])} | {_ms(b['p95_ms'])} "
            f"| {_ms(a['p95_ms'])} | {old['ratio_median']}× | {op['ratio_median']}× |"
        )
    return lines


def _tablets(results: dict[str, Any], earlier: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"### {results['config']['tablets']} tablets (checkIn latency, whole-loop throughput)",
        "",
        "| workers | checkIn median before | after | checkIn p95 before | after "
        "| requests/s before | after | loops/s before | after | errors before / after "
        "| load average before (start → end of each run) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for workers, run in (results.get("tablets") or {}).items():
        old = earlier["tablets"].get(workers)
        if run.get("status") != "ok" or not old or old.get("status") != "ok":
            continue
        b, a = old["check_in"] or {}, run["operations"]["checkIn"]
        loads = (
            f"{old['load_average']['before'][0]} → {old['load_average']['after'][0]} / "
            f"{run['load_average']['before'][0]} → {run['load_average']['after'][0]}"
        )
        lines.append(
            f"| {workers} | {b.get('median_ms', '—')} | {a['median_ms']} "
            f"| {b.get('p95_ms', '—')} | {a['p95_ms']} | {old['requests_per_s']} "
            f"| {run['requests_per_s']} | {old['loops_per_s']} | {run['loops_per_s']} "
            f"| {old['errors']} / {run['errors']} | {loads} |"
        )
    return lines


def markdown(results: dict[str, Any]) -> list[str]:
    """The section comparing this run with the ``--baseline`` one."""
    earlier = results["baseline"]
    before, after = earlier["machine"], results["machine"]
    return [
        "",
        "## Before and after",
        "",
        f"The same suite on an earlier revision (commit {before.get('commit', '?')}, its own "
        f"`python -m bench`, results in `{earlier['file']}`) run on {before.get('date', '?')}, "
        f"before this run on the same machine and PostgreSQL server with the same counts. One "
        f"run each; Δ is this revision minus the earlier one. Load average (1/5/15 min) at "
        f"start / end: before {before.get('load_average_at_start', '?')} / "
        f"{before.get('load_average_at_end', '?')}, after {after['load_average_at_start']} / "
        f"{after.get('load_average_at_end', '?')}. Other work on this 2-core machine moves "
        "single runs by more than a few ms (see the load), so small differences say little.",
        *_demo(results, earlier),
        *_national(results, earlier),
        *_tablets(results, earlier),
    ]
