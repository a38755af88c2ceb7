"""GraphQL types for counselling sessions and their participants.

Schedules are for the shelter roles of the participants' shelters; a session's notes only for
their author (null with FORBIDDEN for anyone else, administrators included), each read audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.domain.access import may_read_session_notes
from server.schema.accounts.types import User
from server.schema.context import Info
from server.schema.medical.types import colleague
from server.schema.permissions import forbidden_field
from server.schema.relay import LoadedNode
from server.schema.shelters.types import Shelter

if TYPE_CHECKING:
    from server.schema.residents.types import Resident

SessionKind = strawberry.enum(models.SessionKind)
SessionFormat = strawberry.enum(models.SessionFormat)
SessionStatus = strawberry.enum(models.SessionStatus)


@strawberry.type(description="A resident in a session, and whether they came.")
class SessionParticipant:
    row: strawberry.Private[models.CounsellingParticipant]
    attended: bool | None = strawberry.field(description="Null until the session is recorded.")

    @classmethod
    def from_model(cls, row: models.CounsellingParticipant) -> SessionParticipant:
        return cls(row=row, attended=row.attended)

    @strawberry.field
    async def resident(
        self, info: Info
    ) -> Annotated[Resident, strawberry.lazy("server.schema.residents.types")]:
        from server.schema.residents.types import Resident

        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        assert row is not None  # participants load only when their resident is seen
        return Resident.from_model(row)


@strawberry.type(
    description="A psychological, social or legal session, individual or group. Shown to the "
    "shelter roles of the participants' shelters; administrators and coordinators see none."
)
class CounsellingSession(LoadedNode, relay.Node):
    loader = "session_by_id"
    row: strawberry.Private[models.CounsellingSession]
    id: relay.NodeID[int]
    kind: SessionKind  # type: ignore[valid-type]
    format: SessionFormat  # type: ignore[valid-type]
    starts_at: datetime
    ends_at: datetime
    interpreter_language: str = strawberry.field(
        description="ISO 639 code of the interpreter's language; empty for none."
    )
    status: SessionStatus  # type: ignore[valid-type]
    scheduled_at: datetime
    recorded_at: datetime | None

    @classmethod
    def from_model(cls, row: models.CounsellingSession) -> CounsellingSession:
        return cls(
            row=row,
            id=row.id,
            kind=row.kind,
            format=row.format,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            interpreter_language=row.interpreter_language,
            status=row.status,
            scheduled_at=row.scheduled_at,
            recorded_at=row.recorded_at,
        )

    @strawberry.field
    def duration_minutes(self) -> int:
        return int(self.row.duration.total_seconds() // 60)

    @strawberry.field(description="Where it is held: null if that is not one of your shelters.")
    async def shelter(self, info: Info) -> Shelter | None:
        row = await info.context.loaders.shelter_by_id.load(self.row.shelter_id)
        return Shelter.from_model(row) if row else None

    @strawberry.field(description="The counsellor, or the legal adviser of a legal session.")
    async def counsellor(self, info: Info) -> User:
        user = await colleague(info, self.row.counsellor_id)
        assert user is not None  # the counsellor of a visible session is visible
        return user

    @strawberry.field(description="The residents you see among the participants.")
    async def participants(self, info: Info) -> list[SessionParticipant]:
        rows = await info.context.loaders.participants_by_session.load(self.row.id)
        return [SessionParticipant.from_model(row) for row in rows]

    @strawberry.field(
        description="The private notes: for their author only (the session's counsellor). "
        "Anyone else gets null with FORBIDDEN. Each read is audited."
    )
    async def notes(self, info: Info) -> str | None:
        author = self.row.recorded_by_id or self.row.counsellor_id
        if not may_read_session_notes(info.context.viewer, author):
            raise forbidden_field("notes")
        if self.row.notes is not None:
            for participant in await info.context.loaders.participants_by_session.load(self.row.id):
                info.context.reads.add(
                    "read_session_notes",
                    "CounsellingParticipant",
                    participant.id,
                    resident_id=participant.resident_id,
                )
        return self.row.notes
