"""Stock for the fuzzers in test_fuzz.py: rows to seed (items, levels, a receipt of each kind
of item, a distribution, a transfer, a write-off, a threshold), the dictionaries binding stock
arguments to them, and the variable cases of every stock operation.

    rows.update(await seed_stock(network.shelters, residents))
    bindings.update(STOCK_BINDINGS)
    cases = {**cases, **stock_variable_cases(seed, ids)}
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from server.domain.clock import now
from server.domain.stock import distribute, receive, set_threshold, transfer_stock, write_off
from server.models import (
    ItemCategory,
    ItemUnit,
    Resident,
    Season,
    Shelter,
    StockLevel,
    StockMovement,
    WriteOffReason,
)
from tests.server.network import staff
from tests.server.stock_network import new_item

if TYPE_CHECKING:
    from tests.server.test_fuzz import Seed

#: The stock types whose seeded IDs the fuzzers use.
STOCK_NODE_TYPES = ("Item", "StockLevel", "StockMovement")

#: Which dictionary (by type, see test_fuzz.fuzz_config) each stock argument draws from.
STOCK_BINDINGS = {
    "Query.items.after": "cursors",
    "Query.items.search": "words",
    "Query.stock.shelter": "shelter-ids",
    "Query.stock.after": "cursors",
    "Query.lowStock.shelter": "shelter-ids",
    "Query.expiringStock.shelter": "shelter-ids",
    "Query.stockMovements.shelter": "shelter-ids",
    "Query.stockMovements.item": "item-ids",
    "Query.stockMovements.after": "cursors",
    "Mutation.itemUpdate.input.item": "item-ids",
    **{
        f"Mutation.{operation}.input.{argument}": f"{kind}-ids"
        for operation in (
            "stockReceive",
            "stockDistribute",
            "stockCount",
            "stockWriteOff",
            "stockThresholdSet",
        )
        for argument, kind in (("shelter", "shelter"), ("item", "item"))
    },
    "Mutation.stockDistribute.input.resident": "resident-ids",
    "Mutation.stockTransfer.input.fromShelter": "shelter-ids",
    "Mutation.stockTransfer.input.toShelter": "shelter-ids",
    "Mutation.stockTransfer.input.item": "item-ids",
}


async def seed_stock(shelters: list[Shelter], residents: list[Resident]) -> dict[str, list[Any]]:
    """Stock in the first two shelters (where the fuzzers' shelter roles work): rice, bread
    expiring soon, winter boots and soap received; rice given to ``residents[0]`` (staying in
    the first shelter) and sent to the second; bread written off; rice low in the first."""
    hand = await staff()
    rice = await new_item("Rice")
    bread = await new_item("Bread", unit=ItemUnit.PIECE, perishable=True)
    boots = await new_item(
        "Winter boots",
        category=ItemCategory.CLOTHING,
        unit=ItemUnit.PAIR,
        clothing_size="42",
        season=Season.WINTER,
    )
    soap = await new_item("Soap", category=ItemCategory.HYGIENE, unit=ItemUnit.PIECE)
    first, second = shelters[0].id, shelters[1].id
    soon = (now() + timedelta(days=3)).date()
    for item, quantity in ((rice, 50), (bread, 20), (boots, 4), (soap, 30)):
        await receive(
            hand,
            shelter_id=first,
            item_id=item.id,
            quantity=quantity,
            donor="Red Crescent",
            expires_on=soon if item.perishable else None,
        )
    await distribute(
        hand, shelter_id=first, item_id=rice.id, resident_id=residents[0].id, quantity=2
    )
    await transfer_stock(
        hand, from_shelter_id=first, to_shelter_id=second, item_id=rice.id, quantity=5
    )
    await write_off(
        hand, shelter_id=first, item_id=bread.id, quantity=1, reason=WriteOffReason.EXPIRED
    )
    await set_threshold(hand, shelter_id=first, item_id=rice.id, threshold=100)
    return {
        "Item": [rice, bread, boots, soap],
        "StockLevel": await StockLevel.all(),
        "StockMovement": await StockMovement.all(),
    }


def stock_variable_cases(
    seed: Seed, ids: Callable[[str], st.SearchStrategy[Any]]
) -> dict[str, tuple[str, st.SearchStrategy[Any]]]:
    """Per stock operation, a document taking ``$v`` and the values to send in it."""
    from tests.server.test_fuzz import ANY_JSON, ANY_TEXT, instants, loose, mostly, text_or

    quantity = mostly(st.integers(1, 30), st.integers() | st.just(100_001) | st.just(0))
    at = st.none() | instants() | ANY_TEXT
    day = st.dates().map(lambda value: value.isoformat()) | st.none() | ANY_TEXT
    place = {"shelter": ids("Shelter"), "item": ids("Item")}
    categories = ["FOOD", "CLOTHING", "HYGIENE", "MEDICAL_SUPPLY", "OTHER"]
    seasons = ["SUMMER", "DEMI_SEASON", "WINTER", "ALL_SEASON"]
    kinds = ["RECEIPT", "DISTRIBUTION", "TRANSFER_OUT", "TRANSFER_IN", "ADJUSTMENT", "WRITE_OFF"]
    mutation = "mutation($v: {type}!) {{ {root}(input: $v) {{ {result} errors {{ code }} }} }}"
    movement = "movement { id kind onHandAfter counterpart { id } resident { code } }"

    def case(root: str, type_name: str, result: str, values: Any) -> tuple[str, Any]:
        return mutation.format(type=type_name, root=root, result=result), loose(values)

    return {
        "items": (
            "query($v: String) { items(search: $v) { totalCount edges { node { name } } } }",
            loose(text_or(*seed.words, "rice", "Winter")),
        ),
        "stock": (
            "query($v: ID!) { stock(shelter: $v) { totalCount edges { node { onHand low"
            " item { name } } } } }",
            loose(ids("Shelter")),
        ),
        "lowStock": (
            "query($v: ID) { lowStock(shelter: $v) { edges { node { onHand threshold } } } }",
            loose(st.none() | ids("Shelter")),
        ),
        "expiringStock": (
            "query($v: Int) { expiringStock(withinDays: $v) { edges { node { stillOnHand"
            " expiresOn } } } }",
            loose(mostly(st.integers(0, 30), st.integers())),
        ),
        "stockMovements": (
            "query($v: DateTime) { stockMovements(since: $v) { totalCount edges { node { kind"
            " resident { code } } } } }",
            loose(st.none() | instants()),
        ),
        "stockMovements.kind": (
            "query($v: StockMovementKind) { stockMovements(kind: $v) { totalCount } }",
            loose(st.sampled_from(kinds)),
        ),
        "itemCreate": case(
            "itemCreate",
            "ItemCreateInput",
            "item { id name season }",
            st.fixed_dictionaries(
                {
                    "name": text_or("Flour", "Rice", " Tea "),
                    "category": st.sampled_from(categories),
                    "unit": st.sampled_from(["KG", "PACK", "PAIR", "LITRE"]),
                },
                optional={
                    "clothingSize": text_or("M", "42", ""),
                    "season": st.none() | st.sampled_from(seasons),
                    "perishable": st.booleans(),
                },
            ),
        ),
        "itemUpdate": case(
            "itemUpdate",
            "ItemUpdateInput",
            "item { id name }",
            st.fixed_dictionaries(
                {"item": ids("Item")},
                optional={
                    "name": st.none() | text_or("Rice", "Brown rice"),
                    "clothingSize": st.none() | text_or("L"),
                    "season": st.none() | st.sampled_from(seasons),
                    "perishable": st.none() | st.booleans(),
                },
            ),
        ),
        "stockReceive": case(
            "stockReceive",
            "StockReceiveInput",
            movement,
            st.fixed_dictionaries(
                {**place, "quantity": quantity, "donor": text_or("Red Crescent", "")},
                optional={"expiresOn": day, "note": text_or("Monthly"), "at": at},
            ),
        ),
        "stockDistribute": case(
            "stockDistribute",
            "StockDistributeInput",
            movement,
            st.fixed_dictionaries(
                {**place, "resident": ids("Resident"), "quantity": quantity},
                optional={"note": text_or("For the baby"), "at": at},
            ),
        ),
        "stockTransfer": case(
            "stockTransfer",
            "StockTransferInput",
            movement,
            st.fixed_dictionaries(
                {
                    "fromShelter": ids("Shelter"),
                    "toShelter": ids("Shelter"),
                    "item": ids("Item"),
                    "quantity": quantity,
                },
                optional={"note": text_or("Winter drive"), "at": at},
            ),
        ),
        "stockCount": case(
            "stockCount",
            "StockCountInput",
            movement,
            st.fixed_dictionaries(
                {**place, "counted": mostly(st.integers(0, 60), st.integers())},
                optional={"note": text_or("Monday count")},
            ),
        ),
        "stockWriteOff": case(
            "stockWriteOff",
            "StockWriteOffInput",
            movement,
            st.fixed_dictionaries(
                {
                    **place,
                    "quantity": quantity,
                    "reason": mostly(st.sampled_from(["EXPIRED", "DAMAGED", "OTHER"]), ANY_JSON),
                },
                optional={"note": text_or("Mouldy"), "at": at},
            ),
        ),
        "stockThresholdSet": case(
            "stockThresholdSet",
            "StockThresholdSetInput",
            "level { threshold low }",
            st.fixed_dictionaries(
                {**place, "threshold": st.none() | mostly(st.integers(0, 50), st.integers())}
            ),
        ),
    }
