"""Check-in, check-out and transfer: who sleeps in which bed, with the whole history kept.

Each function locks the rows it decides on (resident, then bed) so concurrent calls queue on
PostgreSQL; the partial unique indexes refuse whatever slips past, on every database. Once a
change has committed, each shelter whose beds it changed gets an OccupancyChanged event.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from server.domain.access import (
    Action,
    Viewer,
    require,
    resident_scope,
    stay_scope,
)
from server.domain.audit import record
from server.domain.beds import ensure_bed_free, lock_bed
from server.domain.clock import moment
from server.domain.errors import DomainError, ErrorCode, refusal_for
from server.domain.events import OccupancyChanged, publish
from server.domain.holds import take_hold
from server.models import BedAssignment, ExitDestination, Resident, Stay


async def _lock_active_stay(
    viewer: Viewer, stay_id: int, connection: BaseDBAsyncClient
) -> tuple[Stay, BedAssignment]:
    """The stay's resident locked (found through a stay the viewer sees), then the stay's
    current bed with the stay, read after the lock so both are as the last change left them."""
    seen = Stay.filter(stay_scope(viewer), id=stay_id).values("resident_id")
    resident = (
        await Resident.filter(id__in=Subquery(seen))
        .using_db(connection)
        .select_for_update()
        .first()
    )
    if resident is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["stay"], "No such stay.")
    assignment = (
        await BedAssignment.filter(stay_id=stay_id, ended_at__isnull=True)
        .select_related("stay")
        .using_db(connection)
        .first()
    )
    if assignment is not None:
        return assignment.stay, assignment
    stay = await Stay.filter(id=stay_id).using_db(connection).get()
    if stay.checked_out_at is not None:
        raise DomainError(ErrorCode.STAY_ALREADY_ENDED, ["stay"], "The stay has already ended.")
    # every active stay has a bed; a broken row is not the user's fault
    raise RuntimeError(f"active stay {stay.id} has no bed")


def _not_before(at: datetime, earliest: datetime, what: str) -> None:
    if at < earliest:
        raise DomainError(ErrorCode.DATE_BEFORE_HISTORY, ["at"], f"The time is before the {what}.")


async def check_in(
    viewer: Viewer,
    resident_id: int,
    bed_id: int,
    *,
    at: datetime | None = None,
    hold_id: int | None = None,
) -> Stay:
    """Start a stay for a resident in a free bed, or in a bed held for them (named in the hold,
    or by the hold's id): the hold then ends as checked in.

    >>> stay = await check_in(viewer, resident.id, bed.id)
    >>> stay = await check_in(viewer, resident.id, bed.id, hold_id=hold.id)
    """
    require(viewer, Action.CHECK_IN)
    when = moment(at, ["at"])
    try:
        async with in_transaction() as connection:
            resident = (
                await Resident.filter(resident_scope(viewer), id=resident_id)
                .using_db(connection)
                .select_for_update()
                .first()
            )
            if resident is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["resident"], "No such resident.")
            # A person has few stays: one statement reads when each ended (None: still on).
            ended = (
                await Stay.filter(resident_id=resident_id)
                .using_db(connection)
                .values_list("checked_out_at", flat=True)
            )
            if None in ended:
                raise DomainError(
                    ErrorCode.RESIDENT_ALREADY_IN_SHELTER,
                    ["resident"],
                    f"{resident.code} is already staying in a shelter.",
                )
            if ended:
                _not_before(when, max(ended), "resident's last check-out")
            bed, shelter_id = await lock_bed(viewer, bed_id, connection)
            require(viewer, Action.CHECK_IN, shelter_ids=(shelter_id,))
            _not_before(when, bed.created_at, "bed was put in service")
            await take_hold(viewer, bed, resident_id, hold_id, connection)
            await ensure_bed_free(bed, when, connection=connection)
            stay = await Stay.create(
                resident_id=resident_id,
                shelter_id=shelter_id,
                checked_in_at=when,
                using_db=connection,
            )
            await BedAssignment.create(
                stay_id=stay.id, bed_id=bed_id, started_at=when, using_db=connection
            )
            await record(
                viewer,
                "check_in",
                "Stay",
                stay.id,
                resident_id=resident_id,
                detail=f"bed {bed_id}",
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(OccupancyChanged(shelter_id=stay.shelter_id))
    return stay


async def check_out(
    viewer: Viewer, stay_id: int, destination: ExitDestination, *, at: datetime | None = None
) -> Stay:
    """End a stay and free its bed.

    >>> await check_out(viewer, stay.id, ExitDestination.RETURNED_HOME)
    """
    require(viewer, Action.CHECK_OUT)
    when = moment(at, ["at"])
    try:
        async with in_transaction() as connection:
            stay, assignment = await _lock_active_stay(viewer, stay_id, connection)
            require(viewer, Action.CHECK_OUT, shelter_ids=(stay.shelter_id,))
            _not_before(when, assignment.started_at, "stay's last bed change")
            await _end(stay, assignment, when, destination, connection)
            await record(
                viewer,
                "check_out",
                "Stay",
                stay.id,
                resident_id=stay.resident_id,
                detail=destination.value,
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(OccupancyChanged(shelter_id=stay.shelter_id))
    return stay


async def _end(
    stay: Stay,
    assignment: BedAssignment,
    when: datetime,
    destination: ExitDestination,
    connection: BaseDBAsyncClient,
) -> None:
    assignment.ended_at = when
    await assignment.save(using_db=connection, update_fields=["ended_at"])
    stay.checked_out_at = when
    stay.exit_destination = destination
    await stay.save(using_db=connection, update_fields=["checked_out_at", "exit_destination"])


async def transfer(
    viewer: Viewer, stay_id: int, bed_id: int, *, at: datetime | None = None
) -> Stay:
    """Move a resident to another bed. Within a shelter the stay goes on; to another shelter
    the stay ends (exit: other shelter) and a new one begins. Returns the stay now active.
    A bed held for this resident is theirs to take (the hold ends as checked in).

    >>> stay = await transfer(viewer, stay.id, other_bed.id)
    """
    require(viewer, Action.TRANSFER)
    when = moment(at, ["at"])
    try:
        async with in_transaction() as connection:
            stay, assignment = await _lock_active_stay(viewer, stay_id, connection)
            if assignment.bed_id == bed_id:
                raise DomainError(
                    ErrorCode.SAME_BED, ["bed"], "The resident is already in that bed."
                )
            _not_before(when, assignment.started_at, "stay's last bed change")
            bed, shelter_id = await lock_bed(viewer, bed_id, connection)
            require(viewer, Action.TRANSFER, shelter_ids=(stay.shelter_id, shelter_id))
            _not_before(when, bed.created_at, "bed was put in service")
            await take_hold(viewer, bed, stay.resident_id, None, connection)
            await ensure_bed_free(bed, when, connection=connection)
            left = stay.shelter_id
            if shelter_id == stay.shelter_id:
                assignment.ended_at = when
                await assignment.save(using_db=connection, update_fields=["ended_at"])
            else:
                await _end(stay, assignment, when, ExitDestination.OTHER_SHELTER, connection)
                stay = await Stay.create(
                    resident_id=stay.resident_id,
                    shelter_id=shelter_id,
                    checked_in_at=when,
                    using_db=connection,
                )
            await BedAssignment.create(
                stay_id=stay.id, bed_id=bed_id, started_at=when, using_db=connection
            )
            await record(
                viewer,
                "transfer",
                "Stay",
                stay.id,
                resident_id=stay.resident_id,
                detail=f"bed {bed_id}",
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    for changed in sorted({left, stay.shelter_id}):
        await publish(OccupancyChanged(shelter_id=changed))
    return stay
