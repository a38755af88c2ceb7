"""Stock movements through the API: receive, distribute, transfer, count, write off, thresholds;
the happy paths, each refusal (with nothing written), and the ledger's own protections."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from tortoise import Tortoise

from server.domain.clock import now
from server.domain.stays import check_in, check_out
from server.models import (
    AuditEvent,
    ExitDestination,
    ItemCategory,
    ItemUnit,
    MovementKind,
    Season,
    StockLevel,
    StockMovement,
)
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.network import build_network, new_resident, staff
from tests.server.stock_network import (
    assert_ledger_sums,
    in_days,
    new_item,
    on_hand,
    stocked,
)

MOVEMENT = """
  movement {
    id kind quantity change onHandAfter donor expiresOn writeOffReason note
    shelter { name } item { name } resident { code }
    counterpart { kind quantity onHandAfter shelter { name } }
  }
  errors { code field message }
"""

RECEIVE = f"""
mutation ($input: StockReceiveInput!) {{ stockReceive(input: $input) {{ {MOVEMENT} }} }}"""
DISTRIBUTE = f"""
mutation ($input: StockDistributeInput!) {{ stockDistribute(input: $input) {{ {MOVEMENT} }} }}"""
TRANSFER = f"""
mutation ($input: StockTransferInput!) {{ stockTransfer(input: $input) {{ {MOVEMENT} }} }}"""
COUNT = f"""
mutation ($input: StockCountInput!) {{ stockCount(input: $input) {{ {MOVEMENT} }} }}"""
WRITE_OFF = f"""
mutation ($input: StockWriteOffInput!) {{ stockWriteOff(input: $input) {{ {MOVEMENT} }} }}"""
THRESHOLD = """
mutation ($input: StockThresholdSetInput!) {
  stockThresholdSet(input: $input) {
    level { onHand threshold low shelter { name } item { name } }
    errors { code field message }
  }
}"""


def gid(row: Any) -> str:
    return encode_id(type(row).__name__, row.id)


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


async def resident_in(shelter_index: int, network: Any, name: str = "Dilnoza") -> Any:
    """A resident checked into a bed of the network's shelter."""
    shelter = network.shelters[shelter_index]
    resident = await new_resident(name, shelter=shelter)
    await check_in(await staff(), resident.id, network.beds_of(shelter)[0].id)
    return resident


async def ledger() -> list[tuple[Any, ...]]:
    return await StockMovement.all().order_by("id").values_list("level_id", "kind", "delta")


# --- the happy paths -----------------------------------------------------------------------------


async def test_receive_then_distribute_to_a_resident_staying_there(gql: GraphQLClient) -> None:
    # given a shelter with a resident, and rice in the catalogue
    network = await build_network()
    shelter = network.shelters[0]
    resident = await resident_in(0, network)
    rice = await new_item("Rice", unit=ItemUnit.PACK)

    # when 12 packs are received from a donor, then 2 handed out
    received = (
        await gql.data(
            RECEIVE,
            {
                "input": {
                    "shelter": gid(shelter),
                    "item": gid(rice),
                    "quantity": 12,
                    "donor": " Red Crescent ",
                    "note": "Monthly delivery",
                }
            },
        )
    )["stockReceive"]
    given = (
        await gql.data(
            DISTRIBUTE,
            {
                "input": {
                    "shelter": gid(shelter),
                    "item": gid(rice),
                    "resident": gid(resident),
                    "quantity": 2,
                }
            },
        )
    )["stockDistribute"]

    # then both are in the ledger, and 10 packs are on hand
    assert received["errors"] == [] and given["errors"] == []
    assert received["movement"] == {
        "id": received["movement"]["id"],
        "kind": "RECEIPT",
        "quantity": 12,
        "change": 12,
        "onHandAfter": 12,
        "donor": "Red Crescent",
        "expiresOn": None,
        "writeOffReason": None,
        "note": "Monthly delivery",
        "shelter": {"name": shelter.name},
        "item": {"name": "Rice"},
        "resident": None,
        "counterpart": None,
    }
    assert given["movement"]["kind"] == "DISTRIBUTION"
    assert (given["movement"]["change"], given["movement"]["onHandAfter"]) == (-2, 10)
    assert given["movement"]["resident"] == {"code": resident.code}
    assert given["movement"]["donor"] is None
    assert await on_hand(shelter, rice) == 10
    await assert_ledger_sums()
    actions = await AuditEvent.filter(record_type="StockMovement").values_list(
        "action", "resident_id"
    )
    assert actions == [("stock_receive", None), ("stock_distribute", resident.id)]


