"""Per-request loaders for residents."""

from __future__ import annotations

from server import models
from server.schema.dataloaders import RowByIdLoader


class ResidentByIdLoader(RowByIdLoader[models.Resident]):
    model = models.Resident
