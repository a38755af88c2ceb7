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

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count

from server.domain.beds import active_assignments, active_holds, active_outages
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode
from server.models import Bed, BedAssignment, BedHold, BedOutage


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


async def _count_by_shelter(query: object, shelter_path: str) -> dict[int, int]:
    rows = await (
        query.annotate(n=Count("id"))  # type: ignore[attr-defined]
        .group_by(shelter_path)
        .values(shelter_path, "n")
    )
    return {row[shelter_path]: row["n"] for row in rows}


async def occupancy_at(
    at: datetime, *, shelter_ids: Iterable[int] | None = None
) -> dict[int, Occupancy]:
    """Each shelter's figures at instant ``at``, in four grouped queries whatever the size.

    A bed counts once: occupied before out of service before held.
    """
    only = Q() if shelter_ids is None else Q(room__shelter_id__in=list(shelter_ids))
    through_bed = Q() if shelter_ids is None else Q(bed__room__shelter_id__in=list(shelter_ids))
    occupied_beds = BedAssignment.filter(active_assignments(at)).values("bed_id")
    out_beds = BedOutage.filter(active_outages(at)).values("bed_id")

    capacity = await _count_by_shelter(Bed.filter(only, created_at__lte=at), "room__shelter_id")
    occupied = await _count_by_shelter(
        BedAssignment.filter(through_bed & active_assignments(at)), "bed__room__shelter_id"
    )
    out_of_service = await _count_by_shelter(
        BedOutage.filter(through_bed & active_outages(at)).exclude(
            bed_id__in=Subquery(occupied_beds)
        ),
        "bed__room__shelter_id",
    )
    held = await _count_by_shelter(
        BedHold.filter(through_bed & active_holds(at))
        .exclude(bed_id__in=Subquery(occupied_beds))
        .exclude(bed_id__in=Subquery(out_beds)),
        "bed__room__shelter_id",
    )
    return {
        shelter_id: Occupancy(
            capacity=beds,
            occupied=occupied.get(shelter_id, 0),
            held=held.get(shelter_id, 0),
            out_of_service=out_of_service.get(shelter_id, 0),
        )
        for shelter_id, beds in capacity.items()
    }