async def test_perishable_food_is_received_with_its_expiry_date(gql: GraphQLClient) -> None:
    network = await build_network()
    bread = await new_item("Bread", unit=ItemUnit.PIECE, perishable=True)
    expiry = in_days(3).isoformat()

    result = await gql.data(
        RECEIVE,
        {
            "input": {
                "shelter": gid(network.shelters[0]),
                "item": gid(bread),
                "quantity": 30,
                "donor": "Bakery No. 4",
                "expiresOn": expiry,
            }
        },
    )

    assert result["stockReceive"]["errors"] == []
    assert result["stockReceive"]["movement"]["expiresOn"] == expiry
    assert (await StockMovement.get()).expires_on == in_days(3)


async def test_transfer_moves_stock_between_shelters_as_two_linked_movements(
    gql: GraphQLClient,
) -> None:
    # given 10 packs of rice in shelter 0 and 1 in shelter 1
    network = await build_network()
    here, there = network.shelters
    rice = await new_item("Rice")
    await stocked(here, rice, 10)
    await stocked(there, rice, 1)

    # when 4 are sent from shelter 0 to shelter 1
    result = await gql.data(
        TRANSFER,
        {
            "input": {
                "fromShelter": gid(here),
                "toShelter": gid(there),
                "item": gid(rice),
                "quantity": 4,
            }
        },
    )

    # then one movement out, one in, linked both ways
    payload = result["stockTransfer"]
    assert payload["errors"] == []
    assert payload["movement"]["kind"] == "TRANSFER_OUT"
    assert (payload["movement"]["change"], payload["movement"]["onHandAfter"]) == (-4, 6)
    assert payload["movement"]["counterpart"] == {
        "kind": "TRANSFER_IN",
        "quantity": 4,
        "onHandAfter": 5,
        "shelter": {"name": there.name},
    }
    assert (await on_hand(here, rice), await on_hand(there, rice)) == (6, 5)
    out, incoming = await StockMovement.filter(kind__in=["transfer_out", "transfer_in"]).order_by(
        "id"
    )
    assert incoming.transfer_of_id == out.id
    await assert_ledger_sums()


async def test_a_count_records_the_difference_and_a_write_off_its_reason(
    gql: GraphQLClient,
) -> None:
    network = await build_network()
    shelter = network.shelters[0]
    soap = await new_item("Soap", category=ItemCategory.HYGIENE, unit=ItemUnit.PIECE)
    await stocked(shelter, soap, 20)
    ids = {"shelter": gid(shelter), "item": gid(soap)}

    counted = (await gql.data(COUNT, {"input": {**ids, "counted": 17}}))["stockCount"]
    found = (await gql.data(COUNT, {"input": {**ids, "counted": 18, "note": "Behind the box"}}))[
        "stockCount"
    ]
    damaged = (await gql.data(WRITE_OFF, {"input": {**ids, "quantity": 3, "reason": "DAMAGED"}}))[
        "stockWriteOff"
    ]
    lost = (
        await gql.data(
            WRITE_OFF,
            {"input": {**ids, "quantity": 1, "reason": "OTHER", "note": "Taken by a visitor"}},
        )
    )["stockWriteOff"]

    assert [p["errors"] for p in (counted, found, damaged, lost)] == [[]] * 4
    assert [(p["movement"]["kind"], p["movement"]["change"]) for p in (counted, found)] == [
        ("ADJUSTMENT", -3),
        ("ADJUSTMENT", 1),
    ]
    assert counted["movement"]["onHandAfter"] == 17
    assert damaged["movement"]["writeOffReason"] == "DAMAGED"
    assert lost["movement"]["note"] == "Taken by a visitor"
    assert await on_hand(shelter, soap) == 14
    await assert_ledger_sums()


