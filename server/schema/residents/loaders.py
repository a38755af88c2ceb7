"""Per-request loaders for residents."""

from __future__ import annotations

from tortoise.expressions import Q

from server import models
from server.domain.access import resident_scope
from server.schema.dataloaders import RowByIdLoader


class ResidentByIdLoader(RowByIdLoader[models.Resident]):
    model = models.Resident

    def where(self) -> Q:
        return resident_scope(self.viewer)
