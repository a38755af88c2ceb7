"""How many beds each shelter has, and how many are occupied, held, out of service and free,
now or at any past instant, derived from the assignment, outage and hold history.

    counts = await occupancy_at(now())             # {shelter_id: Occupancy}
    counts = await occupancy_at(census_instant(date(2026, 9, 1), zone))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise import Tortoise

from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class Occupancy:
    capacity: int = 0
    occupied: int = 0
    held: int = 0
    out_of_service: int = 0

    @property
    def free(self) -> int:
        return self.capacity - self.occupied - self.held - self.out_of_service

    def __add__(self, other: Occupancy) -> Occupancy:
        return Occupancy(
            self.capacity + other.capacity,
            self.occupied + other.occupied,
            self.held + other.held,
            self.out_of_service + other.out_of_service,
        )


def census_instant(day: date, zone: ZoneInfo) -> datetime:
    """The instant a date's figures are taken: the last moment of that day in the shelters'
    time zone (who slept there that night), or now for today. Future dates are refused."""
    current = now()
    today = current.astimezone(zone).date()
    if day > today:
        raise DomainError(ErrorCode.DATE_IN_FUTURE, ["on"], "The date is in the future.")
    if day == today:
        return current
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    # UTC, like every stored instant: SQLite compares them as text.
    return (end - timedelta(microseconds=1)).astimezone(UTC)


#: Every bed with its state at one instant, counted per shelter in one pass. Each interval
#: table is reduced to the beds it makes busy at that instant; a bed counts once, occupied
#: before out of service before held. ``{at}`` is the instant's placeholder, ``{only}`` an
#: optional shelter filter.
_OCCUPANCY_SQL = """
SELECT r.shelter_id AS shelter_id,
       COUNT(*) AS capacity,
       SUM(CASE WHEN a.bed_id IS NOT NULL THEN 1 ELSE 0 END) AS occupied,
       SUM(CASE WHEN a.bed_id IS NULL AND o.bed_id IS NOT NULL THEN 1 ELSE 0 END) AS out_of_service,
       SUM(CASE WHEN a.bed_id IS NULL AND o.bed_id IS NULL AND h.bed_id IS NOT NULL
                THEN 1 ELSE 0 END) AS held
FROM bed b
JOIN room r ON r.id = b.room_id
LEFT JOIN (SELECT DISTINCT bed_id FROM bed_assignment
           WHERE started_at <= {at} AND (ended_at IS NULL OR ended_at > {at})) a
       ON a.bed_id = b.id
LEFT JOIN (SELECT DISTINCT bed_id FROM bed_outage
           WHERE started_at <= {at} AND (ended_at IS NULL OR ended_at > {at})) o
       ON o.bed_id = b.id
LEFT JOIN (SELECT DISTINCT bed_id FROM bed_hold
           WHERE started_at <= {at} AND expires_at > {at}
             AND (released_at IS NULL OR released_at > {at})) h
       ON h.bed_id = b.id
WHERE b.created_at <= {at} {only}
GROUP BY r.shelter_id
"""


async def occupancy_at(
    at: datetime, *, shelter_ids: Iterable[int] | None = None
) -> dict[int, Occupancy]:
    """Each shelter's figures at instant ``at``, in one statement whatever the size.

    Hand-written SQL: the ORM form took four grouped queries and spent half its time building
    them (bench/RESULTS.md). The same text runs on both databases; only placeholders differ.
    """
    connection = Tortoise.get_connection("default")
    mark = "$" if connection.capabilities.dialect == "postgres" else "?"  # ?1 / $1: numbered
    values: list[object] = [at]
    only = ""
    if shelter_ids is not None:
        values += list(shelter_ids)
        if len(values) == 1:
            return {}
        only = "AND r.shelter_id IN ({})".format(
            ", ".join(f"{mark}{n}" for n in range(2, len(values) + 1))
        )
    sql = _OCCUPANCY_SQL.format(at=f"{mark}1", only=only)
    _, rows = await connection.execute_query(sql, values)
    return {
        row["shelter_id"]: Occupancy(
            capacity=row["capacity"],
            occupied=row["occupied"] or 0,
            held=row["held"] or 0,
            out_of_service=row["out_of_service"] or 0,
        )
        for row in rows
    }
