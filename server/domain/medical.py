"""Medical appointments: booking one with a medical volunteer, cancelling it or marking a
no-show, and recording the visit that completes it. Each write locks what it decides on, is
audited, and keeps the appointment's status history.

    appointment = await schedule_appointment(viewer, Booking(resident_id=7, provider_id=3,
        kind=AppointmentKind.DENTAL, starts_at=tomorrow_10am, minutes=30))
    await set_appointment_status(viewer, appointment.id, AppointmentStatus.CANCELLED)
    await record_visit(viewer, appointment.id, Visit(findings="Two fillings needed"))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, appointment_scope, require, resident_scope
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.domain.events import AppointmentChanged, publish
from server.domain.schedule import (
    describe,
    live_appointments,
    lock_people,
    lock_scheduled,
    overlapping,
    refuse_before_start,
    refuse_resident_clash,
    resident_shelter,
    slot,
)
from server.models import (
    AppointmentKind,
    AppointmentStatus,
    AppointmentStatusChange,
    MedicalAppointment,
    MedicalVisit,
    Resident,
    Role,
    User,
)

MAX_PLACE = 200
MAX_TEXT = 20_000
#: How far after the visit a follow-up may be planned.
FOLLOW_UP_HORIZON = timedelta(days=2 * 366)


@dataclass(frozen=True)
class Booking:
    resident_id: int
    provider_id: int
    kind: AppointmentKind
    starts_at: datetime
    minutes: int
    place: str = ""


@dataclass(frozen=True)
class Visit:
    """What a medical volunteer writes when the appointment took place."""

    findings: str
    notes: str = ""
    follow_up_on: date | None = None
    referred_to_hospital: bool = False
    hospital: str = ""


async def _provider(provider_id: int, shelter_id: int, connection: BaseDBAsyncClient) -> User:
    """An active medical volunteer working in the shelter; any other account is not found,
    whether or not it exists."""
    provider = (
        await User.filter(
            id=provider_id, role=Role.MEDICAL, is_active=True, shelters__id=shelter_id
        )
        .using_db(connection)
        .first()
    )
    if provider is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            ["provider"],
            "No such medical volunteer works in the resident's shelter.",
        )
    return provider


async def _refuse_provider_clash(
    connection: BaseDBAsyncClient, provider: User, start: datetime, end: datetime, zone: tzinfo
) -> None:
    clash = (
        await MedicalAppointment.filter(
            live_appointments(), overlapping(start, end), provider_id=provider.id
        )
        .using_db(connection)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:  # the other resident is not named: the viewer may not see them
        raise DomainError(
            ErrorCode.PROVIDER_DOUBLE_BOOKED,
            ["provider"],
            f"{provider.full_name} already has an appointment at "
            f"{describe(clash.starts_at, clash.ends_at, zone)}.",
        )


async def schedule_appointment(
    viewer: Viewer, booking: Booking, *, zone: tzinfo = UTC
) -> MedicalAppointment:
    """Book a resident with a medical volunteer of their shelter, refused in the past or when
    either is already booked then. ``zone`` is the shelters' time zone, for messages."""
    require(viewer, Action.SCHEDULE_APPOINTMENT)
    place = require_text(booking.place, ["place"], max_length=MAX_PLACE)
    start, end = slot(booking.starts_at, booking.minutes)
    try:
        async with in_transaction() as connection:
            resident = (
                await Resident.filter(resident_scope(viewer), id=booking.resident_id)
                .using_db(connection)
                .first()
            )
            if resident is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["resident"], "No such resident.")
            shelter_id = await resident_shelter(resident, connection)
            if shelter_id is None:
                raise DomainError(
                    ErrorCode.INVALID_VALUE, ["resident"], f"{resident.code} has no shelter."
                )
            require(viewer, Action.SCHEDULE_APPOINTMENT, shelter_ids=(shelter_id,))
            provider = await _provider(booking.provider_id, shelter_id, connection)
            await lock_people(connection, users=[provider.id], residents=[resident.id])
            await _refuse_provider_clash(connection, provider, start, end, zone)
            await refuse_resident_clash(
                connection, [resident], start, end, zone, field=["resident"]
            )
            appointment = await MedicalAppointment.create(
                resident_id=resident.id,
                shelter_id=shelter_id,
                provider_id=provider.id,
                kind=booking.kind,
                starts_at=start,
                ends_at=end,
                place=place,
                status=AppointmentStatus.SCHEDULED,
                booked_at=now(),
                using_db=connection,
            )
            await _history(viewer, appointment, connection)
            await record(
                viewer,
                "appointment_schedule",
                "MedicalAppointment",
                appointment.id,
                resident_id=resident.id,
                detail=f"{booking.kind.value} with {provider.username} at {start.isoformat()}",
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(
        AppointmentChanged(shelter_id=appointment.shelter_id, appointment_id=appointment.id)
    )
    return appointment


async def _history(
    viewer: Viewer, appointment: MedicalAppointment, connection: BaseDBAsyncClient, reason: str = ""
) -> None:
    await AppointmentStatusChange.create(
        appointment_id=appointment.id,
        status=appointment.status,
        changed_at=now(),
        changed_by_id=viewer.user_id,
        reason=reason,
        using_db=connection,
    )


async def _lock_scheduled(
    viewer: Viewer, appointment_id: int, action: Action, connection: BaseDBAsyncClient
) -> MedicalAppointment:
    return await lock_scheduled(
        viewer,
        (MedicalAppointment, appointment_id),
        scope=appointment_scope(viewer),
        action=action,
        connection=connection,
    )


def _started(appointment: MedicalAppointment, what: str) -> None:
    refuse_before_start(
        appointment, f"The appointment has not started yet: it cannot be {what} before its time."
    )


async def set_appointment_status(
    viewer: Viewer, appointment_id: int, status: AppointmentStatus, *, reason: str = ""
) -> MedicalAppointment:
    """Cancel a scheduled appointment (any time) or mark it a no-show (once its time came).

    >>> await set_appointment_status(viewer, 12, AppointmentStatus.NO_SHOW)
    """
    require(viewer, Action.SET_APPOINTMENT_STATUS)
    if status not in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["status"], "Only cancelled or no-show is set this way."
        )
    reason = require_text(reason, ["reason"], max_length=200)
    try:
        async with in_transaction() as connection:
            appointment = await _lock_scheduled(
                viewer, appointment_id, Action.SET_APPOINTMENT_STATUS, connection
            )
            if status is AppointmentStatus.NO_SHOW:
                _started(appointment, "marked a no-show")
            appointment.status = status
            await appointment.save(using_db=connection, update_fields=["status"])
            await _history(viewer, appointment, connection, reason)
            await record(
                viewer,
                f"appointment_{status.value}",
                "MedicalAppointment",
                appointment.id,
                resident_id=appointment.resident_id,
                detail=reason,
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(
        AppointmentChanged(shelter_id=appointment.shelter_id, appointment_id=appointment.id)
    )
    return appointment


def _validated(visit: Visit, appointment_day: date) -> Visit:
    findings = require_text(visit.findings, ["findings"], max_length=MAX_TEXT, required=True)
    notes = require_text(visit.notes, ["notes"], max_length=MAX_TEXT)
    hospital = require_text(
        visit.hospital, ["hospital"], max_length=MAX_PLACE, required=visit.referred_to_hospital
    )
    if hospital and not visit.referred_to_hospital:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["hospital"],
            "A hospital is named only with a referral: set referredToHospital.",
        )
    follow_up = visit.follow_up_on
    if follow_up is not None and not (
        appointment_day < follow_up <= appointment_day + FOLLOW_UP_HORIZON
    ):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["followUpOn"],
            "The follow-up must be after the visit and within two years.",
        )
    return Visit(findings, notes, follow_up, visit.referred_to_hospital, hospital)