async def test_threshold_marks_an_item_low_and_can_be_cleared(gql: GraphQLClient) -> None:
    network = await build_network()
    shelter = network.shelters[0]
    diapers = await new_item("Diapers", category=ItemCategory.HYGIENE)
    await stocked(shelter, diapers, 5)
    ids = {"shelter": gid(shelter), "item": gid(diapers)}

    low = (await gql.data(THRESHOLD, {"input": {**ids, "threshold": 5}}))["stockThresholdSet"]
    cleared = (await gql.data(THRESHOLD, {"input": {**ids, "threshold": None}}))[
        "stockThresholdSet"
    ]

    assert low == {
        "level": {
            "onHand": 5,
            "threshold": 5,
            "low": True,
            "shelter": {"name": shelter.name},
            "item": {"name": "Diapers"},
        },
        "errors": [],
    }
    assert cleared["level"]["threshold"] is None and cleared["level"]["low"] is False


# --- refusals ------------------------------------------------------------------------------------


async def test_distribution_below_zero_names_the_item_and_what_is_on_hand(
    gql: GraphQLClient,
) -> None:
    network = await build_network()
    resident = await resident_in(0, network)
    rice = await new_item("Rice", unit=ItemUnit.PACK)
    flour = await new_item("Flour", unit=ItemUnit.KG)
    await stocked(network.shelters[0], rice, 3)
    await stocked(network.shelters[0], flour, 1)
    before = await ledger()

    def distribution(item: Any, quantity: int) -> dict[str, Any]:
        return {
            "input": {
                "shelter": gid(network.shelters[0]),
                "item": gid(item),
                "resident": gid(resident),
                "quantity": quantity,
            }
        }

    rice_refused = (await gql.data(DISTRIBUTE, distribution(rice, 4)))["stockDistribute"]
    flour_refused = (await gql.data(DISTRIBUTE, distribution(flour, 2)))["stockDistribute"]

    assert rice_refused == {
        "movement": None,
        "errors": [
            {
                "code": "INSUFFICIENT_STOCK",
                "field": ["input", "quantity"],
                "message": "Only 3 packs of Rice on hand.",
            }
        ],
    }
    assert flour_refused["errors"][0]["message"] == "Only 1 kg of Flour on hand."
    assert await ledger() == before
    assert await on_hand(network.shelters[0], rice) == 3


