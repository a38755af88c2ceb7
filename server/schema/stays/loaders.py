"""Per-request loaders for stays and bed assignments."""

from __future__ import annotations

from tortoise.expressions import Q

from server import models
from server.domain.access import Viewer, shelter_scope, stay_scope
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
