"""The GraphQL type of a case note. Loaded only when the viewer may read it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server import models

NoteKind = strawberry.enum(models.NoteKind)


@strawberry.type(
    description="A private note. Medical: medical volunteers. Legal: legal advisers. "
    "Counselling: its author only."
)
class CaseNote:
    row: strawberry.Private[models.CaseNote]
    kind: NoteKind  # type: ignore[valid-type]
    text: str
    written_at: datetime

    @classmethod
    def from_model(cls, row: models.CaseNote) -> CaseNote:
        return cls(row=row, kind=row.kind, text=row.text, written_at=row.written_at)
