"""Scheduling, recording and cancelling counselling sessions."""

from __future__ import annotations

import strawberry

from server.domain import counselling
from server.models import CounsellingSession as SessionRow
from server.schema.context import Info
from server.schema.counselling.inputs import (
    CounsellingSessionCancelInput,
    CounsellingSessionRecordInput,
    CounsellingSessionScheduleInput,
)
from server.schema.counselling.types import CounsellingSession
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id


@strawberry.type
class CounsellingSessionSchedulePayload:
    session: CounsellingSession | None
    errors: list[UserError]


@strawberry.type
class CounsellingSessionRecordPayload:
    session: CounsellingSession | None
    errors: list[UserError]


@strawberry.type
class CounsellingSessionCancelPayload:
    session: CounsellingSession | None
    errors: list[UserError]


def _session(row: SessionRow | None) -> CounsellingSession | None:
    return CounsellingSession.from_model(row) if row else None


@strawberry.type
class CounsellingMutations:
    @strawberry.mutation(
        description="Schedule a session (shelter staff, or a counsellor for themselves). Refused "
        "in the past, or when the counsellor or a resident is already booked then."
    )
    async def counselling_session_schedule(
        self,
        info: Info,
        input: CounsellingSessionScheduleInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> CounsellingSessionSchedulePayload:
        async def run() -> SessionRow:
            booking = counselling.SessionBooking(
                kind=input.kind,
                counsellor_id=decode_id(input.counsellor, "User", ["counsellor"]),
                resident_ids=tuple(
                    decode_id(resident, "Resident", ["residents", str(index)])
                    for index, resident in enumerate(input.residents)
                ),
                starts_at=input.starts_at,
                minutes=input.duration_minutes,
                format=input.format,
                interpreter_language=input.interpreter_language,
            )
            return await counselling.schedule_session(
                info.context.viewer, booking, zone=info.context.settings.zone
            )

        row, errors = await attempt_once(
            info, idempotency_key, "counsellingSessionSchedule", input, SessionRow, run
        )
        return CounsellingSessionSchedulePayload(session=_session(row), errors=errors)

    @strawberry.mutation(
        description="Record a session once it took place: who attended, and private notes "
        "only you will read. Its own counsellor only; anyone else is refused."
    )
    async def counselling_session_record(
        self,
        info: Info,
        input: CounsellingSessionRecordInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> CounsellingSessionRecordPayload:
        async def run() -> SessionRow:
            return await counselling.record_session(
                info.context.viewer,
                decode_id(input.session, "CounsellingSession", ["session"]),
                attended_ids={
                    decode_id(resident, "Resident", ["attended", str(index)])
                    for index, resident in enumerate(input.attended)
                },
                notes=input.notes,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "counsellingSessionRecord", input, SessionRow, run
        )
        return CounsellingSessionRecordPayload(session=_session(row), errors=errors)

    @strawberry.mutation(
        description="Cancel a scheduled session (shelter staff, or its counsellor)."
    )
    async def counselling_session_cancel(
        self,
        info: Info,
        input: CounsellingSessionCancelInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> CounsellingSessionCancelPayload:
        async def run() -> SessionRow:
            return await counselling.cancel_session(
                info.context.viewer,
                decode_id(input.session, "CounsellingSession", ["session"]),
                reason=input.reason,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "counsellingSessionCancel", input, SessionRow, run
        )
        return CounsellingSessionCancelPayload(session=_session(row), errors=errors)
