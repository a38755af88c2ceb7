"""GraphQL types for meal counts and the dietary needs of the residents present."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay

from server import models
from server.domain.meals import DietaryNeeds
from server.schema.context import Info
from server.schema.relay import LoadedNode
from server.schema.shelters.types import Shelter

Meal = strawberry.enum(models.Meal)


@strawberry.type(
    description="How many residents present at a shelter on a day need each diet (a stay "
    "there at any moment of the day). Counts only: visible to whoever sees the shelter."
)
class DietaryNeedsSummary:
    day: date
    present: int
    halal: int
    vegetarian: int
    infant_food: int
    allergies: int = strawberry.field(description="Residents with a food allergy recorded.")

    @classmethod
    def of(cls, needs: DietaryNeeds) -> DietaryNeedsSummary:
        return cls(
            day=needs.day,
            present=needs.present,
            halal=needs.halal,
            vegetarian=needs.vegetarian,
            infant_food=needs.infant_food,
            allergies=needs.allergies,
        )


async def needs_at(info: Info, shelter_id: int, day: date) -> DietaryNeedsSummary:
    key = (shelter_id, day, info.context.settings.zone)
    return DietaryNeedsSummary.of(await info.context.loaders.dietary_needs.load(key))


@strawberry.type(
    description="The count of one meal at one shelter on one day: plates served and how many "
    "of them each special diet. A correction supersedes it; the first count is kept."
)
class MealRecord(LoadedNode, relay.Node):
    loader = "meal_record_by_id"
    row: strawberry.Private[models.MealRecord]
    id: relay.NodeID[int]
    day: date
    meal: Meal  # type: ignore[valid-type]
    served: int
    halal: int
    vegetarian: int
    allergy_safe: int
    infant: int
    recorded_at: datetime
    superseded_at: datetime | None = strawberry.field(
        description="When a correction replaced it; null while it is the current count."
    )

    @classmethod
    def from_model(cls, row: models.MealRecord) -> MealRecord:
        return cls(
            row=row,
            id=row.id,
            day=row.day,
            meal=row.meal,
            served=row.served,
            halal=row.halal,
            vegetarian=row.vegetarian,
            allergy_safe=row.allergy_safe,
            infant=row.infant,
            recorded_at=row.recorded_at,
            superseded_at=row.superseded_at,
        )

    @strawberry.field
    async def shelter(self, info: Info) -> Shelter:
        row = await info.context.loaders.shelter_by_id.load(self.row.shelter_id)
        assert row is not None  # meal records are loaded through the shelter scope
        return Shelter.from_model(row)

    @strawberry.field(description="The count this one corrects, if it is a correction.")
    async def corrects(self, info: Info) -> MealRecord | None:
        if self.row.corrects_id is None:
            return None
        row = await info.context.loaders.meal_record_by_id.load(self.row.corrects_id)
        return MealRecord.from_model(row) if row else None

    @strawberry.field(description="The dietary needs of the residents present that day.")
    async def dietary_needs(self, info: Info) -> DietaryNeedsSummary:
        return await needs_at(info, self.row.shelter_id, self.row.day)
