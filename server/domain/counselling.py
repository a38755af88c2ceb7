"""Counselling sessions: scheduling one (shelter staff, or the counsellor for themselves),
recording who attended and the private notes (the counsellor only), and cancelling.

    session = await schedule_session(viewer, SessionBooking(kind=SessionKind.SOCIAL,
        counsellor_id=4, resident_ids=(7,), starts_at=tomorrow_3pm, minutes=50))
    await record_session(viewer, session.id, attended_ids={7}, notes="Talked about work")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import (
    SESSION_ROLE,
    Action,
    Viewer,
    require,
    resident_scope,
    session_scope,
)
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.domain.schedule import (
    describe,
    live_sessions,
    lock_people,
    lock_scheduled,
    overlapping,
    refuse_before_start,
    refuse_resident_clash,
    resident_shelter,
    slot,
)
from server.models import (
    CounsellingParticipant,
    CounsellingSession,
    Resident,
    Role,
    SessionFormat,
    SessionKind,
    SessionStatus,
    User,
)

MAX_NOTES = 20_000
#: The most residents in one group session.
MAX_GROUP = 30
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class SessionBooking:
    kind: SessionKind
    counsellor_id: int
    resident_ids: tuple[int, ...]
    starts_at: datetime
    minutes: int
    format: SessionFormat = SessionFormat.INDIVIDUAL
    interpreter_language: str = ""


def _language(code: str) -> str:
    code = require_text(code, ["interpreterLanguage"], max_length=3).lower()
    if code and not _LANGUAGE.match(code):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["interpreterLanguage"],
            "The interpreter's language must be an ISO 639 code, such as uz or ru.",
        )
    return code


def _participants(booking: SessionBooking) -> list[int]:
    ids = list(dict.fromkeys(booking.resident_ids))
    if booking.format is SessionFormat.INDIVIDUAL and len(ids) != 1:
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["residents"], "An individual session has one resident."
        )
    if booking.format is SessionFormat.GROUP and not 2 <= len(ids) <= MAX_GROUP:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["residents"],
            f"A group session has 2 to {MAX_GROUP} residents.",
        )
    return ids


async def _counsellor(
    viewer: Viewer, booking: SessionBooking, shelter_id: int, connection: BaseDBAsyncClient
) -> User:
    """The session's counsellor: an active account of the role the kind needs (a legal adviser
    for legal sessions), working in the shelter. A counsellor schedules only for themselves."""
    role = SESSION_ROLE[booking.kind]
    if viewer.role is not Role.SHELTER_STAFF and viewer.user_id != booking.counsellor_id:
        raise DomainError(
            ErrorCode.FORBIDDEN, ["counsellor"], "You may schedule only your own sessions."
        )
    counsellor = (
        await User.filter(
            id=booking.counsellor_id, role=role, is_active=True, shelters__id=shelter_id
        )
        .using_db(connection)
        .first()
    )
    if counsellor is None:
        who = "legal adviser" if role is Role.LEGAL else "counsellor"
        raise DomainError(
            ErrorCode.NOT_FOUND,
            ["counsellor"],
            f"No such {who} works in the residents' shelter ({booking.kind.value} sessions).",
        )
    return counsellor


async def _residents(
    viewer: Viewer, ids: list[int], connection: BaseDBAsyncClient
) -> tuple[list[Resident], int]:
    """The residents, all seen by the viewer and all of one shelter, and that shelter."""
    found = {
        row.id: row
        for row in await Resident.filter(resident_scope(viewer), id__in=ids).using_db(connection)
    }
    if len(found) != len(ids):
        raise DomainError(ErrorCode.NOT_FOUND, ["residents"], "No such resident.")
    residents = [found[resident_id] for resident_id in ids]
    shelters = {await resident_shelter(resident, connection) for resident in residents}
    if len(shelters) != 1 or None in shelters:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["residents"],
            "The residents of a session must all be of one shelter.",
        )
    shelter_id = shelters.pop()
    assert shelter_id is not None
    return residents, shelter_id


async def schedule_session(
    viewer: Viewer, booking: SessionBooking, *, zone: tzinfo = UTC
) -> CounsellingSession:
    """Schedule a session, refused in the past or when the counsellor or a resident is already
    booked then (a session or a medical appointment)."""
    require(viewer, Action.SCHEDULE_SESSION)
    language = _language(booking.interpreter_language)
    ids = _participants(booking)
    start, end = slot(booking.starts_at, booking.minutes)
    try:
        async with in_transaction() as connection:
            residents, shelter_id = await _residents(viewer, ids, connection)
            require(viewer, Action.SCHEDULE_SESSION, shelter_ids=(shelter_id,))
            counsellor = await _counsellor(viewer, booking, shelter_id, connection)
            await lock_people(connection, users=[counsellor.id], residents=ids)
            clash = (
                await CounsellingSession.filter(
                    live_sessions(), overlapping(start, end), counsellor_id=counsellor.id
                )
                .using_db(connection)
                .order_by("starts_at")
                .first()
            )
            if clash is not None:
                raise DomainError(
                    ErrorCode.COUNSELLOR_DOUBLE_BOOKED,
                    ["counsellor"],
                    f"{counsellor.full_name} already has a session at "
                    f"{describe(clash.starts_at, clash.ends_at, zone)}.",
                )
            await refuse_resident_clash(
                connection, residents, start, end, zone, field=["residents"]
            )
            session = await CounsellingSession.create(
                shelter_id=shelter_id,
                counsellor_id=counsellor.id,
                kind=booking.kind,
                format=booking.format,
                starts_at=start,
                ends_at=end,
                interpreter_language=language,
                status=SessionStatus.SCHEDULED,
                scheduled_at=now(),
                using_db=connection,
            )
            await CounsellingParticipant.bulk_create(
                [CounsellingParticipant(session_id=session.id, resident_id=i) for i in ids],
                using_db=connection,
            )
            for resident_id in ids:
                await record(
                    viewer,
                    "session_schedule",
                    "CounsellingSession",
                    session.id,
                    resident_id=resident_id,
                    detail=f"{booking.kind.value} with {counsellor.username}",
                    connection=connection,
                )
            return session
    except IntegrityError as error:
        raise refusal_for(error) from error


def _counsellor_or_staff(viewer: Viewer) -> Callable[[CounsellingSession], None]:
    def check(session: CounsellingSession) -> None:
        if viewer.role is not Role.SHELTER_STAFF and viewer.user_id != session.counsellor_id:
            raise DomainError(
                ErrorCode.FORBIDDEN, ["session"], "Only the session's counsellor may do this."
            )

    return check


async def _lock_scheduled(
    viewer: Viewer, session_id: int, action: Action, connection: BaseDBAsyncClient
) -> CounsellingSession:
    return await lock_scheduled(
        viewer,
        (CounsellingSession, session_id),
        scope=session_scope(viewer),
        action=action,
        connection=connection,
        may_act=_counsellor_or_staff(viewer),
    )


async def record_session(
    viewer: Viewer, session_id: int, *, attended_ids: Collection[int], notes: str = ""
) -> CounsellingSession:
    """Record a session once its time came: who attended, and private notes only the recording
    counsellor (the session's own) will ever read. Anyone else is refused and nothing is written.

    >>> await record_session(viewer, 9, attended_ids={7, 8}, notes="Group: sleep, routines")
    """
    require(viewer, Action.RECORD_SESSION)
    notes = require_text(notes, ["notes"], max_length=MAX_NOTES)
    try:
        async with in_transaction() as connection:
            session = await _lock_scheduled(viewer, session_id, Action.RECORD_SESSION, connection)
            refuse_before_start(
                session, "The session has not started yet: record it after it took place."
            )
            participants = await CounsellingParticipant.filter(session_id=session.id).using_db(
                connection
            )
            members = {participant.resident_id for participant in participants}
            if not set(attended_ids) <= members:
                raise DomainError(
                    ErrorCode.INVALID_VALUE,
                    ["attended"],
                    "Only the session's participants can have attended it.",
                )
            for participant in participants:
                participant.attended = participant.resident_id in attended_ids
                await participant.save(using_db=connection, update_fields=["attended"])
            session.status = SessionStatus.RECORDED
            session.recorded_at = now()
            session.recorded_by_id = viewer.user_id
            session.notes = notes or None  # type: ignore[assignment]  # a nullable column
            await session.save(
                using_db=connection,
                update_fields=["status", "recorded_at", "recorded_by_id", "notes"],
            )
            for participant in participants:
                await record(
                    viewer,
                    "session_record",
                    "CounsellingSession",
                    session.id,
                    resident_id=participant.resident_id,
                    detail="attended" if participant.attended else "absent",
                    connection=connection,
                )
            return session
    except IntegrityError as error:
        raise refusal_for(error) from error


async def cancel_session(
    viewer: Viewer, session_id: int, *, reason: str = ""
) -> CounsellingSession:
    """Cancel a scheduled session (shelter staff, or its counsellor): its time is free again."""
    require(viewer, Action.SCHEDULE_SESSION)
    reason = require_text(reason, ["reason"], max_length=200)
    try:
        async with in_transaction() as connection:
            session = await _lock_scheduled(viewer, session_id, Action.SCHEDULE_SESSION, connection)
            session.status = SessionStatus.CANCELLED
            await session.save(using_db=connection, update_fields=["status"])
            residents = (
                await CounsellingParticipant.filter(session_id=session.id)
                .using_db(connection)
                .values_list("resident_id", flat=True)
            )
            for resident_id in residents:
                await record(
                    viewer,
                    "session_cancel",
                    "CounsellingSession",
                    session.id,
                    resident_id=resident_id,
                    detail=reason,
                    connection=connection,
                )
            return session
    except IntegrityError as error:
        raise refusal_for(error) from error


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions a schedule wants; every part optional. ``between`` is [start, end)."""

    shelter_id: int | None = None
    counsellor_id: int | None = None
    resident_id: int | None = None
    between: tuple[datetime, datetime] | None = None
    status: SessionStatus | None = None


def find_sessions(viewer: Viewer, criteria: SessionFilter) -> QuerySet[CounsellingSession]:
    """The sessions the viewer sees that match, by start time, then id."""
    query = CounsellingSession.filter(session_scope(viewer))
    if criteria.shelter_id is not None:
        if criteria.shelter_id not in viewer.shelter_ids:
            query = query.filter(id__in=[])
        query = query.filter(shelter_id=criteria.shelter_id)
    if criteria.counsellor_id is not None:
        query = query.filter(counsellor_id=criteria.counsellor_id)
    if criteria.resident_id is not None:
        # Only a resident the viewer sees: a group session can be visible through another
        # participant, and must not confirm that this one took part.
        with_resident = CounsellingParticipant.filter(
            resident_scope(viewer, "resident"), resident_id=criteria.resident_id
        )
        query = query.filter(id__in=Subquery(with_resident.values("session_id")))
    if criteria.between is not None:
        start, end = criteria.between
        query = query.filter(Q(starts_at__gte=start) & Q(starts_at__lt=end))
    if criteria.status is not None:
        query = query.filter(status=criteria.status)
    return query.order_by("starts_at", "id")
