"""Queries for the catalogue, stock on hand, low and expiring stock, and the ledger."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server.domain.clock import now
from server.domain.items import find_items
from server.domain.stock_lists import (
    MovementFilter,
    expiring_stock,
    find_movements,
    low_stock,
    stock_on_hand,
)
from server.schema.context import Info
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, decode_id, optional_id, page_size, paginate
from server.schema.stock.types import (
    Item,
    ItemCategory,
    StockLevel,
    StockMovement,
    StockMovementKind,
)


def _first(info: Info, first: int | None) -> int:
    settings = info.context.settings
    return page_size(first, default=settings.default_page_size, maximum=settings.max_page_size)


@strawberry.type
class StockQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="The item catalogue, by category and words of the name.",
    )
    async def items(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        category: ItemCategory | None = None,  # type: ignore[valid-type]
        search: str | None = None,
    ) -> Connection[Item]:
        return await paginate(
            find_items(info.context.viewer, category=category, search=search),
            Item.from_model,
            first=_first(info, first),
            after=after,
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description="A shelter's stock on hand of every item it has held (zero included).",
    )
    async def stock(
        self,
        info: Info,
        shelter: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        category: ItemCategory | None = None,  # type: ignore[valid-type]
    ) -> Connection[StockLevel]:
        shelter_id = decode_id(shelter, "Shelter", ["shelter"])
        return await paginate(
            stock_on_hand(info.context.viewer, shelter_id, category=category),
            StockLevel.from_model,
            first=_first(info, first),
            after=after,
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description="Items at or below their shelter's threshold, in one shelter or in every "
        "shelter you see.",
    )
    async def low_stock(
        self,
        info: Info,
        shelter: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StockLevel]:
        return await paginate(
            low_stock(info.context.viewer, optional_id(shelter, "Shelter", "shelter")),
            StockLevel.from_model,
            first=_first(info, first),
            after=after,
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description="Receipts of perishable food expiring within `withinDays` days of today "
        "(or already expired) of which some is still on hand, counting the oldest as used first.",
    )
    async def expiring_stock(
        self,
        info: Info,
        within_days: int = 7,
        shelter: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StockMovement]:
        query = await expiring_stock(
            info.context.viewer,
            today=now().astimezone(info.context.settings.zone).date(),
            within_days=within_days,
            shelter_id=optional_id(shelter, "Shelter", "shelter"),
        )
        return await paginate(
            query, StockMovement.from_model, first=_first(info, first), after=after
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description="The stock ledger of the shelters you see, oldest first; `since` "
        "inclusive, `until` exclusive.",
    )
    async def stock_movements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        shelter: strawberry.ID | None = None,
        item: strawberry.ID | None = None,
        kind: StockMovementKind | None = None,  # type: ignore[valid-type]
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Connection[StockMovement]:
        criteria = MovementFilter(
            shelter_id=optional_id(shelter, "Shelter", "shelter"),
            item_id=optional_id(item, "Item", "item"),
            kind=kind,
            since=since,
            until=until,
        )
        return await paginate(
            find_movements(info.context.viewer, criteria),
            StockMovement.from_model,
            first=_first(info, first),
            after=after,
        )
