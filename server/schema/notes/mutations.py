"""Writing a case note."""

from __future__ import annotations

import strawberry

from server.domain.notes import write_note
from server.models import CaseNote as CaseNoteRow
from server.schema.context import Info
from server.schema.notes.types import CaseNote, NoteKind
from server.schema.relay import IdempotencyKeyArgument, UserError, attempt_once, decode_id


@strawberry.input
class CaseNoteAddInput:
    resident: strawberry.ID
    kind: NoteKind  # type: ignore[valid-type]
    text: str = strawberry.field(description="Encrypted at rest; up to 20,000 characters.")


@strawberry.type
class CaseNoteAddPayload:
    note: CaseNote | None
    errors: list[UserError]


@strawberry.type
class NoteMutations:
    @strawberry.mutation(
        description="Write a private note on a resident (medical, counselling or legal role)."
    )
    async def case_note_add(
        self,
        info: Info,
        input: CaseNoteAddInput,
        idempotency_key: IdempotencyKeyArgument = None,
    ) -> CaseNoteAddPayload:
        async def run() -> CaseNoteRow:
            return await write_note(
                info.context.viewer,
                resident_id=decode_id(input.resident, "Resident", ["resident"]),
                kind=input.kind,
                text=input.text,
            )

        row, errors = await attempt_once(
            info, idempotency_key, "caseNoteAdd", input, CaseNoteRow, run
        )
        return CaseNoteAddPayload(note=CaseNote.from_model(row) if row else None, errors=errors)
