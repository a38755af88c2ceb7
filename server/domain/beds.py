"""What each bed is now (free, occupied, held, out of service), finding free beds, and taking
beds out of service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, require, sees_shelter, shelter_scope
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.domain.events import OccupancyChanged, publish
from server.models import Bed, BedAssignment, BedFeature, BedHold, BedOutage, Room, ShelterKind


class BedStatus(str, Enum):
    FREE = "free"
    OCCUPIED = "occupied"
    HELD = "held"
    OUT_OF_SERVICE = "out_of_service"


def active_assignments(at: datetime) -> Q:
    """Assignments that hold their bed at instant ``at``."""
    return Q(started_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


def active_outages(at: datetime) -> Q:
    return Q(started_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


def active_holds(at: datetime) -> Q:
    return (
        Q(started_at__lte=at)
        & Q(expires_at__gt=at)
        & (Q(released_at__isnull=True) | Q(released_at__gt=at))
    )


def bed_status(*, occupied: bool, out_of_service: bool, held: bool) -> BedStatus:
    if occupied:
        return BedStatus.OCCUPIED
    if out_of_service:
        return BedStatus.OUT_OF_SERVICE
    if held:
        return BedStatus.HELD
    return BedStatus.FREE


async def lock_bed(viewer: Viewer, bed_id: int, connection: BaseDBAsyncClient) -> tuple[Bed, int]:
    """The bed (its row locked until the transaction ends) and its shelter's id; a bed the
    viewer may not see is not found. One statement: the room is read with it, not locked (a
    lock on the room would queue every check-in into that room)."""
    bed = (
        await Bed.filter(id=bed_id)
        .select_related("room")
        .using_db(connection)
        .select_for_update(of=("bed",))
        .first()
    )
    if bed is None or not sees_shelter(viewer, bed.room.shelter_id):
        raise DomainError(ErrorCode.NOT_FOUND, ["bed"], "No such bed.")
    return bed, bed.room.shelter_id


async def ensure_bed_free(bed: Bed, at: datetime, *, connection: BaseDBAsyncClient) -> None:
    """Refuse a bed that is occupied, held or out of service now, or was occupied after ``at``.
    One statement asks all four (after the bed's lock, so it sees what the lock waited for)."""
    current = now()
    label = bed.label

    def first(rows: QuerySet[Any]) -> Subquery:
        return Subquery(rows.limit(1).values("id"))

    found = (
        await Bed.filter(id=bed.id)
        .annotate(
            occupied=first(BedAssignment.filter(bed_id=bed.id, ended_at__isnull=True)),
            out_of_service=first(BedOutage.filter(Q(bed_id=bed.id) & active_outages(current))),
            held=first(BedHold.filter(Q(bed_id=bed.id) & active_holds(current))),
            occupied_later=first(BedAssignment.filter(bed_id=bed.id, ended_at__gt=at)),
        )
        .using_db(connection)
        .values("occupied", "out_of_service", "held", "occupied_later")
    )
    facts = found[0] if found else {}
    if facts.get("occupied") is not None:
        raise DomainError(ErrorCode.BED_OCCUPIED, ["bed"], f"Bed {label} is occupied.")
    if facts.get("out_of_service") is not None:
        raise DomainError(ErrorCode.BED_OUT_OF_SERVICE, ["bed"], f"Bed {label} is out of service.")
    if facts.get("held") is not None:
        raise DomainError(
            ErrorCode.BED_HELD, ["bed"], f"Bed {label} is held for an incoming person."
        )
    if facts.get("occupied_later") is not None:
        raise DomainError(ErrorCode.BED_OCCUPIED, ["at"], f"Bed {label} was occupied at that time.")


@dataclass(frozen=True)
class BedFilter:
    """Which free beds a search wants; every part optional."""

    shelter_id: int | None = None
    region_id: int | None = None
    shelter_kind: ShelterKind | None = None
    features: tuple[BedFeature, ...] = ()


def available_beds(viewer: Viewer, search: BedFilter) -> QuerySet[Bed]:
    """Beds free right now that the viewer may see, ordered by id, narrowed by ``search``.

    >>> await available_beds(viewer, BedFilter(region_id=3, features=(BedFeature.CRIB,)))
    """
    current = now()
    busy = BedAssignment.filter(ended_at__isnull=True).values("bed_id")
    out = BedOutage.filter(active_outages(current)).values("bed_id")
    held = BedHold.filter(active_holds(current)).values("bed_id")
    query = (
        Bed.filter(shelter_scope(viewer, "room__shelter_id"))
        .exclude(id__in=Subquery(busy))
        .exclude(id__in=Subquery(out))
        .exclude(id__in=Subquery(held))
    )
    if search.shelter_id is not None:
        query = query.filter(room__shelter_id=search.shelter_id)
    if search.region_id is not None:
        query = query.filter(room__shelter__region_id=search.region_id)
    if search.shelter_kind is not None:
        query = query.filter(room__shelter__kind=search.shelter_kind)
    for feature in search.features:
        query = query.filter(**{feature.value: True})
    return query.order_by("id")


async def set_bed_status(
    viewer: Viewer, bed_id: int, *, in_service: bool, reason: str = "", at: datetime | None = None
) -> Bed:
    """Take a bed out of service (with a reason) or back into service.

    >>> await set_bed_status(viewer, 7, in_service=False, reason="Broken frame")
    """
    require(viewer, Action.SET_BED_STATUS)
    reason = require_text(reason, ["reason"], max_length=200, required=not in_service)
    current = at or now()
    try:
        async with in_transaction() as connection:
            bed = await Bed.filter(id=bed_id).using_db(connection).select_for_update().first()
            room = await Room.filter(id=bed.room_id).using_db(connection).first() if bed else None
            if bed is None or room is None or not sees_shelter(viewer, room.shelter_id):
                raise DomainError(ErrorCode.NOT_FOUND, ["bed"], "No such bed.")
            require(viewer, Action.SET_BED_STATUS, shelter_ids=(room.shelter_id,))
            outage = (
                await BedOutage.filter(bed_id=bed_id, ended_at__isnull=True)
                .using_db(connection)
                .first()
            )
            if in_service:
                if outage is None:
                    raise DomainError(
                        ErrorCode.BED_STATUS_UNCHANGED,
                        ["status"],
                        f"Bed {bed.label} is in service.",
                    )
                outage.ended_at = max(current, outage.started_at)
                await outage.save(using_db=connection, update_fields=["ended_at"])
                await record(viewer, "bed_in_service", "Bed", bed.id, connection=connection)
            elif outage is not None:
                raise DomainError(
                    ErrorCode.BED_STATUS_UNCHANGED,
                    ["status"],
                    f"Bed {bed.label} is already out of service.",
                )
            else:
                await ensure_bed_free(bed, current, connection=connection)
                await BedOutage.create(
                    bed_id=bed_id, reason=reason, started_at=current, using_db=connection
                )
                await record(
                    viewer,
                    "bed_out_of_service",
                    "Bed",
                    bed.id,
                    detail=reason,
                    connection=connection,
                )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(OccupancyChanged(shelter_id=room.shelter_id))
    return bed
