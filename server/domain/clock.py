"""The current instant, and the rule that staff may record the past but not the future."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from server.domain.errors import DomainError, ErrorCode

#: The instants any time given to Haven must lie between: no record is older, and the drivers
#: cannot carry the far ends of Python's range.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

#: Tablets' clocks drift; a few minutes ahead is still "now".
CLOCK_SKEW = timedelta(minutes=5)


def now() -> datetime:
    return datetime.now(UTC)


def moment(at: datetime | None, field: list[str]) -> datetime:
    """``at`` (or now) as an aware UTC instant, refused if it lies in the future.

    >>> moment(None, ["at"])  # now
    """
    current = now()
    if at is None:
        return current
    instant = in_utc(at, field)
    if instant > current + CLOCK_SKEW:
        raise DomainError(ErrorCode.DATE_IN_FUTURE, field, "The time is in the future.")
    return min(instant, current)


def in_utc(at: datetime, field: list[str]) -> datetime:
    """``at`` as an aware UTC instant; a time without its zone, or out of range, is refused.

    >>> in_utc(datetime(2026, 1, 1, tzinfo=UTC), ["since"])
    """
    if at.tzinfo is None:
        raise DomainError(ErrorCode.INVALID_VALUE, field, "The time must include its time zone.")
    try:
        instant = at.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before year 1 in UTC
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:  # asyncpg refuses year 1
        raise DomainError(ErrorCode.INVALID_VALUE, field, "The time is out of range.")
    return instant


def local_today(zone: tzinfo) -> date:
    """Today's date in the shelters' time zone."""
    return now().astimezone(zone).date()


#: No day asked about (a census, arrivals) is older: a typing mistake, far from the calendar's ends.
EARLIEST_DAY = date(2000, 1, 1)


def day_asked(on: date | None, zone: tzinfo) -> date:
    """The day a question is about: today by default, never ahead, nor before 2000."""
    today = local_today(zone)
    if on is None:
        return today
    if on > today:
        raise DomainError(ErrorCode.DATE_IN_FUTURE, ["on"], "The day is in the future.")
    if on < EARLIEST_DAY:
        raise DomainError(ErrorCode.INVALID_VALUE, ["on"], "The day is not plausible.")
    return on