async def record_visit(
    viewer: Viewer, appointment_id: int, visit: Visit, *, zone: tzinfo = UTC
) -> MedicalAppointment:
    """Write the visit record of a scheduled appointment whose time has come, completing it.
    Medical volunteers of the appointment's shelter only; findings and notes are encrypted.

    >>> await record_visit(viewer, 12, Visit(findings="BP 120/80", follow_up_on=next_week))
    """
    require(viewer, Action.RECORD_VISIT)
    try:
        async with in_transaction() as connection:
            appointment = await _lock_scheduled(
                viewer, appointment_id, Action.RECORD_VISIT, connection
            )
            _started(appointment, "completed")
            clean = _validated(visit, appointment.starts_at.astimezone(zone).date())
            assert viewer.user_id is not None  # a medical volunteer has an account
            row = await MedicalVisit.create(
                appointment_id=appointment.id,
                recorded_by_id=viewer.user_id,
                recorded_at=now(),
                findings=clean.findings,
                notes=clean.notes or None,
                follow_up_on=clean.follow_up_on,
                referred_to_hospital=clean.referred_to_hospital,
                hospital=clean.hospital,
                using_db=connection,
            )
            appointment.status = AppointmentStatus.COMPLETED
            await appointment.save(using_db=connection, update_fields=["status"])
            await _history(viewer, appointment, connection)
            await record(
                viewer,
                "visit_record",
                "MedicalVisit",
                row.id,
                resident_id=appointment.resident_id,
                detail="referred to hospital" if clean.referred_to_hospital else "",
                connection=connection,
            )
    except IntegrityError as error:
        raise refusal_for(error) from error
    await publish(
        AppointmentChanged(shelter_id=appointment.shelter_id, appointment_id=appointment.id)
    )
    return appointment


@dataclass(frozen=True)
class AppointmentFilter:
    """Which appointments a schedule wants; every part optional. ``between`` is [start, end)."""

    shelter_id: int | None = None
    provider_id: int | None = None
    resident_id: int | None = None
    between: tuple[datetime, datetime] | None = None
    status: AppointmentStatus | None = None


def find_appointments(viewer: Viewer, criteria: AppointmentFilter) -> QuerySet[MedicalAppointment]:
    """The appointments the viewer sees that match, for a schedule: by start time, then id.
    A shelter the viewer does not work in has none (where else a person was seen is not theirs
    to know).

    >>> find_appointments(viewer, AppointmentFilter(provider_id=3, between=day_window(d, zone)))
    """
    query = MedicalAppointment.filter(appointment_scope(viewer))
    if criteria.shelter_id is not None:
        if criteria.shelter_id not in viewer.shelter_ids:
            query = query.filter(id__in=[])
        query = query.filter(shelter_id=criteria.shelter_id)
    if criteria.provider_id is not None:
        query = query.filter(provider_id=criteria.provider_id)
    if criteria.resident_id is not None:
        query = query.filter(resident_id=criteria.resident_id)
    if criteria.between is not None:
        start, end = criteria.between
        query = query.filter(Q(starts_at__gte=start) & Q(starts_at__lt=end))
    if criteria.status is not None:
        query = query.filter(status=criteria.status)
    return query.order_by("starts_at", "id")
