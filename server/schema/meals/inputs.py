"""Inputs for recording and correcting a meal count."""

from __future__ import annotations

from datetime import date

import strawberry

from server.domain.meals import MealCount
from server.schema.meals.types import Meal

COUNT_DOC = "Of the meals served; at most served."


@strawberry.input
class MealCountFields:
    served: int = strawberry.field(description="Plates served.")
    halal: int = strawberry.field(default=0, description=COUNT_DOC)
    vegetarian: int = strawberry.field(default=0, description=COUNT_DOC)
    allergy_safe: int = strawberry.field(default=0, description=COUNT_DOC)
    infant: int = strawberry.field(default=0, description=COUNT_DOC)

    def to_count(self) -> MealCount:
        return MealCount(
            served=self.served,
            halal=self.halal,
            vegetarian=self.vegetarian,
            allergy_safe=self.allergy_safe,
            infant=self.infant,
        )


@strawberry.input
class MealRecordInput(MealCountFields):
    shelter: strawberry.ID
    day: date = strawberry.field(description="In the shelters' time zone; not in the future.")
    meal: Meal  # type: ignore[valid-type]


@strawberry.input
class MealCorrectInput(MealCountFields):
    meal_record: strawberry.ID = strawberry.field(description="The current count to correct.")
