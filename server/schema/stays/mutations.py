"""Check-in, check-out and transfer."""

from __future__ import annotations

import strawberry

from server.domain import stays
from server.models import Stay as StayRow
from server.schema.context import Info
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id
from server.schema.stays.inputs import CheckInInput, CheckOutInput, TransferInput
from server.schema.stays.types import Stay


@strawberry.type
class CheckInPayload:
    stay: Stay | None
    errors: list[UserError]


@strawberry.type
class CheckOutPayload:
    stay: Stay | None
    errors: list[UserError]


@strawberry.type
class TransferPayload:
    stay: Stay | None = strawberry.field(
        description="The stay now active: a new one after a move to another shelter."
    )
    errors: list[UserError]


def _stay(row: StayRow | None) -> Stay | None:
    return Stay.from_model(row) if row else None


@strawberry.type
class StayMutations:
    @strawberry.mutation(description="Check a resident into a free bed, starting a stay.")
    async def check_in(
        self,
        info: Info,
        input: CheckInInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> CheckInPayload:
        async def run() -> StayRow:
            hold = input.hold
            return await stays.check_in(
                info.context.viewer,
                decode_id(input.resident, "Resident", ["resident"]),
                decode_id(input.bed, "Bed", ["bed"]),
                at=input.at,
                hold_id=None if hold is None else decode_id(hold, "BedHold", ["hold"]),
            )

        row, errors = await attempt_once(info, idempotency_key, "checkIn", input, StayRow, run)
        return CheckInPayload(stay=_stay(row), errors=errors)

    @strawberry.mutation(description="End a stay and free its bed.")
    async def check_out(
        self,
        info: Info,
        input: CheckOutInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> CheckOutPayload:
        async def run() -> StayRow:
            return await stays.check_out(
                info.context.viewer,
                decode_id(input.stay, "Stay", ["stay"]),
                input.exit_destination,
                at=input.at,
            )

        row, errors = await attempt_once(info, idempotency_key, "checkOut", input, StayRow, run)
        return CheckOutPayload(stay=_stay(row), errors=errors)

    @strawberry.mutation(description="Move a resident to another bed, here or in another shelter.")
    async def transfer(
        self,
        info: Info,
        input: TransferInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> TransferPayload:
        async def run() -> StayRow:
            return await stays.transfer(
                info.context.viewer,
                decode_id(input.stay, "Stay", ["stay"]),
                decode_id(input.bed, "Bed", ["bed"]),
                at=input.at,
            )

        row, errors = await attempt_once(info, idempotency_key, "transfer", input, StayRow, run)
        return TransferPayload(stay=_stay(row), errors=errors)
