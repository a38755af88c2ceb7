"""Logging the services a resident receives, and following each one: status, stages, hearings.

    service = await log_service(viewer, ServiceEntry(resident_id=7, kind=ServiceKind.TRANSPORT))
    await update_status(viewer, service.id, ServiceStatus.COMPLETED, outcome="At the embassy")
    await advance_stage(viewer, restoration.id, DocumentStage.ISSUED)
    await add_hearing(viewer, court_case.id, on=date(2026, 4, 2))

Every change is a row of the service's history (ServiceChange) and an audit event, written in
the change's own transaction. A completed or cancelled service is not changed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import (
    Action,
    Viewer,
    require,
    require_service_writer,
    resident_scope,
    service_scope,
    shelter_scope,
)
from server.domain.audit import record
from server.domain.clock import moment, now
from server.domain.errors import DomainError, ErrorCode, refusal_for, require_text
from server.models import (
    ChangeKind,
    CourtHearing,
    DocumentStage,
    DocumentType,
    Pillar,
    Resident,
    ReturnStage,
    ServiceChange,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
    Stay,
)

#: The pillar a kind counts under unless the person logging it says otherwise (a service given
#: through a partner organisation, say, counts under partnership).
DEFAULT_PILLAR: dict[ServiceKind, Pillar] = {
    ServiceKind.LEGAL_AID: Pillar.PROTECTION,
    ServiceKind.DOCUMENT_RESTORATION: Pillar.PROTECTION,
    ServiceKind.COURT_REPRESENTATION: Pillar.PROSECUTION,
    ServiceKind.POLICE_STATEMENT: Pillar.PROSECUTION,
    ServiceKind.FAMILY_TRACING: Pillar.PROTECTION,
    ServiceKind.RETURN_HOME: Pillar.PROTECTION,
    ServiceKind.INTERPRETATION: Pillar.PROTECTION,
    ServiceKind.TRANSPORT: Pillar.PROTECTION,
    ServiceKind.VOCATIONAL_TRAINING: Pillar.PREVENTION,
    ServiceKind.HYGIENE_KIT: Pillar.PROTECTION,
}
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
#: No date in a service's life is earlier (a typing mistake), nor a hearing further ahead.
EARLIEST = date(2000, 1, 1)
HEARINGS_AHEAD = timedelta(days=3 * 366)
MAX_PROVIDER = 200
MAX_OUTCOME = 2000


@dataclass(frozen=True)
class ServiceEntry:
    """What staff log about a new service. Only a document restoration has a document type and
    stage, only a return home a return stage."""

    resident_id: int
    kind: ServiceKind
    shelter_id: int | None = None
    pillar: Pillar | None = None
    status: ServiceStatus = ServiceStatus.PLANNED
    provider: str = ""
    outcome: str = ""
    started_on: date | None = None
    completed_on: date | None = None
    document_type: DocumentType | None = None
    document_stage: DocumentStage | None = None
    return_stage: ReturnStage | None = None


def _when(at: datetime | None) -> datetime:
    """``at`` (or now) as an instant: never in the future, nor before any service could be."""
    when = moment(at, ["at"])
    if when.date() < EARLIEST:
        raise DomainError(ErrorCode.INVALID_VALUE, ["at"], "The time is not plausible.")
    return when


def _not_for(kind: ServiceKind, field: str) -> DomainError:
    return DomainError(
        ErrorCode.NOT_FOR_KIND, [field], f"{field} does not go with {kind.value.replace('_', ' ')}."
    )


def _day(value: date, field: str, today: date) -> date:
    if value > today:
        raise DomainError(ErrorCode.DATE_IN_FUTURE, [field], f"{field} is in the future.")
    if value < EARLIEST:
        raise DomainError(ErrorCode.INVALID_VALUE, [field], f"{field} is not plausible.")
    return value


def _validated(entry: ServiceEntry, today: date, logged: date) -> dict[str, object]:
    """The row's values for ``entry`` logged on the day ``logged``, or the refusal of its first
    mistake. A service in progress started, a completed one completed, that day by default."""
    kind = entry.kind
    if kind is not ServiceKind.DOCUMENT_RESTORATION:
        for field, value in (
            ("documentType", entry.document_type),
            ("documentStage", entry.document_stage),
        ):
            if value is not None:
                raise _not_for(kind, field)
    elif entry.document_type is None:
        raise DomainError(
            ErrorCode.REQUIRED, ["documentType"], "Say which document is being restored."
        )
    if kind is not ServiceKind.RETURN_HOME and entry.return_stage is not None:
        raise _not_for(kind, "returnStage")
    if entry.status is ServiceStatus.CANCELLED:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["status"],
            "A service is logged planned, in progress or completed.",
        )
    completed = entry.completed_on and _day(entry.completed_on, "completedOn", today)
    started = entry.started_on and _day(entry.started_on, "startedOn", today)
    if entry.status is ServiceStatus.PLANNED and started:
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["startedOn"], "A planned service has not started yet."
        )
    if entry.status is not ServiceStatus.COMPLETED and completed:
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["completedOn"], "Only a completed service has that date."
        )
    if entry.status is ServiceStatus.COMPLETED:
        completed = completed or logged
    if entry.status is not ServiceStatus.PLANNED:
        started = started or min(completed or logged, logged)
    if started and completed and completed < started:
        raise DomainError(
            ErrorCode.DATE_BEFORE_HISTORY,
            ["completedOn"],
            "A service cannot be completed before it started.",
        )
    return {
        "kind": kind,
        "pillar": entry.pillar or DEFAULT_PILLAR[kind],
        "status": entry.status,
        "provider": require_text(entry.provider, ["provider"], max_length=MAX_PROVIDER),
        "outcome": require_text(entry.outcome, ["outcome"], max_length=MAX_OUTCOME),
        "started_on": started or None,
        "completed_on": completed or None,
        "document_type": entry.document_type,
        "document_stage": (
            entry.document_stage or DocumentStage.REQUESTED
            if kind is ServiceKind.DOCUMENT_RESTORATION
            else None
        ),
        "return_stage": (
            entry.return_stage or ReturnStage.REQUESTED if kind is ServiceKind.RETURN_HOME else None
        ),
    }


async def _shelter_for(
    viewer: Viewer, resident: Resident, asked: int | None, connection: BaseDBAsyncClient
) -> int:
    """Where the service is logged: the shelter asked for, else where the resident stays now,
    else the only one of the resident's shelters the viewer works in."""
    stays = await Stay.filter(resident_id=resident.id).using_db(connection).order_by("-id")
    theirs = {stay.shelter_id for stay in stays} | {resident.intake_shelter_id}
    if asked is not None:
        if asked not in theirs or asked not in viewer.shelter_ids:
            raise DomainError(
                ErrorCode.NOT_FOUND, ["shelter"], "No such shelter among the resident's."
            )
        return asked
    active = [stay.shelter_id for stay in stays if stay.checked_out_at is None]
    if active and active[0] in viewer.shelter_ids:
        return active[0]
    mine = sorted(shelter for shelter in theirs if shelter in viewer.shelter_ids)
    if len(mine) != 1:
        raise DomainError(ErrorCode.REQUIRED, ["shelter"], "Say at which shelter it is logged.")
    return mine[0]


