"""Moving a service on: its status, its stages, a court case's hearings.

    await update_status(viewer, service.id, ServiceStatus.COMPLETED, outcome="At the embassy")
    await advance_stage(viewer, restoration.id, DocumentStage.ISSUED)
    await add_hearing(viewer, court_case.id, on=date(2026, 4, 2))

Every change locks the service's row, adds a row to its history (ServiceChange) and an audit
event, in its own transaction. A completed or cancelled service is not changed again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.domain.access import Action, Viewer, require, require_service_writer, service_scope
from server.domain.audit import record
from server.domain.clock import moment, now
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.domain.services import EARLIEST, MAX_OUTCOME, change_row, not_for_kind
from server.models import (
    ChangeKind,
    CourtHearing,
    DocumentStage,
    ReturnStage,
    ServiceChange,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
)

#: Where each status may go next. Completed and cancelled are final.
NEXT_STATUS: dict[ServiceStatus, frozenset[ServiceStatus]] = {
    ServiceStatus.PLANNED: frozenset(
        {ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED, ServiceStatus.CANCELLED}
    ),
    ServiceStatus.IN_PROGRESS: frozenset({ServiceStatus.COMPLETED, ServiceStatus.CANCELLED}),
    ServiceStatus.COMPLETED: frozenset(),
    ServiceStatus.CANCELLED: frozenset(),
}
CLOSED = frozenset({ServiceStatus.COMPLETED, ServiceStatus.CANCELLED})
Stage = DocumentStage | ReturnStage
#: The kind whose stages each stage type is, and the field that names it in the input.
STAGED: dict[type[Stage], tuple[ServiceKind, str]] = {
    DocumentStage: (ServiceKind.DOCUMENT_RESTORATION, "documentStage"),
    ReturnStage: (ServiceKind.RETURN_HOME, "returnStage"),
}
#: How far ahead a hearing may be set.
HEARINGS_AHEAD = timedelta(days=3 * 366)


async def _lock_open(
    viewer: Viewer, service_id: int, connection: BaseDBAsyncClient
) -> ServiceRecord:
    """The service, its row locked until the transaction ends, if the viewer may change it."""
    require(viewer, Action.LOG_SERVICE)
    visible = (
        await ServiceRecord.filter(service_scope(viewer), id=service_id)
        .using_db(connection)
        .exists()
    )
    service = (
        await ServiceRecord.filter(id=service_id).using_db(connection).select_for_update().first()
        if visible
        else None
    )
    if service is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["service"], "No such service.")
    require_service_writer(viewer, service.kind)
    if service.status in CLOSED:
        raise DomainError(
            ErrorCode.SERVICE_CLOSED,
            ["service"],
            f"The service is {service.status.value}: it is not changed again.",
        )
    return service


async def _after_history(
    service: ServiceRecord, at: datetime | None, connection: BaseDBAsyncClient
) -> datetime:
    when = moment(at, ["at"])
    last = (
        await ServiceChange.filter(service_id=service.id)
        .using_db(connection)
        .order_by("-at")
        .first()
    )
    if when < (last.at if last else service.recorded_at):
        raise DomainError(
            ErrorCode.DATE_BEFORE_HISTORY, ["at"], "The time is before the service's last change."
        )
    return when


async def update_status(
    viewer: Viewer,
    service_id: int,
    status: ServiceStatus,
    *,
    outcome: str | None = None,
    at: datetime | None = None,
    zone: tzinfo = UTC,
) -> ServiceRecord:
    """Move a service on: planned → in progress → completed, or cancelled before it completes.
    Completing sets the completion date (the local date of ``at``); ``outcome`` replaces it."""
    text = None if outcome is None else require_text(outcome, ["outcome"], max_length=MAX_OUTCOME)
    try:
        async with in_transaction() as connection:
            service = await _lock_open(viewer, service_id, connection)
            if status not in NEXT_STATUS[service.status]:
                raise DomainError(
                    ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
                    ["status"],
                    f"A service {service.status.value.replace('_', ' ')} cannot become "
                    f"{status.value.replace('_', ' ')}.",
                )
            when = await _after_history(service, at, connection)
            day = when.astimezone(zone).date()
            started = service.started_on or day
            if status is not ServiceStatus.CANCELLED:
                service.started_on = started
            if status is ServiceStatus.COMPLETED:
                if day < started:
                    raise DomainError(
                        ErrorCode.DATE_BEFORE_HISTORY,
                        ["at"],
                        "A service cannot be completed before it started.",
                    )
                service.completed_on = day
            previous, service.status = service.status, status
            if text is not None:
                service.outcome = text
            await service.save(
                using_db=connection,
                update_fields=["status", "started_on", "completed_on", "outcome"],
            )
            await change_row(service, ChangeKind.STATUS, when, viewer).save(using_db=connection)
            await record(
                viewer,
                "service_status",
                "ServiceRecord",
                service.id,
                resident_id=service.resident_id,
                detail=f"{previous.value} -> {status.value}",
                connection=connection,
            )
            return service
    except IntegrityError as error:
        raise refusal_for(error) from error


async def advance_stage(
    viewer: Viewer,
    service_id: int,
    stage: Stage,
    *,
    at: datetime | None = None,
    zone: tzinfo = UTC,
) -> ServiceRecord:
    """Move a document restoration or a return home to a later stage (stages may be skipped,
    never gone back). A planned service whose stage moves is in progress from then."""
    kind, field = STAGED[type(stage)]
    try:
        async with in_transaction() as connection:
            service = await _lock_open(viewer, service_id, connection)
            if service.kind is not kind:
                raise not_for_kind(service.kind, field)
            current = (
                service.document_stage
                if kind is ServiceKind.DOCUMENT_RESTORATION
                else service.return_stage
            )
            order = list(type(stage))
            if current is not None and order.index(stage) <= order.index(current):
                raise DomainError(
                    ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
                    [field],
                    f"The service is already at {current.value.replace('_', ' ')}: "
                    "stages only move forward.",
                )
            when = await _after_history(service, at, connection)
            if isinstance(stage, DocumentStage):
                service.document_stage = stage
            else:
                service.return_stage = stage
            if service.status is ServiceStatus.PLANNED:
                service.status = ServiceStatus.IN_PROGRESS
                service.started_on = when.astimezone(zone).date()
            await service.save(
                using_db=connection,
                update_fields=["document_stage", "return_stage", "status", "started_on"],
            )
            await change_row(service, ChangeKind.STAGE, when, viewer).save(using_db=connection)
            await record(
                viewer,
                "service_stage",
                "ServiceRecord",
                service.id,
                resident_id=service.resident_id,
                detail=stage.value,
                connection=connection,
            )
            return service
    except IntegrityError as error:
        raise refusal_for(error) from error


async def add_hearing(
    viewer: Viewer, service_id: int, *, on: date, outcome: str = "", zone: tzinfo = UTC
) -> CourtHearing:
    """Add a hearing to an open court representation: a past one with what came of it, or one
    ahead (whose outcome is not known yet)."""
    text = require_text(outcome, ["outcome"], max_length=MAX_OUTCOME)
    today = now().astimezone(zone).date()
    if not EARLIEST <= on <= today + HEARINGS_AHEAD:
        raise DomainError(ErrorCode.INVALID_VALUE, ["date"], "The hearing date is not plausible.")
    if on > today and text:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["outcome"],
            "A hearing that has not happened yet has no outcome.",
        )
    try:
        async with in_transaction() as connection:
            service = await _lock_open(viewer, service_id, connection)
            if service.kind is not ServiceKind.COURT_REPRESENTATION:
                raise DomainError(
                    ErrorCode.NOT_FOR_KIND,
                    ["service"],
                    "Hearings belong to court representations.",
                )
            hearing = await CourtHearing.create(
                service_id=service.id,
                recorded_by_id=viewer.user_id,
                hearing_on=on,
                outcome=text,
                recorded_at=now(),
                using_db=connection,
            )
            await record(
                viewer,
                "court_hearing_add",
                "CourtHearing",
                hearing.id,
                resident_id=service.resident_id,
                detail=on.isoformat(),
                connection=connection,
            )
            return hearing
    except IntegrityError as error:
        raise refusal_for(error) from error
