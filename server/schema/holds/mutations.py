"""Holding a bed for an incoming person, and calling the hold off."""

from __future__ import annotations

import strawberry

from server.domain.holds import HoldRequest, hold_bed, release_hold
from server.models import BedHold as BedHoldRow
from server.schema.context import Info
from server.schema.holds.inputs import BedHoldInput, BedHoldReleaseInput
from server.schema.holds.types import BedHold
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id


@strawberry.type
class BedHoldPayload:
    bed_hold: BedHold | None
    errors: list[UserError]


@strawberry.type
class BedHoldReleasePayload:
    bed_hold: BedHold | None
    errors: list[UserError]


def _hold(row: BedHoldRow | None) -> BedHold | None:
    return BedHold.from_model(row) if row else None


@strawberry.type
class HoldMutations:
    @strawberry.mutation(
        description="Keep a free bed for an incoming person until they check in, the hold is "
        "called off, or it expires. Coordinators; shelter staff in their shelters."
    )
    async def bed_hold(
        self,
        info: Info,
        input: BedHoldInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> BedHoldPayload:
        async def run() -> BedHoldRow:
            resident = input.resident
            return await hold_bed(
                info.context.viewer,
                decode_id(input.bed, "Bed", ["bed"]),
                HoldRequest(
                    reason=input.reason,
                    expires_at=input.expires_at,
                    expected_arrival=input.expected_arrival,
                    resident_id=None
                    if resident is None
                    else decode_id(resident, "Resident", ["resident"]),
                ),
            )

        row, errors = await attempt_once(info, idempotency_key, "bedHold", input, BedHoldRow, run)
        return BedHoldPayload(bed_hold=_hold(row), errors=errors)

    @strawberry.mutation(description="Call a hold off (the person will not come): the bed is free.")
    async def bed_hold_release(
        self,
        info: Info,
        input: BedHoldReleaseInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> BedHoldReleasePayload:
        async def run() -> BedHoldRow:
            return await release_hold(
                info.context.viewer, decode_id(input.hold, "BedHold", ["hold"])
            )

        row, errors = await attempt_once(
            info, idempotency_key, "bedHoldRelease", input, BedHoldRow, run
        )
        return BedHoldReleasePayload(bed_hold=_hold(row), errors=errors)
