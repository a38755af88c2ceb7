"""Per-request loaders for items, stock levels and stock movements."""

from __future__ import annotations

from tortoise.expressions import Q

from server import models
from server.domain.access import stock_scope
from server.schema.dataloaders import RowByIdLoader, RowByKeyLoader, RowsByKeyLoader


class ItemByIdLoader(RowByIdLoader[models.Item]):
    """The catalogue is for every signed-in role."""

    model = models.Item


class StockLevelByIdLoader(RowByIdLoader[models.StockLevel]):
    model = models.StockLevel

    def where(self) -> Q:
        return stock_scope(self.viewer)


class StockMovementByIdLoader(RowByIdLoader[models.StockMovement]):
    model = models.StockMovement

    def where(self) -> Q:
        return stock_scope(self.viewer, "level__shelter_id")


class TransferInByOutLoader(RowByKeyLoader[models.StockMovement]):
    """The movement into the other shelter that a movement out became."""

    model, key = models.StockMovement, "transfer_of_id"

    def where(self) -> Q:
        return stock_scope(self.viewer, "level__shelter_id")


class DistributionsByResidentLoader(RowsByKeyLoader[models.StockMovement]):
    """What each resident was given in the shelters the viewer sees, oldest first."""

    model, key = models.StockMovement, "resident_id"

    def where(self) -> Q:
        return Q(kind=models.MovementKind.DISTRIBUTION) & stock_scope(
            self.viewer, "level__shelter_id"
        )
