"""Stock movements: receive from donors, hand out to residents, move between shelters, count,
write off, and each shelter's low-stock thresholds. Each runs in one transaction, through the
ledger's one door (server/domain/stock_ledger.py), which locks the level it changes.

    movement = await receive(staff, shelter_id=1, item_id=4, quantity=20, donor="Red Crescent")
    await distribute(staff, shelter_id=1, item_id=4, resident_id=7, quantity=2)
    # DomainError(INSUFFICIENT_STOCK, ["quantity"], "Only 3 packs of Rice on hand.")
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, require, resident_scope
from server.domain.audit import record
from server.domain.clock import moment, now
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.domain.items import label
from server.domain.stock_ledger import (
    amount,
    announce_if_low,
    audit_movement,
    find_item,
    lock_level,
    not_before_opening,
    nothing_of,
    post,
    require_quantity,
    visible_shelter,
)
from server.models import (
    Item,
    MovementKind,
    Resident,
    Shelter,
    Stay,
    StockLevel,
    StockMovement,
    WriteOffReason,
)

MAX_DONOR = 200
MAX_NOTE = 300
#: An expiry date further out than this is a typing mistake.
LONGEST_SHELF_LIFE = timedelta(days=3660)


def _expiry(item: Item, expires_on: date | None, received: datetime) -> date | None:
    """Perishable food needs its expiry date, anything else has none; food already expired
    is not taken into stock."""
    if not item.perishable:
        if expires_on is not None:
            raise DomainError(
                ErrorCode.INVALID_VALUE, ["expiresOn"], f"{label(item)} has no expiry date."
            )
        return None
    if expires_on is None:
        raise DomainError(
            ErrorCode.REQUIRED, ["expiresOn"], f"{label(item)} is perishable: give its expiry date."
        )
    day = received.date()
    if expires_on < day - timedelta(days=1):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["expiresOn"],
            f"{label(item)} expired on {expires_on.isoformat()}: do not take it into stock.",
        )
    if expires_on > day + LONGEST_SHELF_LIFE:
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["expiresOn"], "The expiry date is more than ten years away."
        )
    return expires_on


async def receive(
    viewer: Viewer,
    *,
    shelter_id: int,
    item_id: int,
    quantity: int,
    donor: str,
    expires_on: date | None = None,
    at: datetime | None = None,
    note: str = "",
) -> StockMovement:
    """Take a donation into a shelter's stock.

    >>> await receive(staff, shelter_id=1, item_id=4, quantity=20, donor="Red Crescent",
    ...               expires_on=date(2026, 12, 1))
    """
    require(viewer, Action.MOVE_STOCK)
    quantity = require_quantity(quantity, ["quantity"])
    donor = require_text(donor, ["donor"], max_length=MAX_DONOR, required=True)
    note = require_text(note, ["note"], max_length=MAX_NOTE)
    when = moment(at, ["at"])
    try:
        async with in_transaction() as connection:
            shelter = await visible_shelter(viewer, shelter_id, connection, ["shelter"])
            require(viewer, Action.MOVE_STOCK, shelter_ids=(shelter.id,))
            not_before_opening(when, shelter)
            item = await find_item(item_id, connection)
            expiry = _expiry(item, expires_on, when)
            level = await lock_level(shelter.id, item.id, connection, create=True)
            assert level is not None
            movement = await post(
                viewer,
                level,
                item,
                MovementKind.RECEIPT,
                quantity,
                when,
                connection,
                donor=donor,
                expires_on=expiry,
                note=note,
            )
            await audit_movement(viewer, "stock_receive", movement, item, connection)
    except IntegrityError as error:
        raise refusal_for(error) from error
    await announce_if_low(movement)
    return movement


async def distribute(
    viewer: Viewer,
    *,
    shelter_id: int,
    item_id: int,
    resident_id: int,
    quantity: int,
    at: datetime | None = None,
    note: str = "",
) -> StockMovement:
    """Hand something out to a resident staying in the shelter now.

    >>> await distribute(staff, shelter_id=1, item_id=4, resident_id=7, quantity=1)
    """
    require(viewer, Action.MOVE_STOCK)
    quantity = require_quantity(quantity, ["quantity"])
    note = require_text(note, ["note"], max_length=MAX_NOTE)
    when = moment(at, ["at"])
    try:
        async with in_transaction() as connection:
            shelter = await visible_shelter(viewer, shelter_id, connection, ["shelter"])
            require(viewer, Action.MOVE_STOCK, shelter_ids=(shelter.id,))
            not_before_opening(when, shelter)
            item = await find_item(item_id, connection)
            resident = (
                await Resident.filter(resident_scope(viewer), id=resident_id)
                .using_db(connection)
                .first()
            )
            if resident is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["resident"], "No such resident.")
            staying = Stay.filter(
                resident_id=resident.id, shelter_id=shelter.id, checked_out_at__isnull=True
            )
            if not await staying.using_db(connection).exists():
                raise DomainError(
                    ErrorCode.RESIDENT_NOT_IN_SHELTER,
                    ["resident"],
                    f"{resident.code} is not staying in {shelter.name} now.",
                )
            level = await lock_level(shelter.id, item.id, connection, create=False)
            if level is None:
                raise nothing_of(item)
            movement = await post(
                viewer,
                level,
                item,
                MovementKind.DISTRIBUTION,
                -quantity,
                when,
                connection,
                resident_id=resident.id,
                note=note,
            )
            await audit_movement(viewer, "stock_distribute", movement, item, connection)
    except IntegrityError as error:
        raise refusal_for(error) from error
    await announce_if_low(movement)
    return movement


async def transfer_stock(
    viewer: Viewer,
    *,
    from_shelter_id: int,
    to_shelter_id: int,
    item_id: int,
    quantity: int,
    at: datetime | None = None,
    note: str = "",
) -> StockMovement:
    """Send stock to another shelter: a movement out of this one and a movement into the
    other, linked, in one transaction. Returns the movement out.

    >>> out = await transfer_stock(staff, from_shelter_id=1, to_shelter_id=2, item_id=4,
    ...                            quantity=10)
    """
    require(viewer, Action.MOVE_STOCK)
    quantity = require_quantity(quantity, ["quantity"])
    note = require_text(note, ["note"], max_length=MAX_NOTE)
    when = moment(at, ["at"])
    if from_shelter_id == to_shelter_id:
        raise DomainError(
            ErrorCode.SAME_SHELTER, ["toShelter"], "Stock can only be sent to another shelter."
        )
    try:
        async with in_transaction() as connection:
            source = await visible_shelter(viewer, from_shelter_id, connection, ["fromShelter"])
            require(viewer, Action.MOVE_STOCK, shelter_ids=(source.id,))
            not_before_opening(when, source)
            # Any shelter of the network may receive, whether or not the sender sees it.
            destination = await Shelter.filter(id=to_shelter_id).using_db(connection).first()
            if destination is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["toShelter"], "No such shelter.")
            not_before_opening(when, destination)
            item = await find_item(item_id, connection)
            # Both levels locked in shelter order, so opposite transfers cannot deadlock.
            levels: dict[int, StockLevel | None] = {}
            for shelter_id in sorted((source.id, destination.id)):
                levels[shelter_id] = await lock_level(
                    shelter_id, item.id, connection, create=shelter_id == destination.id
                )
            out_level, in_level = levels[source.id], levels[destination.id]
            if out_level is None:
                raise nothing_of(item)
            assert in_level is not None
            out = await post(
                viewer,
                out_level,
                item,
                MovementKind.TRANSFER_OUT,
                -quantity,
                when,
                connection,
                note=note,
            )
            incoming = await post(
                viewer,
                in_level,
                item,
                MovementKind.TRANSFER_IN,
                quantity,
                when,
                connection,
                transfer_of_id=out.id,
                note=note,
            )
            await audit_movement(
                viewer,
                "stock_transfer",
                out,
                item,
                connection,
                detail=f"to shelter {destination.id} as movement {incoming.id}",
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await announce_if_low(out)
    return out


async def count_stock(
    viewer: Viewer, *, shelter_id: int, item_id: int, counted: int, note: str = ""
) -> StockMovement:
    """Record a count: the ledger gets an adjustment by the difference from what it held. A
    count that matches is refused (STOCK_COUNT_UNCHANGED): the ledger records changes only,
    and the refusal tells staff their count agreed. The count is compared with the stock on
    hand when the server records it, so it has no ``at``: a count made earlier and sent late
    would be compared with a balance it never saw.

    >>> await count_stock(staff, shelter_id=1, item_id=4, counted=12)   # adjustment of -3
    """
    require(viewer, Action.MOVE_STOCK)
    counted = require_quantity(counted, ["counted"], zero=True)
    note = require_text(note, ["note"], max_length=MAX_NOTE)
    try:
        async with in_transaction() as connection:
            shelter = await visible_shelter(viewer, shelter_id, connection, ["shelter"])
            require(viewer, Action.MOVE_STOCK, shelter_ids=(shelter.id,))
            item = await find_item(item_id, connection)
            level = await lock_level(shelter.id, item.id, connection, create=True)
            assert level is not None
            if counted == level.on_hand:
                raise DomainError(
                    ErrorCode.STOCK_COUNT_UNCHANGED,
                    ["counted"],
                    f"The count matches the {amount(counted, item)} on hand: nothing to adjust.",
                )
            movement = await post(
                viewer,
                level,
                item,
                MovementKind.ADJUSTMENT,
                counted - level.on_hand,
                now(),
                connection,
                note=note,
            )
            await audit_movement(viewer, "stock_count", movement, item, connection)
    except IntegrityError as error:
        raise refusal_for(error) from error
    await announce_if_low(movement)
    return movement


async def write_off(
    viewer: Viewer,
    *,
    shelter_id: int,
    item_id: int,
    quantity: int,
    reason: WriteOffReason | None,
    note: str = "",
    at: datetime | None = None,
) -> StockMovement:
    """Take spoiled, damaged or lost stock out of the books, saying why (in words for OTHER).

    >>> await write_off(staff, shelter_id=1, item_id=5, quantity=4, reason=WriteOffReason.EXPIRED)
    """
    require(viewer, Action.MOVE_STOCK)
    quantity = require_quantity(quantity, ["quantity"])
    if reason is None:
        raise DomainError(ErrorCode.REQUIRED, ["reason"], "Say why the stock is written off.")
    note = require_text(
        note, ["note"], max_length=MAX_NOTE, required=reason is WriteOffReason.OTHER
    )
    when = moment(at, ["at"])
    try:
        async with in_transaction() as connection:
            shelter = await visible_shelter(viewer, shelter_id, connection, ["shelter"])
            require(viewer, Action.MOVE_STOCK, shelter_ids=(shelter.id,))
            not_before_opening(when, shelter)
            item = await find_item(item_id, connection)
            level = await lock_level(shelter.id, item.id, connection, create=False)
            if level is None:
                raise nothing_of(item)
            movement = await post(
                viewer,
                level,
                item,
                MovementKind.WRITE_OFF,
                -quantity,
                when,
                connection,
                write_off_reason=reason,
                note=note,
            )
            await audit_movement(
                viewer, "stock_write_off", movement, item, connection, detail=reason.value
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await announce_if_low(movement)
    return movement


async def set_threshold(
    viewer: Viewer, *, shelter_id: int, item_id: int, threshold: int | None
) -> StockLevel:
    """Mark an item low in a shelter at or below ``threshold`` (None: never low).

    >>> level = await set_threshold(staff, shelter_id=1, item_id=4, threshold=10)
    """
    require(viewer, Action.SET_STOCK_THRESHOLD)
    if threshold is not None:
        threshold = require_quantity(threshold, ["threshold"], zero=True)
    try:
        async with in_transaction() as connection:
            shelter = await visible_shelter(viewer, shelter_id, connection, ["shelter"])
            require(viewer, Action.SET_STOCK_THRESHOLD, shelter_ids=(shelter.id,))
            item = await find_item(item_id, connection)
            level = await lock_level(shelter.id, item.id, connection, create=True)
            assert level is not None
            level.threshold, level.updated_at = threshold, now()
            await level.save(using_db=connection, update_fields=["threshold", "updated_at"])
            await record(
                viewer,
                "stock_threshold_set",
                "StockLevel",
                level.id,
                detail=f"item {item.id}: {'none' if threshold is None else threshold}",
                connection=connection,
            )
            return level
    except IntegrityError as error:
        raise refusal_for(error) from error
