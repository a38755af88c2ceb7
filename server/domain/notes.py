"""Private notes on a resident: written and read only by the role their kind belongs to
(counselling notes only by their author), encrypted at rest, every read and write audited.

    note = await write_note(viewer, resident_id=7, kind=NoteKind.MEDICAL, text="BP 120/80")
    notes = await readable_notes(viewer, [7])       # {7: [CaseNote, …]}, only what viewer may read
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.domain.access import (
    NOTE_ROLE,
    Action,
    Viewer,
    may_read_note,
    require,
    resident_scope,
)
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode, require_text
from server.models import CaseNote, NoteKind, Resident

MAX_NOTE = 20_000


async def write_note(viewer: Viewer, *, resident_id: int, kind: NoteKind, text: str) -> CaseNote:
    require(viewer, Action.WRITE_NOTE)
    if viewer.role is not NOTE_ROLE[kind]:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            ["kind"],
            f"Only the {NOTE_ROLE[kind].value} role writes {kind.value} notes.",
        )
    text = require_text(text, ["text"], max_length=MAX_NOTE, required=True)
    resident = await Resident.filter(resident_scope(viewer), id=resident_id).first()
    if resident is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["resident"], "No such resident.")
    async with in_transaction() as connection:
        note = await CaseNote.create(
            resident_id=resident_id,
            author_id=viewer.user_id,
            kind=kind,
            text=text,
            written_at=now(),
            using_db=connection,
        )
        await record(
            viewer,
            "write_note",
            "CaseNote",
            note.id,
            resident_id=resident_id,
            detail=kind.value,
            connection=connection,
        )
    return note


def note_scope(viewer: Viewer) -> Q:
    """The notes a viewer may read: by kind for their role, by author for counselling."""
    kinds = [kind for kind, role in NOTE_ROLE.items() if role is viewer.role]
    if not kinds or viewer.user_id is None:
        return Q(id__in=[])
    scope = Q(kind__in=kinds)
    if NoteKind.COUNSELLING in kinds:
        scope &= Q(author_id=viewer.user_id)
    return scope & resident_scope(viewer, "resident")


async def readable_notes(viewer: Viewer, resident_ids: Sequence[int]) -> dict[int, list[CaseNote]]:
    """Each resident's notes the viewer may read, oldest first."""
    rows = await CaseNote.filter(note_scope(viewer), resident_id__in=list(resident_ids))
    notes: dict[int, list[CaseNote]] = defaultdict(list)
    for row in rows:
        assert may_read_note(viewer, row.kind, row.author_id)
        notes[row.resident_id].append(row)
    return notes
