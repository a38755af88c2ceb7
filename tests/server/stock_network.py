"""Items and stock for tests, made through the domain functions, and the ledger's invariants.

rice = await new_item("Rice", unit=ItemUnit.PACK)
await stocked(shelter, rice, 10)
await assert_ledger_sums()
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from server.domain.access import Viewer
from server.domain.clock import now
from server.domain.items import ItemSpec, create_item
from server.domain.stock import receive
from server.models import (
    Item,
    ItemCategory,
    ItemUnit,
    Season,
    Shelter,
    StockLevel,
    StockMovement,
)
from tests.server.network import staff

ADMIN = Viewer.operator("tests")


async def new_item(
    name: str = "Rice",
    *,
    category: ItemCategory = ItemCategory.FOOD,
    unit: ItemUnit = ItemUnit.PACK,
    perishable: bool = False,
    clothing_size: str = "",
    season: Season | None = None,
) -> Item:
    return await create_item(
        ADMIN,
        ItemSpec(
            name=name,
            category=category,
            unit=unit,
            perishable=perishable,
            clothing_size=clothing_size,
            season=season,
        ),
    )


def in_days(days: int) -> date:
    return now().date() + timedelta(days=days)


async def stocked(
    shelter: Shelter,
    item: Item,
    quantity: int,
    *,
    donor: str = "Red Crescent Almaty",
    expires_on: date | None = None,
) -> StockMovement:
    """A receipt of ``quantity`` into the shelter (an expiry in 30 days for perishable food)."""
    if item.perishable and expires_on is None:
        expires_on = in_days(30)
    return await receive(
        await staff(),
        shelter_id=shelter.id,
        item_id=item.id,
        quantity=quantity,
        donor=donor,
        expires_on=expires_on,
    )


async def on_hand(shelter: Shelter, item: Item) -> int:
    level = await StockLevel.filter(shelter_id=shelter.id, item_id=item.id).first()
    return 0 if level is None else level.on_hand


async def assert_ledger_sums() -> None:
    """Every level's on hand is the sum of its ledger, and each movement's ``on_hand_after``
    is the running sum of the ledger up to it: the books never went below zero."""
    running: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    for movement in await StockMovement.all().order_by("id"):
        level_id: int = movement.level_id
        running[level_id] += movement.delta
        received[level_id] += max(movement.delta, 0)
        assert movement.on_hand_after == running[level_id] >= 0, movement.id
        assert movement.received_through == received[level_id], movement.id
    for level in await StockLevel.all():
        assert level.on_hand == running[level.id], level.id
        assert level.received_total == received[level.id], level.id
