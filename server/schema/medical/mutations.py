"""Booking an appointment, cancelling it or marking a no-show, and recording its visit."""

from __future__ import annotations

import strawberry

from server.domain import medical
from server.models import AppointmentStatus as Status
from server.models import MedicalAppointment as AppointmentRow
from server.schema.context import Info
from server.schema.medical.inputs import (
    AppointmentCancelInput,
    AppointmentMarkNoShowInput,
    AppointmentScheduleInput,
    VisitRecordInput,
)
from server.schema.medical.types import MedicalAppointment
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id


@strawberry.type
class AppointmentSchedulePayload:
    appointment: MedicalAppointment | None
    errors: list[UserError]


@strawberry.type
class AppointmentCancelPayload:
    appointment: MedicalAppointment | None
    errors: list[UserError]


@strawberry.type
class AppointmentMarkNoShowPayload:
    appointment: MedicalAppointment | None
    errors: list[UserError]


@strawberry.type
class VisitRecordPayload:
    appointment: MedicalAppointment | None = strawberry.field(
        description="The appointment, now completed, with its visit."
    )
    errors: list[UserError]


def _appointment(row: AppointmentRow | None) -> MedicalAppointment | None:
    return MedicalAppointment.from_model(row) if row else None


@strawberry.type
class MedicalMutations:
    @strawberry.mutation(
        description="Book a resident with a medical volunteer of their shelter (shelter staff "
        "or medical volunteers). Refused in the past, or when either is already booked then."
    )
    async def appointment_schedule(
        self,
        info: Info,
        input: AppointmentScheduleInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> AppointmentSchedulePayload:
        async def run() -> AppointmentRow:
            booking = medical.Booking(
                resident_id=decode_id(input.resident, "Resident", ["resident"]),
                provider_id=decode_id(input.provider, "User", ["provider"]),
                kind=input.kind,
                starts_at=input.starts_at,
                minutes=input.duration_minutes,
                place=input.place,
            )
            return await medical.schedule_appointment(
                info.context.viewer, booking, zone=info.context.settings.zone
            )

        row, errors = await attempt_once(
            info, idempotency_key, "appointmentSchedule", input, AppointmentRow, run
        )
        return AppointmentSchedulePayload(appointment=_appointment(row), errors=errors)

    @strawberry.mutation(description="Cancel a scheduled appointment: its time is free again.")
    async def appointment_cancel(
        self,
        info: Info,
        input: AppointmentCancelInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> AppointmentCancelPayload:
        async def run() -> AppointmentRow:
            return await medical.set_appointment_status(
                info.context.viewer,
                decode_id(input.appointment, "MedicalAppointment", ["appointment"]),
                Status.CANCELLED,
                reason=input.reason,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "appointmentCancel", input, AppointmentRow, run
        )
        return AppointmentCancelPayload(appointment=_appointment(row), errors=errors)

    @strawberry.mutation(description="Mark a scheduled appointment whose time came a no-show.")
    async def appointment_mark_no_show(
        self,
        info: Info,
        input: AppointmentMarkNoShowInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> AppointmentMarkNoShowPayload:
        async def run() -> AppointmentRow:
            return await medical.set_appointment_status(
                info.context.viewer,
                decode_id(input.appointment, "MedicalAppointment", ["appointment"]),
                Status.NO_SHOW,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "appointmentMarkNoShow", input, AppointmentRow, run
        )
        return AppointmentMarkNoShowPayload(appointment=_appointment(row), errors=errors)

    @strawberry.mutation(
        description="Record the visit of a scheduled appointment whose time came, completing "
        "it (medical volunteers of its shelter). Findings and notes are encrypted at rest."
    )
    async def visit_record(
        self, info: Info, input: VisitRecordInput, idempotency_key: IdempotencyKeyArgument = None
    ) -> VisitRecordPayload:
        async def run() -> AppointmentRow:
            return await medical.record_visit(
                info.context.viewer,
                decode_id(input.appointment, "MedicalAppointment", ["appointment"]),
                input.to_visit(),
                zone=info.context.settings.zone,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "visitRecord", input, AppointmentRow, run
        )
        return VisitRecordPayload(appointment=_appointment(row), errors=errors)
