"""Inputs for scheduling, recording and cancelling a counselling session."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server.schema.counselling.types import SessionFormat, SessionKind


@strawberry.input
class CounsellingSessionScheduleInput:
    kind: SessionKind  # type: ignore[valid-type]
    counsellor: strawberry.ID = strawberry.field(
        description="A counsellor (a legal adviser for LEGAL) working in the residents' shelter; "
        "a counsellor schedules only their own sessions."
    )
    residents: list[strawberry.ID] = strawberry.field(
        description="One for an individual session, 2 to 30 for a group; all of one shelter."
    )
    starts_at: datetime = strawberry.field(description="Not in the past; with its time zone.")
    duration_minutes: int = strawberry.field(description="5 to 480 minutes.")
    format: SessionFormat = strawberry.field(  # type: ignore[valid-type]
        default=SessionFormat.INDIVIDUAL
    )
    interpreter_language: str = strawberry.field(
        default="", description="ISO 639 code of the interpreter's language (uz, ru, kk, ky, tg)."
    )


@strawberry.input
class CounsellingSessionRecordInput:
    session: strawberry.ID
    attended: list[strawberry.ID] = strawberry.field(
        description="The participants who came; the others are recorded as absent."
    )
    notes: str = strawberry.field(
        default="", description="Private: encrypted at rest, read by you alone."
    )


@strawberry.input
class CounsellingSessionCancelInput:
    session: strawberry.ID
    reason: str = ""
