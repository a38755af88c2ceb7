"""GraphQL types for services: the record, its history of changes and its court hearings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.schema.context import Info
from server.schema.relay import LoadedNode
from server.schema.shelters.types import Shelter

if TYPE_CHECKING:
    from server.schema.residents.types import Resident

ServiceKind = strawberry.enum(models.ServiceKind)
Pillar = strawberry.enum(models.Pillar, description="The 4P framework donors report by.")
ServiceStatus = strawberry.enum(models.ServiceStatus)
DocumentType = strawberry.enum(models.DocumentType)
DocumentStage = strawberry.enum(models.DocumentStage)
ReturnStage = strawberry.enum(models.ReturnStage)
ServiceChangeKind = strawberry.enum(models.ChangeKind, name="ServiceChangeKind")


@strawberry.type(
    description="A service a resident received: legal aid, a document restored, a court case, "
    "a return home... Legal kinds (legal aid, document restoration, court representation, "
    "police statement) are read by shelter staff and legal advisers of the resident's shelters; "
    "other kinds by every shelter role there. Administrators and coordinators read none."
)
class ServiceRecord(LoadedNode, relay.Node):
    loader = "service_by_id"
    row: strawberry.Private[models.ServiceRecord]
    id: relay.NodeID[int]
    kind: ServiceKind  # type: ignore[valid-type]
    pillar: Pillar  # type: ignore[valid-type]
    status: ServiceStatus  # type: ignore[valid-type]
    provider: str = strawberry.field(description="The organisation or person giving it.")
    outcome: str
    started_on: date | None
    completed_on: date | None = strawberry.field(description="Set once completed.")
    recorded_at: datetime
    document_type: DocumentType | None = strawberry.field(  # type: ignore[valid-type]
        description="Document restorations only."
    )
    document_stage: DocumentStage | None = strawberry.field(  # type: ignore[valid-type]
        description="Document restorations only."
    )
    return_stage: ReturnStage | None = strawberry.field(  # type: ignore[valid-type]
        description="Returns home only."
    )

    @classmethod
    def from_model(cls, row: models.ServiceRecord) -> ServiceRecord:
        return cls(
            row=row,
            id=row.id,
            kind=row.kind,
            pillar=row.pillar,
            status=row.status,
            provider=row.provider,
            outcome=row.outcome,
            started_on=row.started_on,
            completed_on=row.completed_on,
            recorded_at=row.recorded_at,
            document_type=row.document_type,
            document_stage=row.document_stage,
            return_stage=row.return_stage,
        )

    @strawberry.field
    async def resident(
        self, info: Info
    ) -> Annotated[Resident, strawberry.lazy("server.schema.residents.types")]:
        from server.schema.residents.types import Resident

        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        assert row is not None  # a service is only visible with its resident
        return Resident.from_model(row)

    @strawberry.field(
        description="The shelter that logged it, if you see that shelter: the record follows "
        "the person, where else they stayed does not."
    )
    async def shelter(self, info: Info) -> Shelter | None:
        row = await info.context.loaders.shelter_by_id.load(self.row.shelter_id)
        return Shelter.from_model(row) if row else None

    @strawberry.field(description="Court representations: the hearings, by date.")
    async def hearings(self, info: Info) -> list[CourtHearing]:
        rows = await info.context.loaders.hearings_by_service.load(self.row.id)
        return [CourtHearing.from_model(row) for row in rows]

    @strawberry.field(description="Logged, then each status change and stage, oldest first.")
    async def history(self, info: Info) -> list[ServiceChange]:
        rows = await info.context.loaders.changes_by_service.load(self.row.id)
        return [ServiceChange.from_model(row) for row in rows]


@strawberry.type(
    description="One step of a service: logged, a status change or a stage reached, with the "
    "status and stage the service had after it."
)
class ServiceChange:
    row: strawberry.Private[models.ServiceChange]
    at: datetime
    change: ServiceChangeKind  # type: ignore[valid-type]
    status: ServiceStatus  # type: ignore[valid-type]
    document_stage: DocumentStage | None  # type: ignore[valid-type]
    return_stage: ReturnStage | None  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, row: models.ServiceChange) -> ServiceChange:
        return cls(
            row=row,
            at=row.at,
            change=row.change,
            status=row.status,
            document_stage=row.document_stage,
            return_stage=row.return_stage,
        )

    @strawberry.field
    async def service(self, info: Info) -> ServiceRecord:
        row = await info.context.loaders.service_by_id.load(self.row.service_id)
        assert row is not None  # changes are loaded through the same scope
        return ServiceRecord.from_model(row)


@strawberry.type(description="A hearing of a court case: its date and what came of it.")
class CourtHearing:
    row: strawberry.Private[models.CourtHearing]
    hearing_on: date = strawberry.field(name="date")
    outcome: str = strawberry.field(description="Empty until the hearing has been held.")
    recorded_at: datetime

    @classmethod
    def from_model(cls, row: models.CourtHearing) -> CourtHearing:
        return cls(
            row=row, hearing_on=row.hearing_on, outcome=row.outcome, recorded_at=row.recorded_at
        )

    @strawberry.field
    async def service(self, info: Info) -> ServiceRecord:
        row = await info.context.loaders.service_by_id.load(self.row.service_id)
        assert row is not None  # hearings are loaded through the same scope
        return ServiceRecord.from_model(row)
