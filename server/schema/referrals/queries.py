"""The referrals a viewer may see, filtered."""

from __future__ import annotations

import strawberry
from tortoise.expressions import Q

from server.domain.referrals import referral_scope
from server.models import Referral as ReferralRow
from server.schema.context import Info
from server.schema.permissions import SignedIn
from server.schema.referrals.types import (
    PartnerKind,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from server.schema.relay import Connection, decode_id, page_size, paginate


@strawberry.type
class ReferralQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="Referrals of the people you see, by shelter, direction, partner, status.",
    )
    async def referrals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        shelter: strawberry.ID | None = None,
        direction: ReferralDirection | None = None,  # type: ignore[valid-type]
        partner: PartnerKind | None = None,  # type: ignore[valid-type]
        status: ReferralStatus | None = None,  # type: ignore[valid-type]
    ) -> Connection[Referral]:
        where = referral_scope(info.context.viewer)
        if shelter is not None:
            where &= Q(shelter_id=decode_id(shelter, "Shelter", ["shelter"]))
        for name, value in (("direction", direction), ("partner", partner), ("status", status)):
            if value is not None:
                where &= Q(**{name: value})
        settings = info.context.settings
        return await paginate(
            ReferralRow.filter(where).order_by("id"),
            Referral.from_model,
            first=page_size(
                first, default=settings.default_page_size, maximum=settings.max_page_size
            ),
            after=after,
        )
