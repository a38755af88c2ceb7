"""Recording a meal's count, and correcting one."""

from __future__ import annotations

import strawberry

from server.domain.meals import correct_meal, record_meal
from server.models import MealRecord as MealRow
from server.schema.context import Info
from server.schema.meals.inputs import MealCorrectInput, MealRecordInput
from server.schema.meals.types import MealRecord
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id


@strawberry.type
class MealRecordPayload:
    meal_record: MealRecord | None
    errors: list[UserError]


@strawberry.type
class MealCorrectPayload:
    meal_record: MealRecord | None = strawberry.field(description="The new, current count.")
    errors: list[UserError]


def _meal(row: MealRow | None) -> MealRecord | None:
    return MealRecord.from_model(row) if row else None


@strawberry.type
class MealMutations:
    @strawberry.mutation(
        description="Record how many were served at a meal (shelter staff). A meal already "
        "recorded is refused: correct it with mealCorrect."
    )
    async def meal_record(
        self,
        info: Info,
        input: MealRecordInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> MealRecordPayload:
        async def run() -> MealRow:
            return await record_meal(
                info.context.viewer,
                decode_id(input.shelter, "Shelter", ["shelter"]),
                input.day,
                input.meal,
                input.to_count(),
                zone=info.context.settings.zone,
            )

        row, errors = await attempt_once(info, idempotency_key, "mealRecord", input, MealRow, run)
        return MealRecordPayload(meal_record=_meal(row), errors=errors)

    @strawberry.mutation(
        description="Correct a meal's count: the new count supersedes it, which is kept."
    )
    async def meal_correct(
        self,
        info: Info,
        input: MealCorrectInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> MealCorrectPayload:
        async def run() -> MealRow:
            return await correct_meal(
                info.context.viewer,
                decode_id(input.meal_record, "MealRecord", ["mealRecord"]),
                input.to_count(),
            )

        row, errors = await attempt_once(info, idempotency_key, "mealCorrect", input, MealRow, run)
        return MealCorrectPayload(meal_record=_meal(row), errors=errors)
