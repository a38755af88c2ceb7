"""Per-request loaders for bed holds."""

from __future__ import annotations

from tortoise.expressions import Q

from server import models
from server.domain.access import hold_scope
from server.schema.dataloaders import RowByIdLoader


class HoldByIdLoader(RowByIdLoader[models.BedHold]):
    model = models.BedHold

    def where(self) -> Q:
        return hold_scope(self.viewer)
