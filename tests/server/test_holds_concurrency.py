"""Holds at the same moment, on PostgreSQL: people holding one bed at once, and every server
process's sweeper releasing the same expired holds at once.

As in test_concurrency.py, a gate holds each transaction of server.domain.holds just after BEGIN
until all of them have begun, so they read, decide and write side by side (at most 10 at once,
each on its own pooled connection). SQLite serialises transactions, so there is nothing to prove
there: these tests are skipped on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

import server.domain.holds
from server.domain import events
from server.domain.clock import now
from server.domain.events import Event
from server.domain.holds import expire_holds
from server.models import AuditEvent, BedHold, HoldOutcome, Role
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import build_network

BED_HOLD = """
mutation ($input: BedHoldInput!) {
  bedHold(input: $input) { bedHold { id } errors { code field message } }
}"""


@pytest.fixture(autouse=True)
def postgres_only(on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("concurrent transactions need PostgreSQL (SQLite runs one at a time)")


class Gate:
    """The transactions of server.domain.holds: how many are open, the most at once, and a
    barrier each waits at, once begun, while ``parties`` is set."""

    def __init__(self) -> None:
        self.open = 0
        self.peak = 0
        self.barrier: asyncio.Barrier | None = None

    def expect(self, parties: int) -> None:
        self.barrier = asyncio.Barrier(parties)
        self.peak = 0


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    real: Callable[..., Any] = server.domain.holds.in_transaction

    @asynccontextmanager
    async def gated(connection_name: str | None = None) -> AsyncIterator[Any]:
        async with real(connection_name) as connection:
            gate.open += 1
            gate.peak = max(gate.peak, gate.open)
            try:
                if gate.barrier is not None:
                    async with asyncio.timeout(10):
                        await gate.barrier.wait()
                yield connection
            finally:
                gate.open -= 1

    monkeypatch.setattr(server.domain.holds, "in_transaction", gated)
    yield gate


@pytest.fixture
def published() -> Iterator[list[Event]]:
    """Every event published meanwhile (and still delivered to this process)."""
    seen: list[Event] = []

    async def recording(event: Event) -> None:
        seen.append(event)
        await events.deliver_here(event)

    events.install(recording)
    yield seen
    events.install(None)


@pytest.mark.parametrize("people", [2, 10])
async def test_people_holding_one_bed_at_once_make_one_hold(
    gql: GraphQLClient, gate: Gate, published: list[Event], people: int
) -> None:
    # given coordinators, each about to hold the same bed
    network = await build_network(shelters=1, rooms_per_shelter=1, beds_per_room=1)
    clients = [gql.as_token(await sign_in(Role.COORDINATOR)) for _ in range(people)]
    variables = {
        "input": {
            "bed": encode_id("Bed", network.beds[0].id),
            "reason": "Hotline referral",
            "expiresAt": (now() + timedelta(hours=4)).isoformat(),
        }
    }

    # when they all send it at once
    gate.expect(people)
    results = await asyncio.gather(*(client.data(BED_HOLD, variables) for client in clients))

    # then all their transactions were open together, one holds the bed, the others are told
    assert gate.peak == people
    payloads = [result["bedHold"] for result in results]
    held = [payload for payload in payloads if not payload["errors"]]
    refused = [payload["errors"] for payload in payloads if payload["errors"]]
    assert len(held) == 1
    assert refused == [
        [
            {
                "code": "BED_HELD",
                "field": ["input", "bed"],
                "message": f"Bed {network.beds[0].label} is held for an incoming person.",
            }
        ]
    ] * (people - 1)
    rows = await BedHold.all()
    assert [encode_id("BedHold", row.id) for row in rows] == [held[0]["bedHold"]["id"]]
    assert await AuditEvent.filter(action="bed_hold").count() == 1
    assert published == [events.OccupancyChanged(shelter_id=network.shelters[0].id)]


async def test_sweepers_of_several_processes_release_each_hold_once(
    app: Starlette, gate: Gate, published: list[Event]
) -> None:
    # given five expired holds in two shelters, never marked released
    network = await build_network(shelters=2, rooms_per_shelter=1, beds_per_room=3)
    for bed in network.beds[:5]:
        await BedHold.create(
            bed=bed,
            reason="No-show",
            started_at=now() - timedelta(hours=5),
            expires_at=now() - timedelta(minutes=1),
        )

    # when four server processes sweep at the same moment
    gate.expect(4)
    released = await asyncio.gather(*(expire_holds() for _ in range(4)))

    # then each hold was released once, audited once, and each shelter told once
    assert gate.peak == 4
    assert sorted(released) == [0, 0, 0, 5]
    rows = await BedHold.all()
    assert all(row.outcome is HoldOutcome.EXPIRED for row in rows)
    assert all(row.released_at == row.expires_at for row in rows)
    assert await AuditEvent.filter(action="bed_hold_expired").count() == 5
    assert sorted(published, key=lambda event: event.shelter_id) == [  # type: ignore[union-attr]
        events.OccupancyChanged(shelter_id=shelter.id) for shelter in network.shelters
    ]
