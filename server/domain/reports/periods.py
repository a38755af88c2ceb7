"""The dates a report covers, cut into days, ISO weeks or months, and each day's census instant.

span = ReportRange.checked(date(2026, 1, 1), date(2026, 3, 31), Period.MONTH, zone)
span.periods()        # [(2026-01-01, 2026-01-31), (2026-02-01, 2026-02-28), ...]
span.calendar()       # one Day per date: its period, census instant and day boundaries
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode
from server.domain.occupancy import census_instant

#: The longest report, in days: two years, leap day included. Bed-nights are counted night by
#: night, so the work grows with the span; a longer one is several reports.
MAX_DAYS = 731
#: The most periods in one report (two months of days, a year of weeks, two years of months):
#: every table has a row per period, area and category, and each is checked for suppression.
MAX_PERIODS = 62
#: The earliest date a report may start: before any record, and where the zone rules used on
#: SQLite begin (``sql.zone_changes``).
EARLIEST = date(1970, 1, 2)


class Period(str, Enum):
    DAY = "day"
    #: ISO weeks, Monday to Sunday.
    WEEK = "week"
    MONTH = "month"


def period_start(day: date, period: Period) -> date:
    """The first date of the period holding ``day`` (not clipped to any report).

    >>> period_start(date(2026, 3, 5), Period.WEEK)   # a Thursday
    datetime.date(2026, 3, 2)
    """
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in the shelters' zone, in UTC like every stored instant."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Day:
    """One date of a report, with the instants the figures are cut at."""

    day: date
    #: The first date of its period, clipped to the report.
    period: date
    #: When the night is counted: 23:59:59.999999 local time, or now for today.
    census: datetime
    #: The day's first instant and the next day's first instant.
    starts: datetime
    ends: datetime
    #: The first instant of the day before, and the first instant of the day after the next:
    #: a stay ended in between continues into one begun on this day (see ``figures``).
    previous_starts: datetime
    following_ends: datetime


@dataclass(frozen=True)
class ReportRange:
    """Dates ``start`` to ``end``, both included, in periods of ``period``."""

    start: date
    end: date
    period: Period
    zone: ZoneInfo

    @classmethod
    def checked(
        cls, start: date, end: date, period: Period, zone: ZoneInfo, *, today: date | None = None
    ) -> ReportRange:
        """The range, or a DomainError naming what is wrong with it."""
        today = today or now().astimezone(zone).date()
        if end < start:
            raise DomainError(ErrorCode.INVALID_VALUE, ["to"], "The report ends before it starts.")
        if start < EARLIEST:
            raise DomainError(
                ErrorCode.INVALID_VALUE, ["from"], f"A report starts on {EARLIEST} or later."
            )
        if end > today:
            raise DomainError(ErrorCode.DATE_IN_FUTURE, ["to"], "The report ends in the future.")
        if (end - start).days + 1 > MAX_DAYS:
            raise DomainError(
                ErrorCode.INVALID_VALUE,
                ["to"],
                f"A report covers at most {MAX_DAYS} days; make several.",
            )
        span = cls(start, end, period, zone)
        if len(span.periods()) > MAX_PERIODS:
            raise DomainError(
                ErrorCode.INVALID_VALUE,
                ["period"],
                f"A report has at most {MAX_PERIODS} periods; choose longer periods.",
            )
        return span

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def period_of(self, day: date) -> date:
        return max(period_start(day, self.period), self.start)

    def periods(self) -> list[tuple[date, date]]:
        """Each period's first and last date, clipped to the report, in order."""
        spans: dict[date, date] = {}
        for day in self.days():
            spans[self.period_of(day)] = day
        return list(spans.items())

    @property
    def starts(self) -> datetime:
        return _midnight(self.start, self.zone)

    @property
    def ends(self) -> datetime:
        return _midnight(self.end + timedelta(days=1), self.zone)

    def calendar(self) -> list[Day]:
        return [
            Day(
                day=day,
                period=self.period_of(day),
                census=census_instant(day, self.zone),
                starts=_midnight(day, self.zone),
                ends=_midnight(day + timedelta(days=1), self.zone),
                previous_starts=_midnight(day - timedelta(days=1), self.zone),
                following_ends=_midnight(day + timedelta(days=2), self.zone),
            )
            for day in self.days()
        ]
