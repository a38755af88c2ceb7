"""GraphQL types for referrals."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.schema.context import Info
from server.schema.relay import LoadedNode
from server.schema.shelters.types import Shelter

if TYPE_CHECKING:
    from server.schema.residents.types import Resident

ReferralDirection = strawberry.enum(models.ReferralDirection)
PartnerKind = strawberry.enum(models.PartnerKind)
ReferralStatus = strawberry.enum(models.ReferralStatus)


@strawberry.type(
    description="A person referred to a partner (outgoing: needs their consent to that sharing, "
    "except a hospital) or by one (incoming). Seen by the staff of the person's shelters only."
)
class Referral(LoadedNode, relay.Node):
    loader = "referral_by_id"
    row: strawberry.Private[models.Referral]
    id: relay.NodeID[int]
    direction: ReferralDirection  # type: ignore[valid-type]
    partner: PartnerKind  # type: ignore[valid-type]
    organisation: str
    reason: str
    status: ReferralStatus  # type: ignore[valid-type]
    referred_at: datetime
    closed_at: datetime | None

    @classmethod
    def from_model(cls, row: models.Referral) -> Referral:
        return cls(
            row=row,
            id=row.id,
            direction=row.direction,
            partner=row.partner,
            organisation=row.organisation,
            reason=row.reason,
            status=row.status,
            referred_at=row.referred_at,
            closed_at=row.closed_at,
        )

    @strawberry.field
    async def resident(
        self, info: Info
    ) -> Annotated[Resident, strawberry.lazy("server.schema.residents.types")]:
        from server.schema.residents.types import Resident

        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        assert row is not None  # a visible referral's resident is visible (referral_scope)
        return Resident.from_model(row)

    @strawberry.field(description="The shelter the referral was made from or received at.")
    async def shelter(self, info: Info) -> Shelter:
        row = await info.context.loaders.shelter_by_id.load(self.row.shelter_id)
        assert row is not None
        return Shelter.from_model(row)
