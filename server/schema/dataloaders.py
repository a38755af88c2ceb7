"""Base classes for the per-request loaders: rows by id, rows grouped by a foreign key.

class ShelterByIdLoader(RowByIdLoader[models.Shelter]):
    model = models.Shelter

    def where(self) -> Q:             # only what the viewer may see
        return shelter_scope(self.viewer)

class RoomsByShelterLoader(RowsByKeyLoader[models.Room]):
    model, key = models.Room, "shelter_id"
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q
from tortoise.models import Model

from server.domain.access import Viewer

M = TypeVar("M", bound=Model)
V = TypeVar("V")


class KeyedLoader(DataLoader[int, V], Generic[V]):
    """Loads the rows of ``model`` whose ``key`` column is among the keys, narrowed by ``where``
    (the viewer's access scope: a row the viewer may not see loads as if it did not exist)."""

    model: ClassVar[type[Model]]
    key: ClassVar[str] = "id"

    def __init__(self, viewer: Viewer) -> None:
        super().__init__(load_fn=self._load)
        self.viewer = viewer

    def where(self) -> Q:
        return Q()

    async def _rows(self, keys: Sequence[int]) -> list[Any]:
        return await self.model.filter(self.where(), **{f"{self.key}__in": list(keys)})

    async def _load(self, keys: Sequence[int]) -> list[V]:
        raise NotImplementedError


class RowByKeyLoader(KeyedLoader[M | None], Generic[M]):
    """The one row per key (or None), for unique keys: an id, or an open stay's resident."""

    async def _load(self, keys: Sequence[int]) -> list[M | None]:
        found = {getattr(row, self.key): row for row in await self._rows(keys)}
        return [found.get(key) for key in keys]


class RowByIdLoader(RowByKeyLoader[M], Generic[M]):
    key = "id"


class RowsByKeyLoader(KeyedLoader[list[M]], Generic[M]):
    """Every row per key, in the model's ordering."""

    async def _load(self, keys: Sequence[int]) -> list[list[M]]:
        groups: dict[int, list[M]] = defaultdict(list)
        for row in await self._rows(keys):
            groups[getattr(row, self.key)].append(row)
        return [groups.get(key, []) for key in keys]
