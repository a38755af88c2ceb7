"""Transactions of a domain module held open side by side, to race them on PostgreSQL.

    with side_by_side(monkeypatch, server.domain.meals, parties=2, parallel=on_postgres) as race:
        await asyncio.gather(first_request, second_request)
    assert race.peak == 2 or not on_postgres

Each transaction the module opens waits just after BEGIN until ``parties`` of them have begun,
so they all read, decide and write at once (tests/server/test_concurrency.py does the same for
stays). SQLite queues transactions, so there the gate is left open and only requests overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest


@dataclass
class Race:
    now: int = 0
    #: The most transactions that were open at once.
    peak: int = 0


@contextmanager
def side_by_side(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, *, parties: int, parallel: bool
) -> Iterator[Race]:
    race = Race()
    real = module.in_transaction
    gate = asyncio.Barrier(parties) if parallel else None

    @asynccontextmanager
    async def gated(connection_name: str | None = None) -> AsyncIterator[Any]:
        async with real(connection_name) as connection:
            race.now += 1
            race.peak = max(race.peak, race.now)
            try:
                if gate is not None:
                    async with asyncio.timeout(10):  # a request that never got here: fail
                        await gate.wait()
                yield connection
            finally:
                race.now -= 1

    with monkeypatch.context() as patch:
        patch.setattr(module, "in_transaction", gated)
        yield race
