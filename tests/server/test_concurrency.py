"""Races through the API: many requests for the same bed, resident or stay at the same moment.

The requests are sent at once (asyncio.gather) to the app in process. On PostgreSQL each runs in
a transaction of its own on its own pooled connection (the test pool holds 60); a gate holds
every transaction just after BEGIN until all of them have begun, so they all read, decide and
write side by side, and the test asserts that they were all open at once. SQLite has one
connection and Tortoise queues its transactions, so there only the requests overlap.
Either way exactly one request may win, and the losers get the refusal a lone request would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

import server.domain.stays
from server.domain.stays import check_in
from server.models import BedAssignment, ExitDestination, Resident, Stay
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.network import build_network, new_resident, staff

CHECK_IN = """
mutation ($resident: ID!, $bed: ID!) {
  checkIn(input: {resident: $resident, bed: $bed}) {
    stay { id resident { code } bed { label } }
    errors { code field }
  }
}"""

CHECK_OUT = """
mutation ($stay: ID!) {
  checkOut(input: {stay: $stay, exitDestination: RETURNED_HOME}) {
    stay { id active }
    errors { code field }
  }
}"""

TRANSFER = """
mutation ($stay: ID!, $bed: ID!) {
  transfer(input: {stay: $stay, bed: $bed}) {
    stay { id bed { label } }
    errors { code field }
  }
}"""


class Overlap:
    """How many of something are under way now, and the most there ever were at once."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)

    def __exit__(self, *exc: object) -> None:
        self.now -= 1


class Transactions(Overlap):
    """The domain's transactions, counted once BEGIN has been sent.

    While ``gate`` is set, each transaction waits there, holding nothing yet, until all the
    gate's parties have begun theirs: then they all read, decide and write at the same time.
    """

    gate: asyncio.Barrier | None = None


class Counted:
    """The app behind an ASGI wrapper that counts HTTP requests in flight."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests = Overlap()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.requests:
            await self.app(scope, receive, send)


class Race:
    """Sends many GraphQL requests at once, counting overlapping requests and transactions."""

    def __init__(
        self, gql: GraphQLClient, requests: Overlap, transactions: Transactions, parallel: bool
    ) -> None:
        self.gql = gql
        self.requests = requests
        self.transactions = transactions
        #: Whether the database runs transactions side by side (PostgreSQL; SQLite queues them).
        self.parallel = parallel

    async def run(
        self, document: str, field: str, variables: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Each request's payload of ``field``, in the order of ``variables``."""
        if self.parallel:
            self.transactions.gate = asyncio.Barrier(len(variables))
        try:
            results = await asyncio.gather(*(self.gql.data(document, v) for v in variables))
        finally:
            self.transactions.gate = None
        return [result[field] for result in results]

    def assert_concurrent(self, count: int) -> None:
        """All ``count`` requests were in flight at once, and on PostgreSQL their transactions
        were all open at once."""
        assert self.requests.peak == count, "the requests were not all in flight at once"
        if self.parallel:
            assert self.transactions.peak == count, "the transactions were not all open at once"
        assert self.requests.now == self.transactions.now == 0


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> Iterator[Transactions]:
    overlap = Transactions()
    real: Callable[..., Any] = server.domain.stays.in_transaction

    @asynccontextmanager
    async def counted(connection_name: str | None = None) -> AsyncIterator[Any]:
        async with real(connection_name) as connection:
            with overlap:
                if overlap.gate is not None:
                    async with asyncio.timeout(10):  # a request that never got here: fail, not hang
                        await overlap.gate.wait()
                yield connection

    monkeypatch.setattr(server.domain.stays, "in_transaction", counted)
    yield overlap


@pytest.fixture
async def race(
    app: Starlette, transactions: Transactions, on_postgres: bool
) -> AsyncIterator[Race]:
    counted = Counted(app)
    transport = httpx.ASGITransport(app=counted)
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
        yield Race(GraphQLClient(http), counted.requests, transactions, parallel=on_postgres)


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


async def test_fifty_residents_racing_for_one_bed_one_gets_it(race: Race) -> None:
    # given
    network = await build_network(shelters=1, rooms_per_shelter=1, beds_per_room=1, regions=1)
    bed = network.beds[0]
    residents = [await new_resident(f"Resident{n}", "Racer") for n in range(50)]

    # when
    payloads = await race.run(
        CHECK_IN,
        "checkIn",
        [
            {"resident": encode_id("Resident", resident.id), "bed": encode_id("Bed", bed.id)}
            for resident in residents
        ],
    )

    # then
    race.assert_concurrent(50)
    winners = [payload for payload in payloads if not payload["errors"]]
    losers = [payload for payload in payloads if payload["errors"]]
    assert len(winners) == 1
    assert [codes(payload) for payload in losers] == [["BED_OCCUPIED"]] * 49
    assert all(payload["stay"] is None for payload in losers)
    assert all(payload["errors"][0]["field"] == ["input", "bed"] for payload in losers)

    stays = await Stay.all()
    assert len(stays) == 1
    winner = await Resident.get(id=stays[0].resident_id)  # type: ignore[attr-defined]
    assert winners[0]["stay"]["resident"]["code"] == winner.code
    assert winners[0]["stay"]["bed"]["label"] == bed.label
    open_assignments = await BedAssignment.filter(bed_id=bed.id, ended_at__isnull=True)
    assert len(open_assignments) == 1
    assert open_assignments[0].stay_id == stays[0].id  # type: ignore[attr-defined]
    assert await BedAssignment.all().count() == 1


