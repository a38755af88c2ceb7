"""The ledger's one door: find what a movement names, lock the shelter's level of the item,
append the movement and bring the level along, in the caller's transaction.

    async with in_transaction() as connection:
        level = await lock_level(shelter.id, item.id, connection, create=True)
        movement = await post(viewer, level, item, MovementKind.RECEIPT, 20, when, connection)

Everything that changes stock goes through ``post`` with the level locked (``SELECT ... FOR
UPDATE``): movements of one item in one shelter queue on that row, each sees the balance the
previous one left, and the balance is written in the same transaction as the ledger row that
changes it. The database's CHECK (on_hand >= 0) refuses whatever might slip past.
"""

from __future__ import annotations

from datetime import date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from server.domain.access import Viewer, stock_scope
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode
from server.domain.events import StockLow, publish
from server.domain.items import label
from server.models import (
    Item,
    ItemUnit,
    MovementKind,
    Shelter,
    StockLevel,
    StockMovement,
    WriteOffReason,
)

#: More than this in one movement is a typing mistake (an extra zero or two), not a delivery.
MAX_QUANTITY = 100_000
#: No shelter holds more than this of one item; it also keeps every figure a GraphQL Int.
MAX_ON_HAND = 1_000_000_000

_PLURAL = {ItemUnit.KG: "kg", ItemUnit.BOX: "boxes"}


def amount(quantity: int, item: Item) -> str:
    """``3 packs of Rice``, ``1 kg of Flour``, ``2 pairs of Winter boots (size 42)``."""
    unit = item.unit.value if quantity == 1 else _PLURAL.get(item.unit, f"{item.unit.value}s")
    return f"{quantity} {unit} of {label(item)}"


def require_quantity(value: int, field: list[str], *, zero: bool = False) -> int:
    """A whole number of the item's unit: 1 to MAX_QUANTITY (0 too where ``zero``)."""
    lowest = 0 if zero else 1
    if not lowest <= value <= MAX_QUANTITY:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            field,
            f"{field[-1]} must be a whole number from {lowest} to {MAX_QUANTITY:,}.",
        )
    return value


async def visible_shelter(
    viewer: Viewer, shelter_id: int, connection: BaseDBAsyncClient, field: list[str]
) -> Shelter:
    """A shelter whose stock the viewer sees; one they do not is not found."""
    shelter = (
        await Shelter.filter(stock_scope(viewer, "id"), id=shelter_id).using_db(connection).first()
    )
    if shelter is None:
        raise DomainError(ErrorCode.NOT_FOUND, field, "No such shelter.")
    return shelter


async def find_item(item_id: int, connection: BaseDBAsyncClient) -> Item:
    item = await Item.filter(id=item_id).using_db(connection).first()
    if item is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["item"], "No such item.")
    return item


def not_before_opening(when: datetime, shelter: Shelter) -> None:
    if when < shelter.created_at:
        raise DomainError(
            ErrorCode.DATE_BEFORE_HISTORY, ["at"], f"The time is before {shelter.name} opened."
        )


async def lock_level(
    shelter_id: int, item_id: int, connection: BaseDBAsyncClient, *, create: bool
) -> StockLevel | None:
    """The shelter's level of the item, its row locked until the transaction ends. With
    ``create`` a missing level is made first (at zero): an insert that two transactions may
    race to, so a conflict is ignored and both then lock the one row."""
    if create:
        await StockLevel.bulk_create(
            [StockLevel(shelter_id=shelter_id, item_id=item_id, updated_at=now())],
            ignore_conflicts=True,
            using_db=connection,
        )
    return (
        await StockLevel.filter(shelter_id=shelter_id, item_id=item_id)
        .using_db(connection)
        .select_for_update()
        .first()
    )


def nothing_of(item: Item) -> DomainError:
    return DomainError(ErrorCode.INSUFFICIENT_STOCK, ["quantity"], f"No {label(item)} on hand.")


async def post(
    viewer: Viewer,
    level: StockLevel,
    item: Item,
    kind: MovementKind,
    delta: int,
    at: datetime,
    connection: BaseDBAsyncClient,
    *,
    resident_id: int | None = None,
    donor: str = "",
    expires_on: date | None = None,
    transfer_of_id: int | None = None,
    write_off_reason: WriteOffReason | None = None,
    note: str = "",
) -> StockMovement:
    """Append one movement to the ledger and bring the (locked) level along with it."""
    on_hand = level.on_hand + delta
    if on_hand < 0:
        if level.on_hand == 0:
            raise nothing_of(item)
        raise DomainError(
            ErrorCode.INSUFFICIENT_STOCK,
            ["quantity"],
            f"Only {amount(level.on_hand, item)} on hand.",
        )
    if on_hand > MAX_ON_HAND:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["quantity"],
            f"That would make more than {MAX_ON_HAND:,} on hand.",
        )
    received = level.received_total + max(delta, 0)
    movement = await StockMovement.create(
        level_id=level.id,
        kind=kind,
        delta=delta,
        on_hand_after=on_hand,
        received_through=received,
        at=at,
        recorded_by_id=viewer.user_id,
        resident_id=resident_id,
        donor=donor,
        expires_on=expires_on,
        transfer_of_id=transfer_of_id,
        write_off_reason=write_off_reason,
        note=note,
        using_db=connection,
    )
    level.on_hand, level.received_total, level.updated_at = on_hand, received, now()
    await level.save(using_db=connection, update_fields=["on_hand", "received_total", "updated_at"])
    return movement


async def audit_movement(
    viewer: Viewer,
    action: str,
    movement: StockMovement,
    item: Item,
    connection: BaseDBAsyncClient,
    *,
    detail: str = "",
) -> None:
    text = f"{movement.delta:+d} {item.unit.value} item {item.id}" + (
        f", {detail}" if detail else ""
    )
    await record(
        viewer,
        action,
        "StockMovement",
        movement.id,
        resident_id=movement.resident_id,
        detail=text,
        connection=connection,
    )


async def announce_if_low(movement: StockMovement) -> None:
    """Tell who watches the shelter's stock (the ``stockLow`` subscription) when a movement,
    now committed, took an item down to its threshold or below. Once per crossing, not for
    every hand-out while it stays low."""
    if movement.delta >= 0:
        return
    level = await StockLevel.get(id=movement.level_id)
    before = movement.on_hand_after - movement.delta
    threshold = level.threshold
    if threshold is not None and movement.on_hand_after <= threshold < before:
        await publish(
            StockLow(
                shelter_id=level.shelter_id,
                item_id=level.item_id,
                on_hand=movement.on_hand_after,
                threshold=threshold,
            )
        )
