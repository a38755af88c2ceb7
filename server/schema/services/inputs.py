"""Inputs for logging a service and moving it on."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from server.domain.services import ServiceEntry
from server.schema.relay import decode_id
from server.schema.services.types import (
    DocumentStage,
    DocumentType,
    Pillar,
    ReturnStage,
    ServiceKind,
    ServiceStatus,
)

AT_DOC = "When it happened, if not now (an entry made late). Never in the future."


@strawberry.input
class ServiceLogInput:
    resident: strawberry.ID
    kind: ServiceKind  # type: ignore[valid-type]
    shelter: strawberry.ID | None = strawberry.field(
        default=None,
        description="Where it is logged: one of the resident's shelters you work in. By "
        "default where the resident stays now, or the only such shelter.",
    )
    pillar: Pillar | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="By default the kind's own: prevention for vocational training, "
        "prosecution for court representation and police statements, protection for the rest. "
        "Say partnership, say, for a service given through a partner organisation.",
    )
    status: ServiceStatus = strawberry.field(  # type: ignore[valid-type]
        default=ServiceStatus.PLANNED,
        description="Planned, in progress or completed (a hygiene kit handed over at once).",
    )
    provider: str = ""
    outcome: str = ""
    started_on: date | None = strawberry.field(
        default=None, description="In progress or completed: by default today."
    )
    completed_on: date | None = strawberry.field(
        default=None, description="Completed: by default today."
    )
    document_type: DocumentType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Required for a document restoration, refused for the rest."
    )
    document_stage: DocumentStage | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Document restorations: by default requested."
    )
    return_stage: ReturnStage | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Returns home: by default requested."
    )
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)

    def to_entry(self) -> ServiceEntry:
        return ServiceEntry(
            resident_id=decode_id(self.resident, "Resident", ["resident"]),
            kind=self.kind,
            shelter_id=None
            if self.shelter is None
            else decode_id(self.shelter, "Shelter", ["shelter"]),
            pillar=self.pillar,
            status=self.status,
            provider=self.provider,
            outcome=self.outcome,
            started_on=self.started_on,
            completed_on=self.completed_on,
            document_type=self.document_type,
            document_stage=self.document_stage,
            return_stage=self.return_stage,
        )


@strawberry.input
class ServiceUpdateStatusInput:
    service: strawberry.ID
    status: ServiceStatus  # type: ignore[valid-type]
    outcome: str | None = strawberry.field(
        default=None, description="What came of it; replaces the outcome recorded so far."
    )
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)


@strawberry.input
class ServiceAdvanceStageInput:
    service: strawberry.ID
    document_stage: DocumentStage | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="For a document restoration."
    )
    return_stage: ReturnStage | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="For a return home."
    )
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)


@strawberry.input
class CourtHearingAddInput:
    service: strawberry.ID = strawberry.field(description="A court representation.")
    hearing_on: date = strawberry.field(name="date")
    outcome: str = strawberry.field(
        default="", description="Once held. A hearing ahead has none yet."
    )
