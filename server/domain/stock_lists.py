"""What the stock looks like: on hand per item, low, expiring soon, and the ledger itself, each
narrowed to the shelters the viewer sees and ordered by id for paging.

    levels = stock_on_hand(viewer, shelter_id=1, category=ItemCategory.FOOD)
    low = low_stock(viewer)                                   # every shelter the viewer sees
    soon = await expiring_stock(viewer, today=date(2026, 3, 1), within_days=7)
    ledger = find_movements(viewer, MovementFilter(shelter_id=1, kind=MovementKind.RECEIPT))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet

from server.domain.access import Viewer, require_signed_in, stock_scope
from server.domain.errors import DomainError, ErrorCode
from server.models import ItemCategory, MovementKind, StockLevel, StockMovement

#: The furthest ahead ``expiring_stock`` looks.
MAX_WITHIN_DAYS = 366


def stock_on_hand(
    viewer: Viewer, shelter_id: int, *, category: ItemCategory | None = None
) -> QuerySet[StockLevel]:
    """A shelter's level of every item it has held (zero included), if the viewer sees it."""
    require_signed_in(viewer)
    query = StockLevel.filter(stock_scope(viewer), shelter_id=shelter_id)
    if category is not None:
        query = query.filter(item__category=category)
    return query.order_by("id")


def low_stock(viewer: Viewer, shelter_id: int | None = None) -> QuerySet[StockLevel]:
    """Levels at or below their shelter's threshold for the item."""
    require_signed_in(viewer)
    query = StockLevel.filter(
        stock_scope(viewer), threshold__isnull=False, on_hand__lte=F("threshold")
    )
    if shelter_id is not None:
        query = query.filter(shelter_id=shelter_id)
    return query.order_by("id")


def still_on_hand(movement: StockMovement, level: StockLevel) -> int:
    """How much of an incoming movement is still on hand, first in, first out: the units on
    hand are the last ``on_hand`` of the ``received_total`` the level ever received."""
    if movement.delta <= 0:
        return 0
    first_on_hand = level.received_total - level.on_hand
    return int(max(0, min(movement.delta, movement.received_through - first_on_hand)))


async def expiring_stock(
    viewer: Viewer, *, today: date, within_days: int = 7, shelter_id: int | None = None
) -> QuerySet[StockMovement]:
    """Receipts of perishable food that expire within ``within_days`` of ``today`` (or have
    expired) and of which some is still on hand, first in, first out.

    One statement finds the levels with perishable stock on hand; the receipts are then those
    of each level past its first unit still on hand.
    """
    require_signed_in(viewer)
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["withinDays"],
            f"withinDays must be from 0 to {MAX_WITHIN_DAYS}.",
        )
    levels = StockLevel.filter(stock_scope(viewer), on_hand__gt=0, item__perishable=True)
    if shelter_id is not None:
        levels = levels.filter(shelter_id=shelter_id)
    stocked = [
        Q(level_id=level_id, received_through__gt=received - on_hand)
        for level_id, received, on_hand in await levels.values_list(
            "id", "received_total", "on_hand"
        )
    ]
    if not stocked:
        return StockMovement.filter(id__in=[])
    return StockMovement.filter(
        Q(*stocked, join_type=Q.OR),
        kind=MovementKind.RECEIPT,
        expires_on__lte=today + timedelta(days=within_days),
    ).order_by("id")


@dataclass(frozen=True)
class MovementFilter:
    shelter_id: int | None = None
    item_id: int | None = None
    kind: MovementKind | None = None
    since: datetime | None = None
    until: datetime | None = None


def find_movements(viewer: Viewer, criteria: MovementFilter) -> QuerySet[StockMovement]:
    """The ledger of the shelters the viewer sees, oldest first, narrowed by ``criteria``
    (``since`` inclusive, ``until`` exclusive, on the time the movement happened)."""
    require_signed_in(viewer)
    query = StockMovement.filter(stock_scope(viewer, "level__shelter_id"))
    if criteria.shelter_id is not None:
        query = query.filter(level__shelter_id=criteria.shelter_id)
    if criteria.item_id is not None:
        query = query.filter(level__item_id=criteria.item_id)
    if criteria.kind is not None:
        query = query.filter(kind=criteria.kind)
    if criteria.since is not None:
        query = query.filter(at__gte=_instant(criteria.since, "since"))
    if criteria.until is not None:
        query = query.filter(at__lt=_instant(criteria.until, "until"))
    return query.order_by("id")


def _instant(value: datetime, field: str) -> datetime:
    """An aware instant in UTC, or INVALID_VALUE (no time zone, or out of range in UTC)."""
    if value.tzinfo is None:
        raise DomainError(ErrorCode.INVALID_VALUE, [field], f"{field} must include its time zone.")
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise DomainError(ErrorCode.INVALID_VALUE, [field], f"{field} is out of range.") from error
