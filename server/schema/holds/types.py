"""The GraphQL type of a bed hold."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.domain.clock import now
from server.domain.holds import HoldState, hold_state
from server.schema.context import Info
from server.schema.relay import LoadedNode
from server.schema.shelters.types import Bed

if TYPE_CHECKING:
    from server.schema.residents.types import Resident

BedHoldOutcome = strawberry.enum(models.HoldOutcome, name="BedHoldOutcome")


@strawberry.type(
    description="A bed kept for an incoming person: nobody else is offered it until the person "
    "checks in, someone calls the hold off, or it expires (by itself, at expiresAt)."
)
class BedHold(LoadedNode, relay.Node):
    loader = "hold_by_id"
    row: strawberry.Private[models.BedHold]
    #: Read once, so every field of one hold tells of the same instant.
    state: strawberry.Private[HoldState]
    id: relay.NodeID[int]
    reason: str
    expected_arrival: datetime | None
    started_at: datetime
    expires_at: datetime

    @classmethod
    def from_model(cls, row: models.BedHold) -> BedHold:
        return cls(
            row=row,
            state=hold_state(row, now()),
            id=row.id,
            reason=row.reason,
            expected_arrival=row.expected_arrival,
            started_at=row.started_at,
            expires_at=row.expires_at,
        )

    @strawberry.field(description="Whether the hold keeps its bed now.")
    def active(self) -> bool:
        return self.state.active

    @strawberry.field(
        description="When it stopped holding: at the check-in, when called off, or its expiry."
    )
    def released_at(self) -> datetime | None:
        return self.state.released_at

    @strawberry.field(description="How it ended; null while it holds.")
    def outcome(self) -> BedHoldOutcome | None:  # type: ignore[valid-type]
        return self.state.outcome

    @strawberry.field
    async def bed(self, info: Info) -> Bed:
        row = await info.context.loaders.bed_by_id.load(self.row.bed_id)
        assert row is not None  # the hold was loaded through the same shelter scope
        return Bed.from_model(row)

    @strawberry.field(
        description="The person it is for, if named; null too when you may not see them."
    )
    async def resident(
        self, info: Info
    ) -> Annotated[Resident, strawberry.lazy("server.schema.residents.types")] | None:
        from server.schema.residents.types import Resident

        if self.row.resident_id is None:
            return None
        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        return Resident.from_model(row) if row else None
