"""Per-request loaders for meal records and the dietary needs present at a shelter on a day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, tzinfo

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q

from server import models
from server.domain.access import Viewer, shelter_scope
from server.domain.meals import DietaryNeeds, dietary_needs
from server.schema.dataloaders import RowByIdLoader

#: A shelter, a day, and the time zone the day is in.
NeedsKey = tuple[int, date, tzinfo]


class MealRecordByIdLoader(RowByIdLoader[models.MealRecord]):
    model = models.MealRecord

    def where(self) -> Q:
        return shelter_scope(self.viewer, "shelter_id")


class DietaryNeedsLoader(DataLoader[NeedsKey, DietaryNeeds]):
    """The needs present at each (shelter, day), one query for all of a request's keys.
    Callers ask only for shelters the viewer sees: the figures are counts, naming nobody."""

    def __init__(self, viewer: Viewer) -> None:
        super().__init__(load_fn=self._load)
        self.viewer = viewer

    async def _load(self, keys: Sequence[NeedsKey]) -> list[DietaryNeeds]:
        by_zone: dict[tzinfo, list[tuple[int, date]]] = defaultdict(list)
        for shelter_id, day, zone in keys:
            by_zone[zone].append((shelter_id, day))
        found: dict[NeedsKey, DietaryNeeds] = {}
        for zone, pairs in by_zone.items():
            for (shelter_id, day), needs in (await dietary_needs(pairs, zone)).items():
                found[shelter_id, day, zone] = needs
        return [found[key] for key in keys]
