"""Mutations on residents: registration at intake."""

from __future__ import annotations

import strawberry

from server.domain.residents import register_resident
from server.models import Resident as ResidentRow
from server.schema.context import Info
from server.schema.relay import (
    IdempotencyKeyArgument,
    UserError,
    attempt_once,
    optional_id,
)
from server.schema.residents.inputs import ResidentRegisterInput
from server.schema.residents.types import Resident


@strawberry.type
class ResidentRegisterPayload:
    resident: Resident | None
    errors: list[UserError]


@strawberry.type
class ResidentMutations:
    @strawberry.mutation(
        description="Register a person in care. Consent to data processing is required."
    )
    async def resident_register(
        self,
        info: Info,
        input: ResidentRegisterInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> ResidentRegisterPayload:
        async def run() -> ResidentRow:
            shelter = optional_id(input.shelter, "Shelter", "shelter")
            return await register_resident(
                info.context.viewer, input.to_registration(), shelter_id=shelter
            )

        row, errors = await attempt_once(
            info, idempotency_key, "residentRegister", input, ResidentRow, run
        )
        return ResidentRegisterPayload(
            resident=Resident.from_model(row) if row else None, errors=errors
        )
