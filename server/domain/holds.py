"""Beds held for an incoming person: the hold keeps the bed from everyone else until the
person is checked in, someone calls it off, or it expires by itself.

    hold = await hold_bed(viewer, bed.id, HoldRequest("Police referral", expires_at=in_six_hours))
    await release_hold(viewer, hold.id)                    # called off
    stay = await check_in(staff, resident.id, bed.id, hold_id=hold.id)   # the person arrived
    released = await expire_holds()                        # what each server's sweeper runs

A hold stops holding at ``expires_at`` whatever happens (every reader compares with it); the
sweeper then marks it released (outcome EXPIRED, released at its expiry) and tells subscribers.
The partial unique index ``uq_bed_hold_active_bed`` allows one unreleased hold per bed, so a new
hold first releases the bed's expired ones, in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, hold_scope, require, resident_scope
from server.domain.audit import record
from server.domain.beds import active_holds, ensure_bed_free, lock_bed
from server.domain.clock import CLOCK_SKEW, in_utc, now
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.domain.events import OccupancyChanged, publish
from server.models import Bed, BedHold, HoldOutcome, Resident, Room

#: The longest a bed may be kept for someone.
MAX_HOLD = timedelta(days=7)
#: Expired holds one sweep releases at most; the next sweep takes the rest.
SWEEP_BATCH = 500
#: Who the audit trail names for a hold that ran out: nobody acted.
EXPIRY = Viewer(user_id=None, username="haven:hold-expiry", client="haven server")


@dataclass(frozen=True)
class HoldRequest:
    """What a hold says: why, until when, when the person should arrive, and who, if known."""

    reason: str
    expires_at: datetime
    expected_arrival: datetime | None = None
    resident_id: int | None = None


@dataclass(frozen=True)
class HoldState:
    """A hold as it stands at one instant: an expired hold the sweeper has not marked yet
    already counts as released, at its expiry, with outcome EXPIRED."""

    active: bool
    released_at: datetime | None
    outcome: HoldOutcome | None


def hold_state(hold: BedHold, at: datetime) -> HoldState:
    """>>> hold_state(hold, now()).active"""
    if hold.released_at is None and hold.expires_at <= at:
        return HoldState(False, hold.expires_at, HoldOutcome.EXPIRED)
    return HoldState(hold.released_at is None, hold.released_at, hold.outcome)


def _checked(request: HoldRequest, current: datetime) -> HoldRequest:
    reason = require_text(request.reason, ["reason"], max_length=200, required=True)
    expires_at = in_utc(request.expires_at, ["expiresAt"])
    if expires_at <= current:
        raise DomainError(ErrorCode.INVALID_VALUE, ["expiresAt"], "The expiry has passed.")
    if expires_at > current + MAX_HOLD:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["expiresAt"],
            f"A bed is held for at most {MAX_HOLD.days} days.",
        )
    arrival = request.expected_arrival
    if arrival is not None:
        arrival = in_utc(arrival, ["expectedArrival"])
        if arrival < current - CLOCK_SKEW:
            raise DomainError(
                ErrorCode.INVALID_VALUE, ["expectedArrival"], "The expected arrival has passed."
            )
        if arrival > expires_at:
            raise DomainError(
                ErrorCode.INVALID_VALUE,
                ["expectedArrival"],
                "The person is expected after the hold expires.",
            )
    return HoldRequest(reason, expires_at, arrival, request.resident_id)


async def hold_bed(viewer: Viewer, bed_id: int, request: HoldRequest) -> BedHold:
    """Keep a free bed for an incoming person until ``request.expires_at``. Two people holding
    one bed at once: the second waits for the first's lock on the bed, then is refused.

    >>> hold = await hold_bed(viewer, bed.id, HoldRequest("Hotline referral", expires_at=t))
    """
    require(viewer, Action.HOLD_BED)
    current = now()
    request = _checked(request, current)
    try:
        async with in_transaction() as connection:
            bed, shelter_id = await lock_bed(viewer, bed_id, connection)
            require(viewer, Action.HOLD_BED, shelter_ids=(shelter_id,))
            if request.resident_id is not None and not (
                await Resident.filter(resident_scope(viewer), id=request.resident_id)
                .using_db(connection)
                .exists()
            ):
                raise DomainError(ErrorCode.NOT_FOUND, ["resident"], "No such resident.")
            if bed.created_at > current:
                raise DomainError(
                    ErrorCode.DATE_BEFORE_HISTORY, ["bed"], "The bed is not in use yet."
                )
            await _release_expired(
                BedHold.filter(bed_id=bed.id), connection=connection, skip_locked=False
            )
            await ensure_bed_free(bed, current, connection=connection)
            hold = await BedHold.create(
                bed_id=bed.id,
                reason=request.reason,
                expected_arrival=request.expected_arrival,
                started_at=current,
                expires_at=request.expires_at,
                resident_id=request.resident_id,
                using_db=connection,
            )
            await record(
                viewer,
                "bed_hold",
                "BedHold",
                hold.id,
                resident_id=request.resident_id,
                detail=f"bed {bed.id} until {request.expires_at.isoformat()}",
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(OccupancyChanged(shelter_id=shelter_id))
    return hold


def _ended(hold: BedHold, current: datetime) -> DomainError | None:
    """Why a hold no longer holds, if it does not."""
    if hold.outcome is HoldOutcome.CHECKED_IN:
        return DomainError(ErrorCode.HOLD_NOT_ACTIVE, ["hold"], "The person has checked in.")
    if hold.released_at is not None and hold.outcome is HoldOutcome.RELEASED:
        return DomainError(ErrorCode.HOLD_NOT_ACTIVE, ["hold"], "The hold was called off.")
    if not hold_state(hold, current).active:
        return DomainError(ErrorCode.HOLD_NOT_ACTIVE, ["hold"], "The hold has expired.")
    return None


async def release_hold(viewer: Viewer, hold_id: int) -> BedHold:
    """Call a hold off (the person will not come): the bed is free again.

    >>> await release_hold(viewer, hold.id)
    """
    require(viewer, Action.HOLD_BED)
    try:
        async with in_transaction() as connection:
            hold = await BedHold.filter(hold_scope(viewer), id=hold_id).using_db(connection).first()
            if hold is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["hold"], "No such hold.")
            _, shelter_id = await lock_bed(viewer, hold.bed_id, connection)
            require(viewer, Action.HOLD_BED, shelter_ids=(shelter_id,))
            await hold.refresh_from_db(using_db=connection)  # as it is now the bed is ours
            current = now()
            ended = _ended(hold, current)
            if ended is not None:
                raise ended
            await _end(hold, HoldOutcome.RELEASED, max(current, hold.started_at), connection)
            await record(
                viewer,
                "bed_hold_release",
                "BedHold",
                hold.id,
                resident_id=hold.resident_id,
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(OccupancyChanged(shelter_id=shelter_id))
    return hold


async def take_hold(
    viewer: Viewer,
    bed: Bed,
    resident_id: int,
    hold_id: int | None,
    connection: BaseDBAsyncClient,
) -> BedHold | None:
    """In a check-in's (or transfer's) transaction, with the bed locked: end as checked in the
    bed's hold that is for this resident (it names them, or it is ``hold_id``). A hold for
    someone else is left in place, for ``ensure_bed_free`` to refuse the bed."""
    current = now()
    hold = (
        await BedHold.filter(Q(bed_id=bed.id) & active_holds(current))
        .using_db(connection)
        .select_for_update()
        .first()
    )
    if hold_id is not None:
        if hold is None or hold.id != hold_id:
            raise DomainError(
                ErrorCode.HOLD_NOT_ACTIVE, ["hold"], f"That hold is not on bed {bed.label} now."
            )
        if hold.resident_id not in (None, resident_id):
            raise DomainError(ErrorCode.BED_HELD, ["hold"], "The hold is for another person.")
    elif hold is None or hold.resident_id != resident_id:
        return None
    await _end(hold, HoldOutcome.CHECKED_IN, max(current, hold.started_at), connection)
    await record(
        viewer,
        "bed_hold_checked_in",
        "BedHold",
        hold.id,
        resident_id=resident_id,
        connection=connection,
    )
    return hold


async def _end(
    hold: BedHold, outcome: HoldOutcome, at: datetime, connection: BaseDBAsyncClient
) -> None:
    hold.released_at = at
    hold.outcome = outcome
    await hold.save(using_db=connection, update_fields=["released_at", "outcome"])


async def _release_expired(
    holds: QuerySet[BedHold], *, connection: BaseDBAsyncClient, skip_locked: bool
) -> list[BedHold]:
    """Mark released, at their expiry, the expired holds among ``holds`` not marked yet."""
    rows = (
        await holds.filter(released_at__isnull=True, expires_at__lte=now())
        .using_db(connection)
        .select_for_update(skip_locked=skip_locked)
        .order_by("id")
        .limit(SWEEP_BATCH)
    )
    for hold in rows:
        await _end(hold, HoldOutcome.EXPIRED, hold.expires_at, connection)
        await record(
            EXPIRY,
            "bed_hold_expired",
            "BedHold",
            hold.id,
            resident_id=hold.resident_id,
            connection=connection,
        )
    return rows


async def expire_holds() -> int:
    """Release the holds that have expired and tell each of their shelters' subscribers.
    Every server process runs it now and then; concurrent sweeps skip each other's rows (on
    PostgreSQL, SKIP LOCKED), so each hold is released, audited and announced once.

    >>> await expire_holds()       # how many were released
    """
    async with in_transaction() as connection:
        released = await _release_expired(BedHold.all(), connection=connection, skip_locked=True)
        shelter_ids: set[int] = set()
        if released:
            rooms = Room.filter(beds__id__in=[hold.bed_id for hold in released])
            shelter_ids = {room.shelter_id for room in await rooms.using_db(connection)}
    for shelter_id in sorted(shelter_ids):
        await publish(OccupancyChanged(shelter_id=shelter_id))
    return len(released)
