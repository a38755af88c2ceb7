"""Inputs for holding a bed and calling a hold off."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input
class BedHoldInput:
    bed: strawberry.ID
    reason: str = strawberry.field(
        description='Why, for the staff who will receive the person, e.g. "Police referral, '
        'woman with a child". No names: everyone who sees the bed sees the hold.'
    )
    expires_at: datetime = strawberry.field(
        description="When the bed is free again if nobody came: in the future, at most 7 days."
    )
    expected_arrival: datetime | None = strawberry.field(
        default=None, description="When the person should arrive; not after expiresAt."
    )
    resident: strawberry.ID | None = strawberry.field(
        default=None,
        description="The person, if already registered: then only they may take the bed.",
    )


@strawberry.input
class BedHoldReleaseInput:
    hold: strawberry.ID
