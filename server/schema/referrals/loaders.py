"""Per-request loaders for referrals, narrowed to the referrals the viewer may see."""

from __future__ import annotations

from tortoise.expressions import Q

from server import models
from server.domain.referrals import referral_scope
from server.schema.dataloaders import RowByIdLoader, RowsByKeyLoader


class ReferralByIdLoader(RowByIdLoader[models.Referral]):
    model = models.Referral

    def where(self) -> Q:
        return referral_scope(self.viewer)


class ReferralsByResidentLoader(RowsByKeyLoader[models.Referral]):
    model, key = models.Referral, "resident_id"

    def where(self) -> Q:
        return referral_scope(self.viewer)
