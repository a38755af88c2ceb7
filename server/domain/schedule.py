"""Time slots of appointments and sessions: the slot a booking asks for (not in the past, of a
sensible length), a local day as an interval, and the double-booking checks, which hold under
concurrency because every booking locks the people it books first.

    start, end = slot(starts_at, 30)                      # or DATE_IN_PAST, INVALID_VALUE
    await lock_people(connection, users=[provider_id], residents=[resident_id])
    await refuse_resident_clash(connection, [resident], start, end, zone)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery

from server.domain.access import Action, Viewer, require
from server.domain.clock import CLOCK_SKEW, in_utc, now
from server.domain.errors import DomainError, ErrorCode
from server.models import (
    AppointmentStatus,
    CounsellingParticipant,
    CounsellingSession,
    MedicalAppointment,
    Resident,
    SessionStatus,
    Stay,
    User,
)

#: The shortest and longest appointment or session, in minutes.
MIN_MINUTES = 5
MAX_MINUTES = 8 * 60
#: How far ahead a booking may be made.
HORIZON = timedelta(days=366)

Booking = TypeVar("Booking", MedicalAppointment, CounsellingSession)


def slot(starts_at: datetime, minutes: int) -> tuple[datetime, datetime]:
    """The (start, end) of a new booking, in UTC: refused in the past, more than a year ahead,
    without a time zone, or shorter than 5 minutes or longer than 8 hours."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["durationMinutes"],
            f"The duration must be {MIN_MINUTES} to {MAX_MINUTES} minutes, not {minutes}.",
        )
    start = in_utc(starts_at, ["startsAt"])
    current = now()
    if start < current - CLOCK_SKEW:
        raise DomainError(
            ErrorCode.DATE_IN_PAST, ["startsAt"], "The time is in the past: book a future one."
        )
    if start > current + HORIZON:
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["startsAt"], "The time is more than a year ahead."
        )
    return start, start + timedelta(minutes=minutes)


def day_window(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The instants of ``day`` in the shelters' time zone: [local midnight, next midnight);
    a day the database cannot carry (before 1900, after 9000) is refused."""
    try:
        following = day + timedelta(days=1)
    except OverflowError as error:
        raise DomainError(ErrorCode.INVALID_VALUE, ["day"], "The day is out of range.") from error
    start = in_utc(datetime.combine(day, time(0), tzinfo=zone), ["day"])
    return start, in_utc(datetime.combine(following, time(0), tzinfo=zone), ["day"])


def overlapping(start: datetime, end: datetime) -> Q:
    """Bookings that share some instant with [start, end)."""
    return Q(starts_at__lt=end, ends_at__gt=start)


def describe(start: datetime, end: datetime, zone: tzinfo) -> str:
    """``2026-03-02 10:00–10:30`` in the shelters' time zone."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{local_start:%Y-%m-%d %H:%M}–{local_end:%H:%M}"


async def lock_people(
    connection: BaseDBAsyncClient, *, users: Sequence[int], residents: Sequence[int]
) -> None:
    """Lock the accounts, then the residents, each in id order, until the transaction ends:
    two bookings of the same person queue here, so the second sees the first's row. Every
    booking locks in this one order, so two of them never wait on each other in a circle."""
    for user_id in sorted(set(users)):
        await User.filter(id=user_id).using_db(connection).select_for_update().first()
    for resident_id in sorted(set(residents)):
        await Resident.filter(id=resident_id).using_db(connection).select_for_update().first()


def live_appointments() -> Q:
    return ~Q(status=AppointmentStatus.CANCELLED)


def live_sessions() -> Q:
    return ~Q(status=SessionStatus.CANCELLED)


async def refuse_resident_clash(
    connection: BaseDBAsyncClient,
    residents: Sequence[Resident],
    start: datetime,
    end: datetime,
    zone: tzinfo,
    *,
    field: list[str],
) -> None:
    """RESIDENT_DOUBLE_BOOKED if a resident has an appointment or a session then (cancelled ones
    do not count), naming the resident and the time of the clash."""
    codes = {resident.id: resident.code for resident in residents}
    appointment = (
        await MedicalAppointment.filter(
            live_appointments(), overlapping(start, end), resident_id__in=list(codes)
        )
        .using_db(connection)
        .order_by("starts_at")
        .first()
    )
    if appointment is not None:
        raise DomainError(
            ErrorCode.RESIDENT_DOUBLE_BOOKED,
            field,
            f"{codes[appointment.resident_id]} already has a medical appointment at "
            f"{describe(appointment.starts_at, appointment.ends_at, zone)}.",
        )
    sessions = CounsellingSession.filter(live_sessions(), overlapping(start, end)).values("id")
    participant = (
        await CounsellingParticipant.filter(
            session_id__in=Subquery(sessions), resident_id__in=list(codes)
        )
        .using_db(connection)
        .first()
    )
    if participant is not None:
        session = (
            await CounsellingSession.filter(id=participant.session_id).using_db(connection).get()
        )
        raise DomainError(
            ErrorCode.RESIDENT_DOUBLE_BOOKED,
            field,
            f"{codes[participant.resident_id]} already has a counselling session at "
            f"{describe(session.starts_at, session.ends_at, zone)}.",
        )


async def resident_shelter(resident: Resident, connection: BaseDBAsyncClient) -> int | None:
    """Where a resident is now: their current stay's shelter, else their last one's, else the
    shelter that registered them."""
    last = (
        await Stay.filter(resident_id=resident.id)
        .using_db(connection)
        .order_by("-checked_in_at", "-id")
        .first()
    )
    return last.shelter_id if last is not None else resident.intake_shelter_id


async def lock_scheduled(
    viewer: Viewer,
    booking: tuple[type[Booking], int],
    *,
    scope: Q,
    action: Action,
    connection: BaseDBAsyncClient,
    may_act: Callable[[Booking], None] | None = None,
) -> Booking:
    """An appointment or session, locked for the transaction, if the viewer sees it (``scope``)
    and may ``action`` it (and ``may_act``, if given, agrees), and it is still scheduled.

    >>> await lock_scheduled(viewer, (MedicalAppointment, 9), scope=appointment_scope(viewer),
    ...                      action=Action.RECORD_VISIT, connection=connection)
    """
    model, booking_id = booking
    noun = "appointment" if model is MedicalAppointment else "session"
    visible = await model.filter(scope, id=booking_id).using_db(connection).exists()
    row = await model.filter(id=booking_id).using_db(connection).select_for_update().first()
    if not visible or row is None:
        raise DomainError(ErrorCode.NOT_FOUND, [noun], f"No such {noun}.")
    require(viewer, action, shelter_ids=(row.shelter_id,))
    if may_act is not None:
        may_act(row)
    if row.status.value != "scheduled":
        raise DomainError(
            ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
            [noun],
            f"The {noun} is already {row.status.value.replace('_', '-')}: "
            "only a scheduled one can change.",
        )
    return row


def refuse_before_start(booking: MedicalAppointment | CounsellingSession, refusal: str) -> None:
    """NOT_YET_STARTED with ``refusal`` while the booking's time has not come."""
    if booking.starts_at > now() + CLOCK_SKEW:
        noun = "appointment" if isinstance(booking, MedicalAppointment) else "session"
        raise DomainError(ErrorCode.NOT_YET_STARTED, [noun], refusal)
