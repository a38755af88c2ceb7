"""Queries for meals: a shelter's counts over a span of days."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from server.domain.meals import find_meals
from server.schema.context import Info
from server.schema.meals.types import MealRecord
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, decode_id, page_size, paginate


@strawberry.type
class MealQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="A shelter's current meal counts from a day to a day (both included), in "
        "the order recorded, each with the dietary needs present that day.",
    )
    async def meals(
        self,
        info: Info,
        shelter: strawberry.ID,
        since: Annotated[date | None, strawberry.argument(name="from")] = None,
        until: Annotated[date | None, strawberry.argument(name="to")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[MealRecord]:
        settings = info.context.settings
        return await paginate(
            find_meals(
                info.context.viewer,
                decode_id(shelter, "Shelter", ["shelter"]),
                since=since,
                until=until,
            ),
            MealRecord.from_model,
            first=page_size(
                first, default=settings.default_page_size, maximum=settings.max_page_size
            ),
            after=after,
        )
