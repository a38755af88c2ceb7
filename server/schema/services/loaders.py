"""Per-request loaders for services, their hearings and their history."""

from __future__ import annotations

from tortoise.expressions import Q

from server import models
from server.domain.access import service_scope
from server.schema.dataloaders import RowByIdLoader, RowsByKeyLoader


class ServiceByIdLoader(RowByIdLoader[models.ServiceRecord]):
    model = models.ServiceRecord

    def where(self) -> Q:
        return service_scope(self.viewer)


class ServicesByResidentLoader(RowsByKeyLoader[models.ServiceRecord]):
    model, key = models.ServiceRecord, "resident_id"

    def where(self) -> Q:
        return service_scope(self.viewer)


class HearingsByServiceLoader(RowsByKeyLoader[models.CourtHearing]):
    model, key = models.CourtHearing, "service_id"

    def where(self) -> Q:
        return service_scope(self.viewer, "service")


class ChangesByServiceLoader(RowsByKeyLoader[models.ServiceChange]):
    model, key = models.ServiceChange, "service_id"

    def where(self) -> Q:
        return service_scope(self.viewer, "service")
