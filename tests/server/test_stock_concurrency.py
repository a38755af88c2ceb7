"""Stock under concurrent requests, and a transfer that fails halfway.

As in test_concurrency.py: the requests are sent at once to the app in process; on PostgreSQL
each runs its transaction on its own pooled connection, and a gate holds every transaction just
after BEGIN until all of them have begun, so they all read, decide and write side by side (the
test asserts they were all open at once). SQLite queues transactions, so there only the requests
overlap. Either way the stock must come out exactly right: no more handed out than was on hand,
and the ledger summing to the stock shown. At most 20 transactions are open at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise

import server.domain.stock
from server.domain.stays import check_in
from server.domain.stock import transfer_stock
from server.models import Role, StockLevel, StockMovement
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import build_network, new_resident, staff
from tests.server.stock_network import assert_ledger_sums, new_item, on_hand, stocked
from tests.server.test_concurrency import Counted, Race, Transactions, codes

DISTRIBUTE = """
mutation ($input: StockDistributeInput!) {
  stockDistribute(input: $input) { movement { onHandAfter } errors { code field message } }
}"""

TRANSFER = """
mutation ($input: StockTransferInput!) {
  stockTransfer(input: $input) {
    movement { onHandAfter counterpart { onHandAfter } } errors { code field message }
  }
}"""

RECEIVE = """
mutation ($input: StockReceiveInput!) {
  stockReceive(input: $input) { movement { quantity } errors { code } }
}"""

STOCK = """
query ($shelter: ID!) { stock(shelter: $shelter) { edges { node { item { name } onHand } } } }"""


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> Iterator[Transactions]:
    """The stock domain's transactions, counted, and held at the gate while one is set."""
    overlap = Transactions()
    real: Callable[..., Any] = server.domain.stock.in_transaction

    @asynccontextmanager
    async def counted(connection_name: str | None = None) -> AsyncIterator[Any]:
        async with real(connection_name) as connection:
            with overlap:
                if overlap.gate is not None:
                    async with asyncio.timeout(10):  # a request that never got here: fail, not hang
                        await overlap.gate.wait()
                yield connection

    monkeypatch.setattr(server.domain.stock, "in_transaction", counted)
    yield overlap


@pytest.fixture
async def race(
    app: Starlette, transactions: Transactions, on_postgres: bool
) -> AsyncIterator[Race]:
    counted = Counted(app)
    transport = httpx.ASGITransport(app=counted)
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
        yield Race(GraphQLClient(http), counted.requests, transactions, parallel=on_postgres)


def gid(row: Any) -> str:
    return encode_id(type(row).__name__, row.id)


async def test_twenty_distributions_of_ten_on_hand_hand_out_exactly_ten(race: Race) -> None:
    # given 10 packs of rice and 20 residents staying in the shelter
    network = await build_network(shelters=1, rooms_per_shelter=4, beds_per_room=5, regions=1)
    shelter = network.shelters[0]
    rice = await new_item("Rice")
    await stocked(shelter, rice, 10)
    residents = []
    for number, bed in enumerate(network.beds):
        resident = await new_resident(f"Resident{number}", "Queue", shelter=shelter)
        await check_in(await staff(), resident.id, bed.id)
        residents.append(resident)
    race.gql.token = await sign_in(Role.SHELTER_STAFF, [shelter])

    # when each asks for one pack at the same moment
    payloads = await race.run(
        DISTRIBUTE,
        "stockDistribute",
        [
            {
                "input": {
                    "shelter": gid(shelter),
                    "item": gid(rice),
                    "resident": gid(resident),
                    "quantity": 1,
                }
            }
            for resident in residents
        ],
    )

    # then ten got one each, in turn, and ten were told there is none left
    race.assert_concurrent(20)
    winners = [payload for payload in payloads if not payload["errors"]]
    losers = [payload for payload in payloads if payload["errors"]]
    assert len(winners) == 10
    assert sorted(payload["movement"]["onHandAfter"] for payload in winners) == list(range(10))
    assert [payload["errors"] for payload in losers] == [
        [
            {
                "code": "INSUFFICIENT_STOCK",
                "field": ["input", "quantity"],
                "message": "No Rice on hand.",
            }
        ]
    ] * 10
    assert all(payload["movement"] is None for payload in losers)

    # and the books agree: nothing on hand, ten distributions, the ledger sums to the stock shown
    assert await on_hand(shelter, rice) == 0
    assert await StockMovement.filter(kind="distribution").count() == 10
    shown = (await race.gql.data(STOCK, {"shelter": gid(shelter)}))["stock"]["edges"]
    assert shown == [{"node": {"item": {"name": "Rice"}, "onHand": 0}}]
    await assert_ledger_sums()


