"""Per-request loaders for stays and bed assignments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q

from server import models
from server.domain.access import Viewer, shelter_scope, stay_scope
from server.domain.arrivals import stays_in_window
from server.schema.dataloaders import RowByIdLoader, RowByKeyLoader, RowsByKeyLoader


class StayByIdLoader(RowByIdLoader[models.Stay]):
    model = models.Stay

    def where(self) -> Q:
        return stay_scope(self.viewer)


class StaysByResidentLoader(RowsByKeyLoader[models.Stay]):
    model, key = models.Stay, "resident_id"

    def where(self) -> Q:
        return stay_scope(self.viewer)


class ActiveStayByResidentLoader(RowByKeyLoader[models.Stay]):
    model, key = models.Stay, "resident_id"

    def where(self) -> Q:
        return Q(checked_out_at__isnull=True) & stay_scope(self.viewer)


def _assignment_scope(viewer: Viewer) -> Q:
    return shelter_scope(viewer, "bed__room__shelter_id")


class AssignmentsByStayLoader(RowsByKeyLoader[models.BedAssignment]):
    model, key = models.BedAssignment, "stay_id"

    def where(self) -> Q:
        return _assignment_scope(self.viewer)


class ActiveAssignmentByStayLoader(RowByKeyLoader[models.BedAssignment]):
    model, key = models.BedAssignment, "stay_id"

    def where(self) -> Q:
        return Q(ended_at__isnull=True) & _assignment_scope(self.viewer)


class ActiveAssignmentByBedLoader(RowByKeyLoader[models.BedAssignment]):
    """The open assignment of a bed: its occupancy, which every viewer of the bed may see.
    The stay behind it still loads through the stay scope."""

    model, key = models.BedAssignment, "bed_id"

    def where(self) -> Q:
        return Q(ended_at__isnull=True) & _assignment_scope(self.viewer)


#: A shelter, a window of time (a local day), and whether stays begun or ended in it.
DayKey = tuple[int, tuple[datetime, datetime], bool]


class StaysByShelterDayLoader(DataLoader[DayKey, list[models.Stay]]):
    """Arrivals (stays begun) or departures (stays ended) per shelter and day, one query per
    day and direction for all of a request's shelters."""

    def __init__(self, viewer: Viewer) -> None:
        super().__init__(load_fn=self._load)
        self.viewer = viewer

    async def _load(self, keys: Sequence[DayKey]) -> list[list[models.Stay]]:
        wanted: dict[tuple[tuple[datetime, datetime], bool], list[int]] = defaultdict(list)
        for shelter_id, window, ended in keys:
            wanted[window, ended].append(shelter_id)
        found: dict[DayKey, list[models.Stay]] = {}
        for (window, ended), shelter_ids in wanted.items():
            per_shelter = await stays_in_window(shelter_ids, window, self.viewer, ended=ended)
            for shelter_id, rows in per_shelter.items():
                found[shelter_id, window, ended] = rows
        return [found[key] for key in keys]
