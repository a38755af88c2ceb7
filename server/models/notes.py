"""Private notes on a resident by a medical volunteer, counsellor or legal adviser,
encrypted at rest."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from server.models.accounts import User
from server.models.encrypted import EncryptedTextField
from server.models.residents import Resident


class NoteKind(str, Enum):
    MEDICAL = "medical"
    COUNSELLING = "counselling"
    LEGAL = "legal"


class CaseNote(Model):
    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="notes", on_delete=fields.RESTRICT
    )
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="notes", on_delete=fields.RESTRICT
    )
    resident_id: int
    author_id: int
    kind = fields.CharEnumField(NoteKind, max_length=16)
    #: Encrypted with the data key. A raw look at the database shows only ``fernet:…``.
    text = EncryptedTextField()
    written_at = fields.DatetimeField()

    class Meta:
        table = "case_note"
        ordering = ["written_at", "id"]