async def test_opposite_transfers_at_once_neither_deadlock_nor_lose_stock(race: Race) -> None:
    # given 100 packs of rice in each of two shelters
    network = await build_network(shelters=2, rooms_per_shelter=1, beds_per_room=1, regions=1)
    here, there = network.shelters
    rice = await new_item("Rice")
    await stocked(here, rice, 100)
    await stocked(there, rice, 100)
    race.gql.token = await sign_in(Role.SHELTER_STAFF, network.shelters)

    # when ten transfers go each way at the same moment (each locks both shelters' rows)
    def transfer(source: Any, destination: Any, quantity: int) -> dict[str, Any]:
        return {
            "input": {
                "fromShelter": gid(source),
                "toShelter": gid(destination),
                "item": gid(rice),
                "quantity": quantity,
            }
        }

    payloads = await race.run(
        TRANSFER,
        "stockTransfer",
        [transfer(here, there, 3) for _ in range(10)]
        + [transfer(there, here, 1) for _ in range(10)],
    )

    # then every one went through, and the stock moved by exactly their sum
    race.assert_concurrent(20)
    assert [codes(payload) for payload in payloads] == [[]] * 20
    assert (await on_hand(here, rice), await on_hand(there, rice)) == (80, 120)
    assert (
        await StockMovement.filter(kind="transfer_in", transfer_of_id__isnull=False).count() == 20
    )
    await assert_ledger_sums()


async def test_first_receipts_of_an_item_at_once_make_one_level(race: Race) -> None:
    # given a shelter that has never held soap
    network = await build_network(shelters=1, rooms_per_shelter=1, beds_per_room=1, regions=1)
    shelter = network.shelters[0]
    soap = await new_item("Soap")
    race.gql.token = await sign_in(Role.SHELTER_STAFF, [shelter])

    # when ten donations of it are recorded at the same moment
    payloads = await race.run(
        RECEIVE,
        "stockReceive",
        [
            {
                "input": {
                    "shelter": gid(shelter),
                    "item": gid(soap),
                    "quantity": quantity,
                    "donor": f"Donor {quantity}",
                }
            }
            for quantity in range(1, 11)
        ],
    )

    # then all are in, on the one level row they raced to create
    race.assert_concurrent(10)
    assert [codes(payload) for payload in payloads] == [[]] * 10
    assert await StockLevel.filter(shelter_id=shelter.id, item_id=soap.id).count() == 1
    assert await on_hand(shelter, soap) == 55
    await assert_ledger_sums()


# --- a transfer that fails halfway ---------------------------------------------------------------

REFUSAL = "this test refuses movements in"
POSTGRES_TRIGGER = [
    "CREATE FUNCTION test_refuse_transfer_in() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER test_refuse_transfer_in BEFORE INSERT ON stock_movement FOR EACH ROW "
    "WHEN (NEW.kind = 'transfer_in') EXECUTE FUNCTION test_refuse_transfer_in()",
]
POSTGRES_DROP = [
    "DROP TRIGGER test_refuse_transfer_in ON stock_movement",
    "DROP FUNCTION test_refuse_transfer_in()",
]
SQLITE_TRIGGER = [
    "CREATE TRIGGER test_refuse_transfer_in BEFORE INSERT ON stock_movement "
    f"WHEN NEW.kind = 'transfer_in' BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
]
SQLITE_DROP = ["DROP TRIGGER test_refuse_transfer_in"]


@asynccontextmanager
async def movements_in_refused(on_postgres: bool) -> AsyncIterator[None]:
    """While open, the database refuses every movement into a shelter from a transfer: the
    movement out has been written and its level changed by then."""
    connection = Tortoise.get_connection("default")
    for statement in POSTGRES_TRIGGER if on_postgres else SQLITE_TRIGGER:
        await connection.execute_script(statement)
    try:
        yield
    finally:
        for statement in POSTGRES_DROP if on_postgres else SQLITE_DROP:
            await connection.execute_script(statement)


async def books() -> tuple[list[Any], list[Any]]:
    levels = (
        await StockLevel.all()
        .order_by("id")
        .values_list("id", "shelter_id", "item_id", "on_hand", "received_total", "threshold")
    )
    movements = await StockMovement.all().order_by("id").values_list("id", "level_id", "delta")
    return levels, movements


@pytest.mark.parametrize("destination_has_stock", [True, False], ids=["level", "no-level"])
async def test_a_transfer_failing_halfway_leaves_both_shelters_as_before(
    gql: GraphQLClient, on_postgres: bool, destination_has_stock: bool
) -> None:
    # given rice in shelter 0 (and in shelter 1, or none there ever)
    network = await build_network()
    here, there = network.shelters
    rice = await new_item("Rice")
    await stocked(here, rice, 10)
    if destination_has_stock:
        await stocked(there, rice, 4)
    before = await books()
    variables = {
        "input": {
            "fromShelter": gid(here),
            "toShelter": gid(there),
            "item": gid(rice),
            "quantity": 6,
        }
    }

    # when a transfer fails after its movement out, at the movement in
    async with movements_in_refused(on_postgres):
        failed = await gql.post(TRANSFER, variables)

    # then it is reported, and neither shelter's stock nor the ledger changed
    assert failed["data"] is None
    assert REFUSAL in failed["errors"][0]["message"]
    assert await books() == before
    assert (await on_hand(here, rice), await on_hand(there, rice)) == (
        10,
        4 if destination_has_stock else 0,
    )

    # and once the database accepts it again, the same transfer goes through whole
    moved = await transfer_stock(
        await staff(), from_shelter_id=here.id, to_shelter_id=there.id, item_id=rice.id, quantity=6
    )
    assert moved.on_hand_after == 4
    assert await on_hand(there, rice) == (10 if destination_has_stock else 6)
    await assert_ledger_sums()
