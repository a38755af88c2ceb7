"""Mutations on the catalogue (administrators) and on stock (shelter staff)."""

from __future__ import annotations

import strawberry

from server.domain import items, stock
from server.models import Item as ItemRow
from server.models import StockLevel as StockLevelRow
from server.models import StockMovement as StockMovementRow
from server.schema.context import Info
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id
from server.schema.stock.inputs import (
    ItemCreateInput,
    ItemUpdateInput,
    StockCountInput,
    StockDistributeInput,
    StockReceiveInput,
    StockThresholdSetInput,
    StockTransferInput,
    StockWriteOffInput,
)
from server.schema.stock.types import Item, StockLevel, StockMovement


@strawberry.type
class ItemCreatePayload:
    item: Item | None
    errors: list[UserError]


@strawberry.type
class ItemUpdatePayload:
    item: Item | None
    errors: list[UserError]


@strawberry.type
class StockReceivePayload:
    movement: StockMovement | None
    errors: list[UserError]


@strawberry.type
class StockDistributePayload:
    movement: StockMovement | None
    errors: list[UserError]


@strawberry.type
class StockTransferPayload:
    movement: StockMovement | None = strawberry.field(
        description="The movement out; its counterpart is the movement into the other shelter."
    )
    errors: list[UserError]


@strawberry.type
class StockCountPayload:
    movement: StockMovement | None = strawberry.field(
        description="The adjustment by the difference between the count and the books."
    )
    errors: list[UserError]


@strawberry.type
class StockWriteOffPayload:
    movement: StockMovement | None
    errors: list[UserError]


@strawberry.type
class StockThresholdSetPayload:
    level: StockLevel | None
    errors: list[UserError]


def _movement(row: StockMovementRow | None) -> StockMovement | None:
    return StockMovement.from_model(row) if row else None


def _ids(shelter: strawberry.ID, item: strawberry.ID) -> dict[str, int]:
    return {
        "shelter_id": decode_id(shelter, "Shelter", ["shelter"]),
        "item_id": decode_id(item, "Item", ["item"]),
    }


@strawberry.type
class StockMutations:
    @strawberry.mutation(description="Add an item to the catalogue (administrators).")
    async def item_create(
        self,
        info: Info,
        input: ItemCreateInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> ItemCreatePayload:
        async def run() -> ItemRow:
            return await items.create_item(info.context.viewer, input.to_spec())

        row, errors = await attempt_once(info, idempotency_key, "itemCreate", input, ItemRow, run)
        return ItemCreatePayload(item=Item.from_model(row) if row else None, errors=errors)

    @strawberry.mutation(
        description="Rename an item or change its size, season or perishability "
        "(administrators). Category and unit stay: the ledger was counted in them."
    )
    async def item_update(
        self,
        info: Info,
        input: ItemUpdateInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> ItemUpdatePayload:
        async def run() -> ItemRow:
            item_id = decode_id(input.item, "Item", ["item"])
            return await items.update_item(info.context.viewer, item_id, input.to_change())

        row, errors = await attempt_once(info, idempotency_key, "itemUpdate", input, ItemRow, run)
        return ItemUpdatePayload(item=Item.from_model(row) if row else None, errors=errors)

    @strawberry.mutation(description="Take a donation into a shelter's stock.")
    async def stock_receive(
        self,
        info: Info,
        input: StockReceiveInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> StockReceivePayload:
        async def run() -> StockMovementRow:
            return await stock.receive(
                info.context.viewer,
                **_ids(input.shelter, input.item),
                quantity=input.quantity,
                donor=input.donor,
                expires_on=input.expires_on,
                at=input.at,
                note=input.note,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "stockReceive", input, StockMovementRow, run
        )
        return StockReceivePayload(movement=_movement(row), errors=errors)

    @strawberry.mutation(description="Hand something out to a resident staying in the shelter.")
    async def stock_distribute(
        self,
        info: Info,
        input: StockDistributeInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> StockDistributePayload:
        async def run() -> StockMovementRow:
            return await stock.distribute(
                info.context.viewer,
                **_ids(input.shelter, input.item),
                resident_id=decode_id(input.resident, "Resident", ["resident"]),
                quantity=input.quantity,
                at=input.at,
                note=input.note,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "stockDistribute", input, StockMovementRow, run
        )
        return StockDistributePayload(movement=_movement(row), errors=errors)

    @strawberry.mutation(description="Send stock from your shelter to another one.")
    async def stock_transfer(
        self,
        info: Info,
        input: StockTransferInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> StockTransferPayload:
        async def run() -> StockMovementRow:
            return await stock.transfer_stock(
                info.context.viewer,
                from_shelter_id=decode_id(input.from_shelter, "Shelter", ["fromShelter"]),
                to_shelter_id=decode_id(input.to_shelter, "Shelter", ["toShelter"]),
                item_id=decode_id(input.item, "Item", ["item"]),
                quantity=input.quantity,
                at=input.at,
                note=input.note,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "stockTransfer", input, StockMovementRow, run
        )
        return StockTransferPayload(movement=_movement(row), errors=errors)

    @strawberry.mutation(
        description="Record a count; the books are adjusted by the difference. A count that "
        "matches the books is refused with STOCK_COUNT_UNCHANGED."
    )
    async def stock_count(
        self,
        info: Info,
        input: StockCountInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> StockCountPayload:
        async def run() -> StockMovementRow:
            return await stock.count_stock(
                info.context.viewer,
                **_ids(input.shelter, input.item),
                counted=input.counted,
                note=input.note,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "stockCount", input, StockMovementRow, run
        )
        return StockCountPayload(movement=_movement(row), errors=errors)

    @strawberry.mutation(description="Write off expired, damaged or lost stock, saying why.")
    async def stock_write_off(
        self,
        info: Info,
        input: StockWriteOffInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> StockWriteOffPayload:
        async def run() -> StockMovementRow:
            return await stock.write_off(
                info.context.viewer,
                **_ids(input.shelter, input.item),
                quantity=input.quantity,
                reason=input.reason,
                note=input.note,
                at=input.at,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "stockWriteOff", input, StockMovementRow, run
        )
        return StockWriteOffPayload(movement=_movement(row), errors=errors)

    @strawberry.mutation(
        description="Set when an item counts as low in a shelter (its staff or administrators)."
    )
    async def stock_threshold_set(
        self,
        info: Info,
        input: StockThresholdSetInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> StockThresholdSetPayload:
        async def run() -> StockLevelRow:
            return await stock.set_threshold(
                info.context.viewer,
                **_ids(input.shelter, input.item),
                threshold=input.threshold,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "stockThresholdSet", input, StockLevelRow, run
        )
        return StockThresholdSetPayload(
            level=StockLevel.from_model(row) if row else None, errors=errors
        )
