"""The few things SQLite and PostgreSQL spell differently in the report statements.

sql = Sql.for_connection(connection, zone)
at = sql.instant(census)                 # "?3" or "$3::timestamptz"
sql.local_day("s.checked_in_at")         # days since 2000-01-01, local date of an instant
_, rows = await connection.execute_query(text, sql.values)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient

#: ``local_day`` counts days from here.
EPOCH = date(2000, 1, 1)
#: The offsets SQLite is told about cover these years (PostgreSQL knows every zone itself).
_ZONE_YEARS = (1970, 2100)


def _sqlite_instant(value: datetime) -> str:
    """An instant as Tortoise stores it on SQLite (UTC text), so text comparison orders it."""
    return value.astimezone(UTC).isoformat(" ")


@lru_cache(maxsize=8)
def zone_changes(zone: ZoneInfo) -> tuple[tuple[datetime, int], ...]:
    """Each (UTC instant, offset in seconds from then on), the first from the start of time.

    >>> zone_changes(ZoneInfo("Asia/Almaty"))[-1]     # UTC+5 since 1 March 2024
    (datetime.datetime(2024, 2, 29, 18, 0, tzinfo=datetime.timezone.utc), 18000)
    """

    def offset(at: datetime) -> int:
        delta = at.astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta else 0

    at = datetime(_ZONE_YEARS[0], 1, 1, tzinfo=UTC)
    last = datetime(_ZONE_YEARS[1], 1, 1, tzinfo=UTC)
    changes = [(datetime.min.replace(tzinfo=UTC), offset(at))]
    step = timedelta(days=1)
    while at < last:
        following = at + step
        if offset(following) != changes[-1][1]:
            low, high = at, following  # the change is in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
            changes.append((high.replace(microsecond=0), offset(following)))
        at = following
    return tuple(changes)


@dataclass
class Sql:
    """Placeholders and dialect spellings for one statement; ``values`` go with its text."""

    postgres: bool
    zone: ZoneInfo
    values: list[object] = field(default_factory=list)

    @classmethod
    def for_connection(cls, connection: BaseDBAsyncClient, zone: ZoneInfo) -> Sql:
        return cls(postgres=connection.capabilities.dialect == "postgres", zone=zone)

    def param(self, value: object, cast: str) -> str:
        self.values.append(value)
        number = len(self.values)
        return f"${number}::{cast}" if self.postgres else f"?{number}"

    def instant(self, value: datetime) -> str:
        return self.param(value if self.postgres else _sqlite_instant(value), "timestamptz")

    def integer(self, value: int) -> str:
        return self.param(value, "integer")

    def day(self, value: date) -> str:
        """A date, as a DateField holds it (ISO text on SQLite)."""
        return self.param(value if self.postgres else value.isoformat(), "date")

    def table(self, name: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
        """A CTE of literal rows whose cells are placeholders: ``name(a, b) AS (VALUES ...)``."""
        body = ", ".join("(" + ", ".join(row) + ")" for row in rows)
        return f"{name}({', '.join(columns)}) AS (VALUES {body})"

    def local_day(self, column: str) -> str:
        """The local date of the instant in ``column``, as days since 2000-01-01."""
        if self.postgres:
            zone = self.param(self.zone.key, "text")
            return f"((({column}) AT TIME ZONE {zone})::date - DATE '{EPOCH.isoformat()}')"
        cases = " ".join(
            f"WHEN {column} >= '{_sqlite_instant(at)}' THEN '{seconds:+d} seconds'"
            for at, seconds in reversed(zone_changes(self.zone)[1:])
        )
        first = f"'{zone_changes(self.zone)[0][1]:+d} seconds'"
        shift = f"CASE {cases} ELSE {first} END" if cases else first
        epoch = f"julianday('{EPOCH.isoformat()}')"
        return f"CAST(julianday(date({column}, {shift})) - {epoch} AS INTEGER)"


def connection() -> BaseDBAsyncClient:
    return Tortoise.get_connection("default")