def _change(
    service: ServiceRecord, what: ChangeKind, at: datetime, viewer: Viewer
) -> ServiceChange:
    return ServiceChange(
        service_id=service.id,
        recorded_by_id=viewer.user_id,
        at=at,
        change=what,
        status=service.status,
        document_stage=service.document_stage,
        return_stage=service.return_stage,
    )


async def log_service(
    viewer: Viewer, entry: ServiceEntry, *, at: datetime | None = None, zone: tzinfo = UTC
) -> ServiceRecord:
    """Log a service for a resident the viewer sees, at one of the resident's shelters the
    viewer works in. ``at``: when it was logged, if not now (an offline tablet's entry)."""
    require_service_writer(viewer, entry.kind)
    when = _when(at)
    values = _validated(entry, now().astimezone(zone).date(), when.astimezone(zone).date())
    try:
        async with in_transaction() as connection:
            resident = (
                await Resident.filter(resident_scope(viewer), id=entry.resident_id)
                .using_db(connection)
                .first()
            )
            if resident is None:
                raise DomainError(ErrorCode.NOT_FOUND, ["resident"], "No such resident.")
            shelter_id = await _shelter_for(viewer, resident, entry.shelter_id, connection)
            require(viewer, Action.LOG_SERVICE, shelter_ids=(shelter_id,))
            service = await ServiceRecord.create(
                resident_id=resident.id,
                shelter_id=shelter_id,
                recorded_by_id=viewer.user_id,
                recorded_at=when,
                using_db=connection,
                **values,
            )
            await _change(service, ChangeKind.LOGGED, when, viewer).save(using_db=connection)
            await record(
                viewer,
                "log_service",
                "ServiceRecord",
                service.id,
                resident_id=resident.id,
                detail=entry.kind.value,
                connection=connection,
            )
            return service
    except IntegrityError as error:
        raise refusal_for(error) from error


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
            await _change(service, ChangeKind.STATUS, when, viewer).save(using_db=connection)
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
                raise _not_for(service.kind, field)
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
            await _change(service, ChangeKind.STAGE, when, viewer).save(using_db=connection)
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


@dataclass(frozen=True)
class ServiceFilter:
    shelter_id: int | None = None
    resident_id: int | None = None
    kind: ServiceKind | None = None
    pillar: Pillar | None = None
    status: ServiceStatus | None = None


def find_services(viewer: Viewer, criteria: ServiceFilter) -> QuerySet[ServiceRecord]:
    """The services the viewer reads matching ``criteria``, by id. A shelter filter only ever
    matches a shelter the viewer sees: it must not tell where else a person was cared for.

    >>> await find_services(viewer, ServiceFilter(kind=ServiceKind.DOCUMENT_RESTORATION))
    """
    query = ServiceRecord.filter(service_scope(viewer))
    if criteria.shelter_id is not None:
        query = query.filter(shelter_scope(viewer, "shelter_id"), shelter_id=criteria.shelter_id)
    if criteria.resident_id is not None:
        query = query.filter(resident_id=criteria.resident_id)
    if criteria.kind is not None:
        query = query.filter(kind=criteria.kind)
    if criteria.pillar is not None:
        query = query.filter(pillar=criteria.pillar)
    if criteria.status is not None:
        query = query.filter(status=criteria.status)
    return query.order_by("id")