async def test_nothing_on_hand_at_all_is_refused_for_each_way_out(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = await resident_in(0, network)
    oil = await new_item("Sunflower oil", unit=ItemUnit.BOTTLE)
    ids = {"shelter": gid(network.shelters[0]), "item": gid(oil), "quantity": 1}

    results = [
        (await gql.data(DISTRIBUTE, {"input": {**ids, "resident": gid(resident)}}))[
            "stockDistribute"
        ],
        (await gql.data(WRITE_OFF, {"input": {**ids, "reason": "EXPIRED"}}))["stockWriteOff"],
        (
            await gql.data(
                TRANSFER,
                {
                    "input": {
                        "fromShelter": ids["shelter"],
                        "toShelter": gid(network.shelters[1]),
                        "item": ids["item"],
                        "quantity": 1,
                    }
                },
            )
        )["stockTransfer"],
    ]

    for payload in results:
        assert payload["errors"] == [
            {
                "code": "INSUFFICIENT_STOCK",
                "field": ["input", "quantity"],
                "message": "No Sunflower oil on hand.",
            }
        ]
    assert await StockMovement.all().count() == 0
    assert await StockLevel.all().count() == 0


async def test_distribution_to_a_resident_not_staying_in_that_shelter_is_refused(
    gql: GraphQLClient,
) -> None:
    # given rice in shelter 0; one resident in shelter 1, one checked out of shelter 0, one
    # registered but never checked in
    network = await build_network()
    rice = await new_item("Rice")
    await stocked(network.shelters[0], rice, 10)
    elsewhere = await resident_in(1, network, "Gulnora")
    left = await new_resident("Malika", shelter=network.shelters[0])
    stay = await check_in(await staff(), left.id, network.beds_of(network.shelters[0])[1].id)
    await check_out(await staff(), stay.id, ExitDestination.RETURNED_HOME)
    waiting = await new_resident("Timur", shelter=network.shelters[0])
    before = await ledger()

    for resident in (elsewhere, left, waiting):
        result = await gql.data(
            DISTRIBUTE,
            {
                "input": {
                    "shelter": gid(network.shelters[0]),
                    "item": gid(rice),
                    "resident": gid(resident),
                    "quantity": 1,
                }
            },
        )
        assert result["stockDistribute"] == {
            "movement": None,
            "errors": [
                {
                    "code": "RESIDENT_NOT_IN_SHELTER",
                    "field": ["input", "resident"],
                    "message": f"{resident.code} is not staying in Shelter 0 now.",
                }
            ],
        }
    assert await ledger() == before


@pytest.mark.parametrize("quantity", [0, -1, -100, 100_001, 2_000_000_000])
async def test_zero_negative_and_absurd_quantities_are_refused(
    gql: GraphQLClient, quantity: int
) -> None:
    network = await build_network()
    resident = await resident_in(0, network)
    rice = await new_item("Rice")
    await stocked(network.shelters[0], rice, 10)
    before = await ledger()
    ids = {"shelter": gid(network.shelters[0]), "item": gid(rice), "quantity": quantity}
    attempts = {
        "stockReceive": (RECEIVE, {**ids, "donor": "Someone"}),
        "stockDistribute": (DISTRIBUTE, {**ids, "resident": gid(resident)}),
        "stockWriteOff": (WRITE_OFF, {**ids, "reason": "DAMAGED"}),
        "stockTransfer": (
            TRANSFER,
            {
                "fromShelter": ids["shelter"],
                "toShelter": gid(network.shelters[1]),
                "item": ids["item"],
                "quantity": quantity,
            },
        ),
    }

    for root, (document, variables) in attempts.items():
        payload = (await gql.data(document, {"input": variables}))[root]
        assert codes(payload) == ["INVALID_VALUE"], root
        assert payload["errors"][0]["field"] == ["input", "quantity"]
        assert "1 to 100,000" in payload["errors"][0]["message"]
    if quantity != 0:  # a count of zero is a count (below)
        counted = (
            await gql.data(
                COUNT,
                {"input": {"shelter": ids["shelter"], "item": ids["item"], "counted": quantity}},
            )
        )["stockCount"]
        assert codes(counted) == ["INVALID_VALUE"]
        assert counted["errors"][0]["field"] == ["input", "counted"]
    assert await ledger() == before


async def test_a_count_of_zero_empties_the_shelf_and_a_matching_count_is_refused(
    gql: GraphQLClient,
) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    await stocked(network.shelters[0], rice, 10)
    ids = {"shelter": gid(network.shelters[0]), "item": gid(rice)}

    matching = (await gql.data(COUNT, {"input": {**ids, "counted": 10}}))["stockCount"]
    emptied = (await gql.data(COUNT, {"input": {**ids, "counted": 0}}))["stockCount"]
    negative = (await gql.data(COUNT, {"input": {**ids, "counted": -1}}))["stockCount"]

    assert matching["errors"] == [
        {
            "code": "STOCK_COUNT_UNCHANGED",
            "field": ["input", "counted"],
            "message": "The count matches the 10 packs of Rice on hand: nothing to adjust.",
        }
    ]
    assert emptied["errors"] == [] and emptied["movement"]["change"] == -10
    assert codes(negative) == ["INVALID_VALUE"]
    assert await on_hand(network.shelters[0], rice) == 0
    assert await StockMovement.filter(kind=MovementKind.ADJUSTMENT).count() == 1


async def test_unknown_item_resident_and_shelter_are_not_found(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = await resident_in(0, network)
    rice = await new_item("Rice")
    await stocked(network.shelters[0], rice, 10)
    before = await ledger()
    good = {
        "shelter": gid(network.shelters[0]),
        "item": gid(rice),
        "resident": gid(resident),
        "quantity": 1,
    }
    cases = [
        ("item", encode_id("Item", 999_999), "NOT_FOUND"),
        ("resident", encode_id("Resident", 999_999), "NOT_FOUND"),
        ("shelter", encode_id("Shelter", 999_999), "NOT_FOUND"),
        ("item", gid(resident), "INVALID_ID"),
        ("resident", "not-an-id", "INVALID_ID"),
        ("shelter", encode_id("Shelter", 99_999_999_999), "INVALID_ID"),
    ]

    for name, value, code in cases:
        payload = (await gql.data(DISTRIBUTE, {"input": {**good, name: value}}))["stockDistribute"]
        assert payload["errors"][0]["code"] == code, (name, value)
        assert payload["errors"][0]["field"] == ["input", name]
    transfer = (
        await gql.data(
            TRANSFER,
            {
                "input": {
                    "fromShelter": gid(network.shelters[0]),
                    "toShelter": encode_id("Shelter", 999_999),
                    "item": gid(rice),
                    "quantity": 1,
                }
            },
        )
    )["stockTransfer"]
    assert transfer["errors"][0]["code"] == "NOT_FOUND"
    assert transfer["errors"][0]["field"] == ["input", "toShelter"]
    assert await ledger() == before


async def test_transfer_to_the_same_shelter_is_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    await stocked(network.shelters[0], rice, 10)

    result = await gql.data(
        TRANSFER,
        {
            "input": {
                "fromShelter": gid(network.shelters[0]),
                "toShelter": gid(network.shelters[0]),
                "item": gid(rice),
                "quantity": 1,
            }
        },
    )

    assert codes(result["stockTransfer"]) == ["SAME_SHELTER"]
    assert await StockMovement.all().count() == 1


async def test_expiry_date_fits_the_item(gql: GraphQLClient) -> None:
    network = await build_network()
    bread = await new_item("Bread", perishable=True)
    rice = await new_item("Rice")
    base = {"shelter": gid(network.shelters[0]), "quantity": 5, "donor": "Bakery"}
    cases = [
        (bread, None, "REQUIRED"),
        (bread, in_days(-3).isoformat(), "INVALID_VALUE"),
        (bread, in_days(4000).isoformat(), "INVALID_VALUE"),
        (rice, in_days(30).isoformat(), "INVALID_VALUE"),
    ]

    for item, expiry, code in cases:
        payload = (
            await gql.data(RECEIVE, {"input": {**base, "item": gid(item), "expiresOn": expiry}})
        )["stockReceive"]
        assert codes(payload) == [code], (item.name, expiry)
        assert payload["errors"][0]["field"] == ["input", "expiresOn"]
    assert await StockMovement.all().count() == 0


async def test_write_off_needs_a_reason_and_words_for_other(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    await stocked(network.shelters[0], rice, 10)
    ids = {"shelter": gid(network.shelters[0]), "item": gid(rice), "quantity": 1}

    without = await gql.post(WRITE_OFF, {"input": ids})
    other_without_words = (
        await gql.data(WRITE_OFF, {"input": {**ids, "reason": "OTHER", "note": "  "}})
    )["stockWriteOff"]

    assert without["data"] is None and "reason" in without["errors"][0]["message"]
    assert other_without_words["errors"] == [
        {"code": "REQUIRED", "field": ["input", "note"], "message": "note is required."}
    ]
    assert await StockMovement.all().count() == 1


async def test_donor_and_note_text_are_checked(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    base = {"shelter": gid(network.shelters[0]), "item": gid(rice), "quantity": 1}
    cases = [
        ({"donor": ""}, "REQUIRED", "donor"),
        ({"donor": "x" * 201}, "TOO_LONG", "donor"),
        ({"donor": "Nul\x00byte"}, "INVALID_VALUE", "donor"),
        ({"donor": "Bakery", "note": "x" * 301}, "TOO_LONG", "note"),
    ]

    for extra, code, field in cases:
        payload = (await gql.data(RECEIVE, {"input": {**base, **extra}}))["stockReceive"]
        assert payload["errors"][0]["code"] == code, extra
        assert payload["errors"][0]["field"] == ["input", field]
    assert await StockMovement.all().count() == 0


async def test_future_and_before_opening_times_are_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    base = {
        "shelter": gid(network.shelters[0]),
        "item": gid(rice),
        "quantity": 1,
        "donor": "Bakery",
    }
    tomorrow = (now() + timedelta(days=1)).isoformat()
    before_opening = (network.shelters[0].created_at - timedelta(days=1)).isoformat()

    future = (await gql.data(RECEIVE, {"input": {**base, "at": tomorrow}}))["stockReceive"]
    early = (await gql.data(RECEIVE, {"input": {**base, "at": before_opening}}))["stockReceive"]

    assert codes(future) == ["DATE_IN_FUTURE"]
    assert codes(early) == ["DATE_BEFORE_HISTORY"]
    assert await StockMovement.all().count() == 0


async def test_threshold_out_of_range_is_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    ids = {"shelter": gid(network.shelters[0]), "item": gid(rice)}

    for threshold in (-1, 100_001):
        payload = (await gql.data(THRESHOLD, {"input": {**ids, "threshold": threshold}}))[
            "stockThresholdSet"
        ]
        assert codes(payload) == ["INVALID_VALUE"]
    assert await StockLevel.all().count() == 0


# --- the database's own protections --------------------------------------------------------------


async def _statement_refused(statement: str, reason: str) -> None:
    """The statement fails, and the database names ``reason`` (a trigger's message or a
    constraint's name) as the cause."""
    connection = Tortoise.get_connection("default")
    with pytest.raises(Exception, match=reason):  # noqa: B017 (the driver's own exception types)
        await connection.execute_script(statement)


async def test_the_ledger_is_append_only(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    movement = await stocked(network.shelters[0], rice, 10)

    await _statement_refused(
        f"UPDATE stock_movement SET delta = 1000 WHERE id = {movement.id}", "append-only"
    )
    await _statement_refused(f"DELETE FROM stock_movement WHERE id = {movement.id}", "append-only")

    assert await ledger() == [(movement.level_id, MovementKind.RECEIPT, 10)]


async def test_the_database_refuses_stock_below_zero_and_movements_unlike_their_kind(
    gql: GraphQLClient,
) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    movement = await stocked(network.shelters[0], rice, 10)
    level = movement.level_id
    columns = "level_id, kind, delta, on_hand_after, received_through, at, recorded_at, donor, note"
    at = "'2026-01-01 00:00:00+00:00'"

    await _statement_refused(
        f"UPDATE stock_level SET on_hand = -1 WHERE id = {level}", "ck_stock_level_on_hand"
    )
    for kind, delta in (("receipt", -1), ("transfer_out", 1), ("adjustment", 0)):
        await _statement_refused(
            f"INSERT INTO stock_movement ({columns}) "
            f"VALUES ({level}, '{kind}', {delta}, 10, 10, {at}, {at}, '', '')",
            "ck_stock_movement_sign",
        )
    # a distribution with no resident, a write-off with no reason, a transfer in from nowhere
    for kind, check in (
        ("distribution", "ck_stock_movement_recipient"),
        ("write_off", "ck_stock_movement_write_off"),
        ("transfer_in", "ck_stock_movement_transfer"),
    ):
        delta = 1 if kind == "transfer_in" else -1
        await _statement_refused(
            f"INSERT INTO stock_movement ({columns}) "
            f"VALUES ({level}, '{kind}', {delta}, 9, 10, {at}, {at}, '', '')",
            check,
        )

    assert await on_hand(network.shelters[0], rice) == 10
    await assert_ledger_sums()


async def test_clothing_sizes_are_separate_items(gql: GraphQLClient) -> None:
    network = await build_network()
    medium = await new_item(
        "Winter jacket",
        category=ItemCategory.CLOTHING,
        unit=ItemUnit.PIECE,
        clothing_size="M",
        season=Season.WINTER,
    )
    large = await new_item(
        "Winter jacket",
        category=ItemCategory.CLOTHING,
        unit=ItemUnit.PIECE,
        clothing_size="L",
        season=Season.WINTER,
    )
    await stocked(network.shelters[0], medium, 2)
    resident = await resident_in(0, network)

    refused = (
        await gql.data(
            DISTRIBUTE,
            {
                "input": {
                    "shelter": gid(network.shelters[0]),
                    "item": gid(large),
                    "resident": gid(resident),
                    "quantity": 1,
                }
            },
        )
    )["stockDistribute"]

    assert refused["errors"][0]["message"] == "No Winter jacket (size L) on hand."


# --- idempotency ---------------------------------------------------------------------------------

KEYED_DISTRIBUTE = """
mutation ($input: StockDistributeInput!, $key: UUID) {
  stockDistribute(input: $input, idempotencyKey: $key) {
    movement { id onHandAfter } errors { code field }
  }
}"""

KEYED_TRANSFER = """
mutation ($input: StockTransferInput!, $key: UUID) {
  stockTransfer(input: $input, idempotencyKey: $key) {
    movement { id counterpart { id } } errors { code field }
  }
}"""


async def test_a_replayed_distribution_hands_out_once(gql: GraphQLClient) -> None:
    # given 10 packs and a resident; a tablet's queue sends one distribution five times, two of
    # them at once
    network = await build_network()
    resident = await resident_in(0, network)
    rice = await new_item("Rice")
    await stocked(network.shelters[0], rice, 10)
    variables = {
        "key": str(uuid.uuid4()),
        "input": {
            "shelter": gid(network.shelters[0]),
            "item": gid(rice),
            "resident": gid(resident),
            "quantity": 3,
        },
    }

    answers = [(await gql.data(KEYED_DISTRIBUTE, variables))["stockDistribute"] for _ in range(3)]
    answers += [
        result["stockDistribute"]
        for result in await asyncio.gather(*(gql.data(KEYED_DISTRIBUTE, variables) for _ in "ab"))
    ]
    reused = (
        await gql.data(
            KEYED_DISTRIBUTE,
            {**variables, "input": {**variables["input"], "quantity": 4}},
        )
    )["stockDistribute"]

    # then every answer is the first one, and 3 packs went out once
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0]["movement"]["onHandAfter"] == 7
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await on_hand(network.shelters[0], rice) == 7
    assert await StockMovement.filter(kind=MovementKind.DISTRIBUTION).count() == 1
    await assert_ledger_sums()


async def test_a_replayed_transfer_moves_stock_once(gql: GraphQLClient) -> None:
    network = await build_network()
    here, there = network.shelters
    rice = await new_item("Rice")
    await stocked(here, rice, 10)
    variables = {
        "key": str(uuid.uuid4()),
        "input": {
            "fromShelter": gid(here),
            "toShelter": gid(there),
            "item": gid(rice),
            "quantity": 4,
        },
    }

    first = (await gql.data(KEYED_TRANSFER, variables))["stockTransfer"]
    again = (await gql.data(KEYED_TRANSFER, variables))["stockTransfer"]

    assert first == again and first["movement"]["counterpart"] is not None
    assert (await on_hand(here, rice), await on_hand(there, rice)) == (6, 4)
    await assert_ledger_sums()
