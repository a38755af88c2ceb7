"""Making a referral, and following it to its end."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server.domain.referrals import NewReferral, refer, set_referral_status
from server.models import Referral as ReferralRow
from server.schema.context import Info
from server.schema.referrals.types import (
    PartnerKind,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from server.schema.relay import (
    IdempotencyKeyArgument,
    UserError,
    attempt,
    attempt_once,
    decode_id,
)


@strawberry.input
class ReferralCreateInput:
    resident: strawberry.ID
    direction: ReferralDirection  # type: ignore[valid-type]
    partner: PartnerKind  # type: ignore[valid-type]
    organisation: str = strawberry.field(description='By name, e.g. "Consulate of Uzbekistan".')
    reason: str = ""
    at: datetime | None = None


@strawberry.input
class ReferralSetStatusInput:
    referral: strawberry.ID
    status: ReferralStatus  # type: ignore[valid-type]
    at: datetime | None = None


@strawberry.type
class ReferralPayload:
    referral: Referral | None
    errors: list[UserError]


def _payload(row: ReferralRow | None, errors: list[UserError]) -> ReferralPayload:
    return ReferralPayload(referral=Referral.from_model(row) if row else None, errors=errors)


@strawberry.type
class ReferralMutations:
    @strawberry.mutation(
        description="Record a referral in or out. Out to the police, a consulate or a partner NGO "
        "needs the person's consent to that sharing (CONSENT_REQUIRED otherwise)."
    )
    async def referral_create(
        self,
        info: Info,
        input: ReferralCreateInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> ReferralPayload:
        async def run() -> ReferralRow:
            return await refer(
                info.context.viewer,
                NewReferral(
                    resident_id=decode_id(input.resident, "Resident", ["resident"]),
                    direction=input.direction,
                    partner=input.partner,
                    organisation=input.organisation,
                    reason=input.reason,
                    at=input.at,
                ),
            )

        row, errors = await attempt_once(
            info, idempotency_key, "referralCreate", input, ReferralRow, run
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description="Open → accepted or declined; accepted → completed or declined. "
        "Declined and completed are final."
    )
    async def referral_set_status(
        self, info: Info, input: ReferralSetStatusInput
    ) -> ReferralPayload:
        async def run() -> ReferralRow:
            return await set_referral_status(
                info.context.viewer,
                decode_id(input.referral, "Referral", ["referral"]),
                input.status,
                at=input.at,
            )

        row, errors = await attempt(run())
        return _payload(row, errors)
