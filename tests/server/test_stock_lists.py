"""Reading stock through the API: on hand per item, low stock, food expiring soon (first in,
first out), the ledger with its filters, each resident's distributions, and the SQL each costs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.domain.clock import now
from server.domain.stays import check_in
from server.domain.stock import count_stock, distribute, set_threshold, transfer_stock, write_off
from server.models import ItemCategory, ItemUnit, Role, WriteOffReason
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, QueryCounter, empty_tables, sign_in
from tests.server.network import build_network, new_resident, staff
from tests.server.stock_network import assert_ledger_sums, in_days, new_item, stocked

STOCK = """
query ($shelter: ID!, $category: ItemCategory) {
  stock(shelter: $shelter, category: $category, first: 100) {
    totalCount edges { node { item { name } onHand threshold low shelter { name } } }
  }
}"""

LOW_STOCK = """
query ($shelter: ID) {
  lowStock(shelter: $shelter, first: 100) {
    totalCount edges { node { item { name } onHand threshold shelter { name } } }
  }
}"""

EXPIRING = """
query ($days: Int, $shelter: ID) {
  expiringStock(withinDays: $days, shelter: $shelter, first: 100) {
    totalCount edges { node { item { name } quantity expiresOn stillOnHand shelter { name } } }
  }
}"""

MOVEMENTS = """
query ($shelter: ID, $item: ID, $kind: StockMovementKind, $since: DateTime, $until: DateTime,
       $first: Int, $after: String) {
  stockMovements(shelter: $shelter, item: $item, kind: $kind, since: $since, until: $until,
                 first: $first, after: $after) {
    totalCount
    edges { node { kind change item { name } shelter { name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

DISTRIBUTIONS = """
query ($id: ID!, $first: Int, $after: String) {
  resident(id: $id) {
    code
    distributions(first: $first, after: $after) {
      totalCount
      edges { node { quantity item { name } resident { code } } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}"""


def names(connection: dict[str, Any], *path: str) -> list[Any]:
    """Each node's value at ``path`` (``item``, ``name``), after checking totalCount."""
    assert connection["totalCount"] == len(connection["edges"]), connection
    values = []
    for edge in connection["edges"]:
        value = edge["node"]
        for key in path:
            value = value[key]
        values.append(value)
    return values


async def test_stock_shows_each_item_on_hand_in_one_shelter(gql: GraphQLClient) -> None:
    # given rice and soap in shelter 0, rice in shelter 1, and soap all handed out
    network = await build_network()
    here, there = network.shelters
    rice = await new_item("Rice")
    soap = await new_item("Soap", category=ItemCategory.HYGIENE, unit=ItemUnit.PIECE)
    await stocked(here, rice, 10)
    await stocked(here, soap, 4)
    await stocked(there, rice, 99)
    await count_stock(await staff(), shelter_id=here.id, item_id=soap.id, counted=0)
    await set_threshold(await staff(), shelter_id=here.id, item_id=rice.id, threshold=10)

    everything = (await gql.data(STOCK, {"shelter": encode_id("Shelter", here.id)}))["stock"]
    hygiene = (
        await gql.data(STOCK, {"shelter": encode_id("Shelter", here.id), "category": "HYGIENE"})
    )["stock"]

    assert [edge["node"] for edge in everything["edges"]] == [
        {
            "item": {"name": "Rice"},
            "onHand": 10,
            "threshold": 10,
            "low": True,
            "shelter": {"name": here.name},
        },
        {
            "item": {"name": "Soap"},
            "onHand": 0,
            "threshold": None,
            "low": False,
            "shelter": {"name": here.name},
        },
    ]
    assert names(hygiene, "item", "name") == ["Soap"]


async def test_stock_of_a_shelter_you_do_not_work_in_is_empty(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    await stocked(network.shelters[1], rice, 10)
    person = gql.as_token(await sign_in(Role.SHELTER_STAFF, network.shelters[:1]))

    theirs = await person.data(STOCK, {"shelter": encode_id("Shelter", network.shelters[1].id)})
    unknown = await person.data(STOCK, {"shelter": encode_id("Shelter", 999_999)})

    assert theirs["stock"] == {"totalCount": 0, "edges": []}
    assert unknown["stock"] == {"totalCount": 0, "edges": []}


async def test_low_stock_lists_items_at_or_below_their_threshold(gql: GraphQLClient) -> None:
    # given thresholds: rice 10 with 10 (low), flour 5 with 6 (not), oil 3 with none (low),
    # soap with no threshold, and rice 10 with 2 in shelter 1 (low)
    network = await build_network()
    here, there = network.shelters
    rice, flour = await new_item("Rice"), await new_item("Flour")
    oil = await new_item("Oil", unit=ItemUnit.BOTTLE)
    soap = await new_item("Soap", category=ItemCategory.HYGIENE)
    hand = await staff()
    await stocked(here, rice, 10)
    await stocked(here, flour, 6)
    await stocked(here, soap, 1)
    await stocked(there, rice, 2)
    for shelter, item, threshold in ((here, rice, 10), (here, flour, 5), (here, oil, 3)):
        await set_threshold(hand, shelter_id=shelter.id, item_id=item.id, threshold=threshold)
    await set_threshold(hand, shelter_id=there.id, item_id=rice.id, threshold=10)

    everywhere = (await gql.data(LOW_STOCK))["lowStock"]
    there_only = (await gql.data(LOW_STOCK, {"shelter": encode_id("Shelter", there.id)}))[
        "lowStock"
    ]

    assert [
        (node["shelter"]["name"], node["item"]["name"], node["onHand"], node["threshold"])
        for node in names(everywhere)
    ] == [
        (here.name, "Rice", 10, 10),
        (there.name, "Rice", 2, 10),
        (here.name, "Oil", 0, 3),
    ]
    assert names(there_only, "item", "name") == ["Rice"]


async def test_expiring_stock_counts_the_oldest_as_used_first(gql: GraphQLClient) -> None:
    # given two receipts of bread: 10 expiring in 2 days, then 10 expiring in 20 days
    network = await build_network()
    here = network.shelters[0]
    bread = await new_item("Bread", unit=ItemUnit.PIECE, perishable=True)
    await stocked(here, bread, 10, expires_on=in_days(2))
    await stocked(here, bread, 10, expires_on=in_days(20))
    resident = await new_resident(shelter=here)
    await check_in(await staff(), resident.id, network.beds_of(here)[0].id)

    async def expiring(days: int) -> list[tuple[str, int, int]]:
        result = (await gql.data(EXPIRING, {"days": days}))["expiringStock"]
        return [
            (node["expiresOn"], node["quantity"], node["stillOnHand"]) for node in names(result)
        ]

    # then before anything is handed out, the first receipt expires within a week
    assert await expiring(7) == [(in_days(2).isoformat(), 10, 10)]
    assert await expiring(30) == [
        (in_days(2).isoformat(), 10, 10),
        (in_days(20).isoformat(), 10, 10),
    ]

    # when 6 are handed out: they came from the first receipt, 4 of it are left
    await distribute(
        await staff(), shelter_id=here.id, item_id=bread.id, resident_id=resident.id, quantity=6
    )
    assert await expiring(7) == [(in_days(2).isoformat(), 10, 4)]
    assert await expiring(1) == []

    # when 5 more go: the first receipt is gone, and nothing expires within a week
    await write_off(
        await staff(),
        shelter_id=here.id,
        item_id=bread.id,
        quantity=5,
        reason=WriteOffReason.DAMAGED,
    )
    assert await expiring(7) == []
    assert await expiring(30) == [(in_days(20).isoformat(), 10, 9)]


async def test_expiring_stock_includes_food_already_expired_and_skips_what_does_not_expire(
    gql: GraphQLClient,
) -> None:
    network = await build_network()
    here, there = network.shelters
    milk = await new_item("Milk", unit=ItemUnit.LITRE, perishable=True)
    rice = await new_item("Rice")
    await stocked(here, milk, 3, expires_on=in_days(-1))
    await stocked(there, milk, 2, expires_on=in_days(3))
    await stocked(here, rice, 50)
    person = gql.as_token(await sign_in(Role.SHELTER_STAFF, [here]))

    everything = (await gql.data(EXPIRING, {}))["expiringStock"]
    mine = (await person.data(EXPIRING, {}))["expiringStock"]
    there_only = (await gql.data(EXPIRING, {"shelter": encode_id("Shelter", there.id)}))[
        "expiringStock"
    ]
    refused = await gql.post(EXPIRING, {"days": -1})

    assert names(everything, "shelter", "name") == [here.name, there.name]
    assert names(mine, "expiresOn") == [in_days(-1).isoformat()]
    assert names(there_only, "quantity") == [2]
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_VALUE"


async def test_the_ledger_is_filtered_by_shelter_item_kind_and_time(gql: GraphQLClient) -> None:
    # given receipts, a transfer and a write-off of rice and soap across two shelters
    network = await build_network()
    here, there = network.shelters
    rice = await new_item("Rice")
    soap = await new_item("Soap", category=ItemCategory.HYGIENE)
    await stocked(here, rice, 10)
    await stocked(here, soap, 10)
    await transfer_stock(
        await staff(), from_shelter_id=here.id, to_shelter_id=there.id, item_id=rice.id, quantity=3
    )
    await write_off(
        await staff(),
        shelter_id=there.id,
        item_id=rice.id,
        quantity=1,
        reason=WriteOffReason.EXPIRED,
    )

    async def ledger(**variables: Any) -> list[tuple[str, int, str, str]]:
        connection = (await gql.data(MOVEMENTS, variables))["stockMovements"]
        return [
            (node["kind"], node["change"], node["item"]["name"], node["shelter"]["name"])
            for node in names(connection)
        ]

    here_id, there_id = encode_id("Shelter", here.id), encode_id("Shelter", there.id)
    assert await ledger() == [
        ("RECEIPT", 10, "Rice", here.name),
        ("RECEIPT", 10, "Soap", here.name),
        ("TRANSFER_OUT", -3, "Rice", here.name),
        ("TRANSFER_IN", 3, "Rice", there.name),
        ("WRITE_OFF", -1, "Rice", there.name),
    ]
    assert await ledger(shelter=there_id) == [
        ("TRANSFER_IN", 3, "Rice", there.name),
        ("WRITE_OFF", -1, "Rice", there.name),
    ]
    assert [row[1] for row in await ledger(shelter=here_id, item=encode_id("Item", rice.id))] == [
        10,
        -3,
    ]
    assert len(await ledger(kind="RECEIPT")) == 2
    future = (now() + timedelta(minutes=10)).isoformat()
    past = (now() - timedelta(minutes=10)).isoformat()
    assert len(await ledger(since=past, until=future)) == 5
    assert await ledger(since=future) == []
    assert await ledger(until=past) == []
    naive = await gql.post(MOVEMENTS, {"since": "2026-01-01T00:00:00"})
    assert naive["errors"][0]["extensions"]["code"] == "INVALID_VALUE"
    await assert_ledger_sums()


async def test_the_ledger_pages(gql: GraphQLClient) -> None:
    network = await build_network()
    rice = await new_item("Rice")
    for quantity in range(1, 6):
        await stocked(network.shelters[0], rice, quantity)

    first = (await gql.data(MOVEMENTS, {"first": 2}))["stockMovements"]
    second = (await gql.data(MOVEMENTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}))[
        "stockMovements"
    ]

    assert [edge["node"]["change"] for edge in first["edges"]] == [1, 2]
    assert [edge["node"]["change"] for edge in second["edges"]] == [3, 4]
    assert first["totalCount"] == 5 and second["pageInfo"]["hasNextPage"] is True


async def test_a_residents_distributions_page_through_a_loader(gql: GraphQLClient) -> None:
    # given a resident who received five things, and another who received one
    network = await build_network()
    here = network.shelters[0]
    rice = await new_item("Rice")
    await stocked(here, rice, 100)
    first, other = await new_resident(shelter=here), await new_resident("Gulnora", shelter=here)
    beds = network.beds_of(here)
    for bed, resident in zip(beds, (first, other), strict=False):
        await check_in(await staff(), resident.id, bed.id)
    for quantity in (1, 2, 3, 4, 5):
        await distribute(
            await staff(),
            shelter_id=here.id,
            item_id=rice.id,
            resident_id=first.id,
            quantity=quantity,
        )
    await distribute(
        await staff(), shelter_id=here.id, item_id=rice.id, resident_id=other.id, quantity=9
    )

    page = (await gql.data(DISTRIBUTIONS, {"id": encode_id("Resident", first.id), "first": 3}))[
        "resident"
    ]["distributions"]
    rest = (
        await gql.data(
            DISTRIBUTIONS,
            {
                "id": encode_id("Resident", first.id),
                "first": 3,
                "after": page["pageInfo"]["endCursor"],
            },
        )
    )["resident"]["distributions"]

    assert page["totalCount"] == 5
    assert [edge["node"]["quantity"] for edge in page["edges"]] == [1, 2, 3]
    assert page["pageInfo"] | {"endCursor": None} == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "endCursor": None,
    }
    assert [edge["node"]["quantity"] for edge in rest["edges"]] == [4, 5]
    assert rest["pageInfo"]["hasNextPage"] is False and rest["pageInfo"]["hasPreviousPage"]
    assert {edge["node"]["resident"]["code"] for edge in page["edges"]} == {first.code}


# --- query counts --------------------------------------------------------------------------------

STOCK_GRID = """
query ($shelter: ID!) {
  stock(shelter: $shelter, first: 100) {
    totalCount edges { node { onHand threshold low item { name unit category } shelter { name } } }
  }
}"""

LOW_GRID = """
{ lowStock(first: 100) {
    totalCount edges { node { onHand threshold item { name } shelter { name region { name } } } }
} }"""

EXPIRING_GRID = """
{ expiringStock(withinDays: 30, first: 100) {
    totalCount edges { node { expiresOn stillOnHand item { name } shelter { name } } }
} }"""

LEDGER_GRID = """
{ stockMovements(first: 100) {
    totalCount
    edges { node { kind quantity onHandAfter item { name } shelter { name }
      level { onHand } resident { code currentStay { bed { label } } }
      counterpart { kind shelter { name } } stillOnHand } }
} }"""

DISTRIBUTION_GRID = """
{ residents(first: 100) {
    edges { node { code distributions(first: 100) {
      totalCount edges { node { quantity item { name } shelter { name } } } } } }
} }"""


async def _stock_world(shelters: int) -> str:
    """Per shelter: two residents, three items received, given out, sent on, written off,
    with thresholds. Returns the first shelter's ID."""
    network = await build_network(shelters=shelters, regions=min(shelters, 8))
    hand = await staff()
    items = [
        await new_item("Bread", unit=ItemUnit.PIECE, perishable=True),
        await new_item("Rice"),
        await new_item("Diapers", category=ItemCategory.HYGIENE),
    ]
    for index, shelter in enumerate(network.shelters):
        residents = []
        for bed in network.beds_of(shelter)[:2]:
            resident = await new_resident(shelter=shelter)
            await check_in(hand, resident.id, bed.id)
            residents.append(resident)
        for item in items:
            await stocked(shelter, item, 20, expires_on=in_days(5) if item.perishable else None)
            await set_threshold(hand, shelter_id=shelter.id, item_id=item.id, threshold=30)
            for resident in residents:
                await distribute(
                    hand,
                    shelter_id=shelter.id,
                    item_id=item.id,
                    resident_id=resident.id,
                    quantity=1,
                )
        nxt = network.shelters[(index + 1) % len(network.shelters)]
        await transfer_stock(
            hand, from_shelter_id=shelter.id, to_shelter_id=nxt.id, item_id=items[1].id, quantity=2
        )
    return encode_id("Shelter", network.shelters[0].id)


async def _counts(gql: GraphQLClient, shelters: int) -> dict[str, int]:
    shelter = await _stock_world(shelters)
    documents = {
        "stock": (STOCK_GRID, {"shelter": shelter}),
        "low stock": (LOW_GRID, {}),
        "expiring": (EXPIRING_GRID, {}),
        "ledger": (LEDGER_GRID, {}),
        "distributions": (DISTRIBUTION_GRID, {}),
    }
    counts = {}
    for name, (document, variables) in documents.items():
        with QueryCounter() as counter:
            result = await gql.data(document, variables)
        assert result, name
        counts[name] = counter.count
    return counts


async def test_query_counts_do_not_grow_with_the_stock(gql: GraphQLClient) -> None:
    # given a small network with stock, then (tables emptied) one five times larger
    small = await _counts(gql, 2)
    await empty_tables()
    gql.forget()
    large = await _counts(gql, 10)

    # then every list costs the same number of statements
    assert small == large, (small, large)
    assert all(count > 0 for count in small.values()), small
