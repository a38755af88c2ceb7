"""Logging the services a resident receives, and finding them. Moving one on (status, stage,
court hearings) is in server/domain/service_progress.py.

    service = await log_service(viewer, ServiceEntry(resident_id=7, kind=ServiceKind.TRANSPORT))
    rows = await find_services(viewer, ServiceFilter(kind=ServiceKind.DOCUMENT_RESTORATION))

Logging writes the record, the first row of its history (ServiceChange) and an audit event, in
one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

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
#: No date in a service's life is earlier: a typing mistake.
EARLIEST = date(2000, 1, 1)
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


def not_for_kind(kind: ServiceKind, field: str) -> DomainError:
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
                raise not_for_kind(kind, field)
    elif entry.document_type is None:
        raise DomainError(
            ErrorCode.REQUIRED, ["documentType"], "Say which document is being restored."
        )
    if kind is not ServiceKind.RETURN_HOME and entry.return_stage is not None:
        raise not_for_kind(kind, "returnStage")
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


def change_row(
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
            await change_row(service, ChangeKind.LOGGED, when, viewer).save(using_db=connection)
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
