"""GraphQL types for stays and bed assignments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.domain.clock import now
from server.schema.context import Info
from server.schema.relay import LoadedNode
from server.schema.shelters.types import Bed, Shelter

if TYPE_CHECKING:
    from server.schema.residents.types import Resident

ExitDestination = strawberry.enum(models.ExitDestination)


@strawberry.type(description="Which bed a stay used, from when until when (open while current).")
class BedAssignment:
    row: strawberry.Private[models.BedAssignment]
    started_at: datetime
    ended_at: datetime | None

    @classmethod
    def from_model(cls, row: models.BedAssignment) -> BedAssignment:
        return cls(row=row, started_at=row.started_at, ended_at=row.ended_at)

    @strawberry.field
    async def bed(self, info: Info) -> Bed:
        row = await info.context.loaders.bed_by_id.load(self.row.bed_id)
        assert row is not None
        return Bed.from_model(row)


@strawberry.type(description="One episode in one shelter, from check-in to check-out.")
class Stay(LoadedNode, relay.Node):
    loader = "stay_by_id"
    row: strawberry.Private[models.Stay]
    id: relay.NodeID[int]
    checked_in_at: datetime
    checked_out_at: datetime | None
    exit_destination: ExitDestination | None  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, row: models.Stay) -> Stay:
        return cls(
            row=row,
            id=row.id,
            checked_in_at=row.checked_in_at,
            checked_out_at=row.checked_out_at,
            exit_destination=row.exit_destination,
        )

    @strawberry.field
    def active(self) -> bool:
        return self.row.checked_out_at is None

    @strawberry.field(description="Nights from check-in to check-out, or to now while active.")
    def days_in_shelter(self) -> int:
        end = self.row.checked_out_at or now()
        return (end - self.row.checked_in_at).days

    @strawberry.field
    async def shelter(self, info: Info) -> Shelter:
        row = await info.context.loaders.shelter_by_id.load(self.row.shelter_id)
        assert row is not None
        return Shelter.from_model(row)

    @strawberry.field
    async def resident(
        self, info: Info
    ) -> Annotated[Resident, strawberry.lazy("server.schema.residents.types")]:
        from server.schema.residents.types import Resident

        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        assert row is not None
        return Resident.from_model(row)

    @strawberry.field(description="The bed now, while the stay is active.")
    async def bed(self, info: Info) -> Bed | None:
        assignment = await info.context.loaders.active_assignment_by_stay.load(self.row.id)
        if assignment is None:
            return None
        row = await info.context.loaders.bed_by_id.load(assignment.bed_id)
        return Bed.from_model(row) if row else None

    @strawberry.field(description="Every bed of the stay, oldest first.")
    async def bed_history(self, info: Info) -> list[BedAssignment]:
        rows = await info.context.loaders.assignments_by_stay.load(self.row.id)
        return [BedAssignment.from_model(row) for row in rows]
