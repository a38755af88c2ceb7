"""Per-request loaders for users."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from tortoise.expressions import Q

from server import models
from server.domain.access import account_scope
from server.schema.dataloaders import KeyedLoader, RowByIdLoader


class UserByIdLoader(RowByIdLoader[models.User]):
    model = models.User

    def where(self) -> Q:
        return account_scope(self.viewer)


class ShelterIdsByUserLoader(KeyedLoader[list[int]]):
    """The ids of the shelters each user works in (the shelters themselves load scoped)."""

    async def _load(self, keys: Sequence[int]) -> list[list[int]]:
        rows = await models.User.filter(id__in=list(keys)).values_list("id", "shelters__id")
        groups: dict[int, list[int]] = defaultdict(list)
        for user_id, shelter_id in rows:
            if shelter_id is not None:
                groups[user_id].append(shelter_id)
        return [sorted(groups.get(key, [])) for key in keys]
