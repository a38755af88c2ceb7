"""GraphQL types for items, stock levels and stock movements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry import relay

from server import models
from server.domain.access import may_read_recipient
from server.domain.stock_lists import still_on_hand
from server.schema.context import Info
from server.schema.permissions import forbidden_field
from server.schema.relay import (
    Connection,
    Edge,
    LoadedNode,
    PageInfo,
    _after_id,
    _cursor,
    page_size,
)
from server.schema.shelters.types import Shelter

if TYPE_CHECKING:
    from server.schema.residents.types import Resident

ItemCategory = strawberry.enum(models.ItemCategory)
ItemUnit = strawberry.enum(models.ItemUnit)
Season = strawberry.enum(models.Season)
StockMovementKind = strawberry.enum(models.MovementKind, name="StockMovementKind")
WriteOffReason = strawberry.enum(models.WriteOffReason)


@strawberry.type(
    description="A thing shelters stock and hand out, counted in whole units of `unit`."
)
class Item(LoadedNode, relay.Node):
    loader = "item_by_id"
    row: strawberry.Private[models.Item]
    id: relay.NodeID[int]
    name: str
    category: ItemCategory  # type: ignore[valid-type]
    unit: ItemUnit  # type: ignore[valid-type]
    clothing_size: str | None = strawberry.field(
        description="Clothing: the size on the label, or null for one size. Null otherwise."
    )
    season: Season | None = strawberry.field(description="Clothing only.")  # type: ignore[valid-type]
    perishable: bool = strawberry.field(description="Food whose receipts carry an expiry date.")

    @classmethod
    def from_model(cls, row: models.Item) -> Item:
        return cls(
            row=row,
            id=row.id,
            name=row.name,
            category=row.category,
            unit=row.unit,
            clothing_size=row.clothing_size or None,
            season=row.season,
            perishable=row.perishable,
        )


async def _item(info: Info, item_id: int) -> Item:
    row = await info.context.loaders.item_by_id.load(item_id)
    assert row is not None
    return Item.from_model(row)


async def _shelter(info: Info, shelter_id: int) -> Shelter:
    row = await info.context.loaders.shelter_by_id.load(shelter_id)
    assert row is not None  # the stock of a shelter is visible only with the shelter
    return Shelter.from_model(row)


@strawberry.type(description="What one shelter holds of one item now.")
class StockLevel(LoadedNode, relay.Node):
    loader = "stock_level_by_id"
    row: strawberry.Private[models.StockLevel]
    id: relay.NodeID[int]
    on_hand: int = strawberry.field(description="The sum of the item's ledger in this shelter.")
    threshold: int | None = strawberry.field(
        description="Low at or below this; null when none is set."
    )
    updated_at: datetime

    @classmethod
    def from_model(cls, row: models.StockLevel) -> StockLevel:
        return cls(
            row=row,
            id=row.id,
            on_hand=row.on_hand,
            threshold=row.threshold,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="At or below the threshold.")
    def low(self) -> bool:
        return self.row.threshold is not None and self.row.on_hand <= self.row.threshold

    @strawberry.field
    async def shelter(self, info: Info) -> Shelter:
        return await _shelter(info, self.row.shelter_id)

    @strawberry.field
    async def item(self, info: Info) -> Item:
        return await _item(info, self.row.item_id)


@strawberry.type(
    description="One change to a shelter's stock of one item. The ledger is never edited: a "
    "correction is a new movement. Who received a distribution is for the shelter's own staff: "
    "for network roles `resident` is null, with a FORBIDDEN error beside it."
)
class StockMovement(LoadedNode, relay.Node):
    loader = "stock_movement_by_id"
    row: strawberry.Private[models.StockMovement]
    id: relay.NodeID[int]
    kind: StockMovementKind  # type: ignore[valid-type]
    quantity: int = strawberry.field(description="How much moved, in the item's unit.")
    change: int = strawberry.field(description="The signed change to stock on hand.")
    on_hand_after: int = strawberry.field(
        description="Stock on hand right after; for a count, what was counted."
    )
    at: datetime = strawberry.field(description="When it happened.")
    recorded_at: datetime
    donor: str | None = strawberry.field(description="Receipts only.")
    expires_on: date | None = strawberry.field(description="Receipts of perishable food only.")
    write_off_reason: WriteOffReason | None  # type: ignore[valid-type]
    note: str

    @classmethod
    def from_model(cls, row: models.StockMovement) -> StockMovement:
        return cls(
            row=row,
            id=row.id,
            kind=row.kind,
            quantity=row.quantity,
            change=row.delta,
            on_hand_after=row.on_hand_after,
            at=row.at,
            recorded_at=row.recorded_at,
            donor=row.donor if row.kind is models.MovementKind.RECEIPT else None,
            expires_on=row.expires_on,
            write_off_reason=row.write_off_reason,
            note=row.note,
        )

    async def _level(self, info: Info) -> models.StockLevel:
        level = await info.context.loaders.stock_level_by_id.load(self.row.level_id)
        assert level is not None  # a movement is visible only with its level
        return level

    @strawberry.field
    async def level(self, info: Info) -> StockLevel:
        return StockLevel.from_model(await self._level(info))

    @strawberry.field
    async def shelter(self, info: Info) -> Shelter:
        return await _shelter(info, (await self._level(info)).shelter_id)

    @strawberry.field
    async def item(self, info: Info) -> Item:
        return await _item(info, (await self._level(info)).item_id)

    @strawberry.field(
        description="Distributions: who received it (shelter roles only). Null otherwise."
    )
    async def resident(
        self, info: Info
    ) -> Annotated[Resident, strawberry.lazy("server.schema.residents.types")] | None:
        from server.schema.residents.types import Resident

        if self.row.resident_id is None:
            return None
        if not may_read_recipient(info.context.viewer):
            raise forbidden_field("resident")
        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        return Resident.from_model(row) if row else None

    @strawberry.field(
        description="Transfers: the movement at the other end (out of or into the other "
        "shelter), if you see that shelter."
    )
    async def counterpart(self, info: Info) -> StockMovement | None:
        loaders = info.context.loaders
        if self.row.kind is models.MovementKind.TRANSFER_IN:
            assert self.row.transfer_of_id is not None
            row = await loaders.stock_movement_by_id.load(self.row.transfer_of_id)
        elif self.row.kind is models.MovementKind.TRANSFER_OUT:
            row = await loaders.transfer_in_by_out.load(self.row.id)
        else:
            return None
        return StockMovement.from_model(row) if row else None

    @strawberry.field(
        description="Receipts: how much of this one is still on hand, counting the oldest as "
        "used first. Null for other movements."
    )
    async def still_on_hand(self, info: Info) -> int | None:
        if self.row.kind is not models.MovementKind.RECEIPT:
            return None
        return still_on_hand(self.row, await self._level(info))


@dataclass(frozen=True)
class _Counted:
    """Stands in for the query behind a connection whose rows are all loaded already."""

    rows: int

    async def count(self) -> int:
        return self.rows


async def distributions_of(
    info: Info, resident_id: int, *, first: int | None, after: str | None
) -> Connection[StockMovement]:
    """One page of a resident's distributions, from the rows a per-request loader fetched for
    every resident of the response in one statement."""
    settings = info.context.settings
    size = page_size(first, default=settings.default_page_size, maximum=settings.max_page_size)
    start = _after_id(after)
    rows = await info.context.loaders.distributions_by_resident.load(resident_id)
    later = [row for row in rows if row.id > start]
    edges = [
        Edge(cursor=_cursor(row.id), node=StockMovement.from_model(row)) for row in later[:size]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(later) > size,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        query=cast(Any, _Counted(len(rows))),
    )