async def test_one_resident_racing_into_fifty_beds_gets_one(race: Race) -> None:
    # given
    network = await build_network(shelters=2, rooms_per_shelter=5, beds_per_room=5, regions=2)
    assert len(network.beds) == 50
    resident = encode_id("Resident", (await new_resident()).id)

    # when
    payloads = await race.run(
        CHECK_IN,
        "checkIn",
        [{"resident": resident, "bed": encode_id("Bed", bed.id)} for bed in network.beds],
    )

    # then
    race.assert_concurrent(50)
    winners = [payload for payload in payloads if not payload["errors"]]
    losers = [payload for payload in payloads if payload["errors"]]
    assert len(winners) == 1
    assert [codes(payload) for payload in losers] == [["RESIDENT_ALREADY_IN_SHELTER"]] * 49
    assert all(payload["errors"][0]["field"] == ["input", "resident"] for payload in losers)

    stays = await Stay.all()
    assert len(stays) == 1
    assignments = await BedAssignment.all()
    assert len(assignments) == 1
    assert assignments[0].stay_id == stays[0].id  # type: ignore[attr-defined]
    assert assignments[0].ended_at is None
    won_bed: int = assignments[0].bed_id  # type: ignore[attr-defined]
    assert winners[0]["stay"]["bed"]["label"] == {b.id: b.label for b in network.beds}[won_bed]


async def test_ten_check_outs_of_one_stay_end_it_once(race: Race) -> None:
    # given
    network = await build_network(shelters=1, rooms_per_shelter=1, beds_per_room=1, regions=1)
    stay = await check_in(await staff(), (await new_resident()).id, network.beds[0].id)
    checked_in_at = stay.checked_in_at

    # when
    payloads = await race.run(CHECK_OUT, "checkOut", [{"stay": encode_id("Stay", stay.id)}] * 10)

    # then
    race.assert_concurrent(10)
    winners = [payload for payload in payloads if not payload["errors"]]
    losers = [payload for payload in payloads if payload["errors"]]
    assert len(winners) == 1
    assert winners[0]["stay"]["active"] is False
    assert [codes(payload) for payload in losers] == [["STAY_ALREADY_ENDED"]] * 9

    await stay.refresh_from_db()
    assert stay.checked_out_at is not None and stay.checked_out_at >= checked_in_at
    assert stay.exit_destination == ExitDestination.RETURNED_HOME
    assignments = await BedAssignment.all()
    assert len(assignments) == 1
    assert assignments[0].ended_at == stay.checked_out_at


@pytest.mark.parametrize("across_shelters", [False, True], ids=["same-shelter", "other-shelter"])
async def test_two_transfers_into_one_free_bed_one_wins_the_other_stays_put(
    race: Race, across_shelters: bool
) -> None:
    # given: two residents in beds of shelter 0, and a free bed there or in shelter 1
    network = await build_network(shelters=2, rooms_per_shelter=1, beds_per_room=3, regions=1)
    here, there = (network.beds_of(shelter) for shelter in network.shelters)
    first_bed, second_bed = here[:2]
    free_bed = there[0] if across_shelters else here[2]
    first = await check_in(await staff(), (await new_resident()).id, first_bed.id)
    second = await check_in(
        await staff(), (await new_resident("Gulnora", "Tosheva")).id, second_bed.id
    )

    # when
    payloads = await race.run(
        TRANSFER,
        "transfer",
        [
            {"stay": encode_id("Stay", stay.id), "bed": encode_id("Bed", free_bed.id)}
            for stay in (first, second)
        ],
    )

    # then: one moved, the other was refused
    race.assert_concurrent(2)
    assert sorted(tuple(codes(payload)) for payload in payloads) == [(), ("BED_OCCUPIED",)]
    won = 0 if not payloads[0]["errors"] else 1
    moved, stayed = (first, second) if won == 0 else (second, first)
    moved_from, stayed_in = (first_bed, second_bed) if won == 0 else (second_bed, first_bed)
    assert payloads[won]["stay"]["bed"] == {"label": free_bed.label}
    assert payloads[1 - won]["stay"] is None

    # the loser is still in their bed, in the same open stay, with nothing half-written
    await stayed.refresh_from_db()
    assert stayed.checked_out_at is None and stayed.exit_destination is None
    loser: int = stayed.resident_id  # type: ignore[attr-defined]
    assert await Stay.filter(resident_id=loser).count() == 1
    loser_rows = await BedAssignment.filter(stay__resident_id=loser).values_list(
        "stay_id", "bed_id", "ended_at"
    )
    assert loser_rows == [(stayed.id, stayed_in.id, None)]

    # the winner left their bed free and holds the free one
    winner_rows = await BedAssignment.filter(
        stay__resident_id=moved.resident_id  # type: ignore[attr-defined]
    ).order_by("id")
    assert [row.bed_id for row in winner_rows] == [  # type: ignore[attr-defined]
        moved_from.id,
        free_bed.id,
    ]
    assert winner_rows[0].ended_at is not None and winner_rows[1].ended_at is None
    await moved.refresh_from_db()
    if across_shelters:  # the old stay ended, a new one began there
        assert moved.exit_destination == ExitDestination.OTHER_SHELTER
        assert payloads[won]["stay"]["id"] != encode_id("Stay", moved.id)
    else:
        assert moved.checked_out_at is None
        assert payloads[won]["stay"]["id"] == encode_id("Stay", moved.id)
    assert await BedAssignment.filter(bed_id=free_bed.id, ended_at__isnull=True).count() == 1
    assert await BedAssignment.filter(bed_id=moved_from.id, ended_at__isnull=True).count() == 0
    assert await Stay.filter(checked_out_at__isnull=True).count() == 2
