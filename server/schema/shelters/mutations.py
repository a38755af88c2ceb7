"""Mutations on beds: taking one out of service and back."""

from __future__ import annotations

from enum import Enum

import strawberry

from server.domain.beds import set_bed_status
from server.models import Bed as BedRow
from server.schema.context import Info
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id
from server.schema.shelters.types import Bed


@strawberry.enum
class BedServiceStatus(Enum):
    IN_SERVICE = "in_service"
    OUT_OF_SERVICE = "out_of_service"


@strawberry.input
class BedSetStatusInput:
    bed: strawberry.ID
    status: BedServiceStatus
    reason: str = strawberry.field(default="", description="Required when out of service.")


@strawberry.type
class BedSetStatusPayload:
    bed: Bed | None
    errors: list[UserError]


@strawberry.type
class ShelterMutations:
    @strawberry.mutation(description="Take a bed out of service (not while occupied) or back in.")
    async def bed_set_status(
        self,
        info: Info,
        input: BedSetStatusInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> BedSetStatusPayload:
        async def run() -> BedRow:
            return await set_bed_status(
                info.context.viewer,
                decode_id(input.bed, "Bed", ["bed"]),
                in_service=input.status is BedServiceStatus.IN_SERVICE,
                reason=input.reason,
            )

        row, errors = await attempt_once(info, idempotency_key, "bedSetStatus", input, BedRow, run)
        return BedSetStatusPayload(bed=Bed.from_model(row) if row else None, errors=errors)
