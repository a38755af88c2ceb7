"""Per-request loaders for stays and bed assignments."""

from __future__ import annotations

from tortoise.expressions import Q

from server import models
from server.schema.dataloaders import RowByIdLoader, RowByKeyLoader, RowsByKeyLoader


class StayByIdLoader(RowByIdLoader[models.Stay]):
    model = models.Stay


class StaysByResidentLoader(RowsByKeyLoader[models.Stay]):
    model, key = models.Stay, "resident_id"


class ActiveStayByResidentLoader(RowByKeyLoader[models.Stay]):
    model, key = models.Stay, "resident_id"

    def where(self) -> Q:
        return Q(checked_out_at__isnull=True)


class AssignmentsByStayLoader(RowsByKeyLoader[models.BedAssignment]):
    model, key = models.BedAssignment, "stay_id"


class ActiveAssignmentByStayLoader(RowByKeyLoader[models.BedAssignment]):
    model, key = models.BedAssignment, "stay_id"

    def where(self) -> Q:
        return Q(ended_at__isnull=True)


class ActiveAssignmentByBedLoader(RowByKeyLoader[models.BedAssignment]):
    model, key = models.BedAssignment, "bed_id"

    def where(self) -> Q:
        return Q(ended_at__isnull=True)
