"""Per-request loader for the notes a viewer may read."""

from __future__ import annotations

from collections.abc import Sequence

from server import models
from server.domain.notes import readable_notes
from server.schema.dataloaders import KeyedLoader


class NotesByResidentLoader(KeyedLoader[list[models.CaseNote]]):
    async def _load(self, keys: Sequence[int]) -> list[list[models.CaseNote]]:
        notes = await readable_notes(self.viewer, keys)
        return [notes.get(key, []) for key in keys]
