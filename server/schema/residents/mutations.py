"""Mutations on residents: registration at intake."""

from __future__ import annotations

import strawberry

from server.domain.residents import register_resident
from server.schema.context import Info
from server.schema.relay import UserError, attempt
from server.schema.residents.inputs import ResidentRegisterInput
from server.schema.residents.types import Resident


@strawberry.type
class ResidentRegisterPayload:
    resident: Resident | None
    errors: list[UserError]


@strawberry.type
class ResidentMutations:
    @strawberry.mutation(description="Register a person in care. Consent to data processing is required.")
    async def resident_register(
        self, info: Info, input: ResidentRegisterInput
    ) -> ResidentRegisterPayload:
        row, errors = await attempt(register_resident(input.to_registration()))
        return ResidentRegisterPayload(
            resident=Resident.from_model(row) if row else None, errors=errors
        )
