"""Counselling sessions (psychological, social, legal), individual or group, with who attended
and the counsellor's private notes, encrypted at rest."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

from tortoise import fields
from tortoise.models import Model

from server.models.accounts import User
from server.models.encrypted import EncryptedTextField
from server.models.residents import Resident
from server.models.shelters import Shelter


class SessionKind(str, Enum):
    PSYCHOLOGICAL = "psychological"
    SOCIAL = "social"
    LEGAL = "legal"


class SessionFormat(str, Enum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class SessionStatus(str, Enum):
    SCHEDULED = "scheduled"
    #: Recorded by its counsellor: who attended, and the notes.
    RECORDED = "recorded"
    CANCELLED = "cancelled"


class CounsellingSession(Model):
    """A session held by one counsellor (a legal adviser for legal sessions) in one shelter."""

    id = fields.IntField(primary_key=True)
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="counselling_sessions", on_delete=fields.RESTRICT
    )
    counsellor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="counselling_sessions", on_delete=fields.RESTRICT
    )
    shelter_id: int
    counsellor_id: int
    kind = fields.CharEnumField(SessionKind, max_length=16)
    format = fields.CharEnumField(SessionFormat, max_length=16)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    #: ISO 639-1 code of the interpreter's language, or empty for none: ``uz``.
    interpreter_language = fields.CharField(max_length=3, default="")
    status = fields.CharEnumField(SessionStatus, max_length=16, default=SessionStatus.SCHEDULED)
    scheduled_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField(null=True)
    #: The author of ``notes``, the only person who reads them.
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="sessions_recorded", null=True, on_delete=fields.RESTRICT
    )
    recorded_by_id: int | None
    #: Encrypted with the data key. Not even an administrator reads them.
    notes = EncryptedTextField(null=True)

    participants: fields.ReverseRelation[CounsellingParticipant]

    class Meta:
        table = "counselling_session"
        ordering = ["starts_at", "id"]

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class CounsellingParticipant(Model):
    """A resident in a session: one for an individual session, several for a group."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[CounsellingSession] = fields.ForeignKeyField(
        "haven.CounsellingSession", related_name="participants", on_delete=fields.RESTRICT
    )
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="counselling", on_delete=fields.RESTRICT
    )
    session_id: int
    resident_id: int
    #: Null until the session is recorded.
    attended = fields.BooleanField(null=True)

    class Meta:
        table = "counselling_participant"
        unique_together = (("session", "resident"),)
        ordering = ["id"]
