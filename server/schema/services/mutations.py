"""Logging a service, changing its status, advancing its stage, adding a court hearing."""

from __future__ import annotations

import strawberry

from server.domain import service_progress, services
from server.domain.errors import DomainError, ErrorCode
from server.domain.service_progress import Stage
from server.models import CourtHearing as CourtHearingRow
from server.models import ServiceRecord as ServiceRow
from server.schema.context import Info
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id
from server.schema.services.inputs import (
    CourtHearingAddInput,
    ServiceAdvanceStageInput,
    ServiceLogInput,
    ServiceUpdateStatusInput,
)
from server.schema.services.types import CourtHearing, ServiceRecord


@strawberry.type
class ServiceLogPayload:
    service: ServiceRecord | None
    errors: list[UserError]


@strawberry.type
class ServiceUpdateStatusPayload:
    service: ServiceRecord | None
    errors: list[UserError]


@strawberry.type
class ServiceAdvanceStagePayload:
    service: ServiceRecord | None
    errors: list[UserError]


@strawberry.type
class CourtHearingAddPayload:
    hearing: CourtHearing | None
    errors: list[UserError]


def _service(row: ServiceRow | None) -> ServiceRecord | None:
    return ServiceRecord.from_model(row) if row else None


@strawberry.type
class ServiceMutations:
    @strawberry.mutation(
        description="Log a service for a resident. Legal kinds: shelter staff and legal "
        "advisers; others: staff, legal advisers and counsellors, of the shelter it is logged at."
    )
    async def service_log(
        self,
        info: Info,
        input: ServiceLogInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> ServiceLogPayload:
        async def run() -> ServiceRow:
            return await services.log_service(
                info.context.viewer,
                input.to_entry(),
                at=input.at,
                zone=info.context.settings.zone,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "serviceLog", input, ServiceRow, run
        )
        return ServiceLogPayload(service=_service(row), errors=errors)

    @strawberry.mutation(
        description="Move a service on: planned, in progress, completed; or cancel it. "
        "A completed or cancelled service is not changed again."
    )
    async def service_update_status(
        self,
        info: Info,
        input: ServiceUpdateStatusInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> ServiceUpdateStatusPayload:
        async def run() -> ServiceRow:
            return await service_progress.update_status(
                info.context.viewer,
                decode_id(input.service, "ServiceRecord", ["service"]),
                input.status,
                outcome=input.outcome,
                at=input.at,
                zone=info.context.settings.zone,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "serviceUpdateStatus", input, ServiceRow, run
        )
        return ServiceUpdateStatusPayload(service=_service(row), errors=errors)

    @strawberry.mutation(
        description="Move a document restoration or a return home to a later stage: give the "
        "stage of its kind."
    )
    async def service_advance_stage(
        self,
        info: Info,
        input: ServiceAdvanceStageInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> ServiceAdvanceStagePayload:
        async def run() -> ServiceRow:
            given: list[Stage | None] = [input.document_stage, input.return_stage]
            stages: list[Stage] = [stage for stage in given if stage is not None]
            if len(stages) != 1:
                raise DomainError(
                    ErrorCode.REQUIRED if not stages else ErrorCode.INVALID_VALUE,
                    ["documentStage"],
                    "Give one stage: documentStage or returnStage.",
                )
            return await service_progress.advance_stage(
                info.context.viewer,
                decode_id(input.service, "ServiceRecord", ["service"]),
                stages[0],
                at=input.at,
                zone=info.context.settings.zone,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "serviceAdvanceStage", input, ServiceRow, run
        )
        return ServiceAdvanceStagePayload(service=_service(row), errors=errors)

    @strawberry.mutation(description="Add a hearing, held or ahead, to a court representation.")
    async def court_hearing_add(
        self,
        info: Info,
        input: CourtHearingAddInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> CourtHearingAddPayload:
        async def run() -> CourtHearingRow:
            return await service_progress.add_hearing(
                info.context.viewer,
                decode_id(input.service, "ServiceRecord", ["service"]),
                on=input.hearing_on,
                outcome=input.outcome,
                zone=info.context.settings.zone,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "courtHearingAdd", input, CourtHearingRow, run
        )
        return CourtHearingAddPayload(
            hearing=CourtHearing.from_model(row) if row else None, errors=errors
        )
