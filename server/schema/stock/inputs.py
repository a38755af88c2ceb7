"""Inputs for the catalogue and for stock movements. Quantities are whole numbers of the
item's unit, from 1 to 100,000; ``at`` back-dates a movement recorded late."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from server.domain.items import ItemChange, ItemSpec
from server.schema.stock.types import ItemCategory, ItemUnit, Season, WriteOffReason

AT_DOC = "When it happened, if not now. Never in the future."
QUANTITY_DOC = "In the item's unit: 1 to 100,000."


@strawberry.input
class ItemCreateInput:
    name: str
    category: ItemCategory  # type: ignore[valid-type]
    unit: ItemUnit  # type: ignore[valid-type]
    clothing_size: str = strawberry.field(
        default="", description="Clothing only: the size on the label; empty for one size."
    )
    season: Season | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Clothing only; all-season when not given."
    )
    perishable: bool = strawberry.field(
        default=False, description="Food only: its receipts then need an expiry date."
    )

    def to_spec(self) -> ItemSpec:
        return ItemSpec(
            name=self.name,
            category=self.category,
            unit=self.unit,
            clothing_size=self.clothing_size,
            season=self.season,
            perishable=self.perishable,
        )


@strawberry.input(description="What to change; a field left out stays as it is.")
class ItemUpdateInput:
    item: strawberry.ID
    name: str | None = None
    clothing_size: str | None = None
    season: Season | None = None  # type: ignore[valid-type]
    perishable: bool | None = None

    def to_change(self) -> ItemChange:
        return ItemChange(
            name=self.name,
            clothing_size=self.clothing_size,
            season=self.season,
            perishable=self.perishable,
        )


@strawberry.input
class StockReceiveInput:
    shelter: strawberry.ID
    item: strawberry.ID
    quantity: int = strawberry.field(description=QUANTITY_DOC)
    donor: str = strawberry.field(description="Who gave it.")
    expires_on: date | None = strawberry.field(
        default=None, description="Required for perishable food, refused for anything else."
    )
    note: str = ""
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)


@strawberry.input
class StockDistributeInput:
    shelter: strawberry.ID
    item: strawberry.ID
    resident: strawberry.ID = strawberry.field(description="Staying in the shelter now.")
    quantity: int = strawberry.field(description=QUANTITY_DOC)
    note: str = ""
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)


@strawberry.input
class StockTransferInput:
    from_shelter: strawberry.ID = strawberry.field(description="Where you work.")
    to_shelter: strawberry.ID = strawberry.field(description="Any other shelter.")
    item: strawberry.ID
    quantity: int = strawberry.field(description=QUANTITY_DOC)
    note: str = ""
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)


@strawberry.input
class StockCountInput:
    shelter: strawberry.ID
    item: strawberry.ID
    counted: int = strawberry.field(
        description="What is on the shelf now: 0 to 100,000. Compared with the stock on hand "
        "when the server records it."
    )
    note: str = ""


@strawberry.input
class StockWriteOffInput:
    shelter: strawberry.ID
    item: strawberry.ID
    quantity: int = strawberry.field(description=QUANTITY_DOC)
    reason: WriteOffReason  # type: ignore[valid-type]
    note: str = strawberry.field(default="", description="Required when the reason is OTHER.")
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)


@strawberry.input
class StockThresholdSetInput:
    shelter: strawberry.ID
    item: strawberry.ID
    threshold: int | None = strawberry.field(
        description="Low at or below this (0 to 100,000); null: never low."
    )
