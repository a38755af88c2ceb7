"""The audit trail: append-only, one row per sensitive read, write and sign-in."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """Who did what to which record, when, from which client. Never updated or deleted:
    the database refuses both (migration 0004)."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    #: Null for a failed sign-in under an unknown name.
    user_id = fields.IntField(null=True)
    #: The name typed at sign-in, or the account's username.
    username = fields.CharField(max_length=64, default="")
    #: e.g. ``login``, ``login_failed``, ``read_identity``, ``check_in``.
    action = fields.CharField(max_length=40)
    record_type = fields.CharField(max_length=40, default="")
    record_id = fields.IntField(null=True)
    #: The resident the event concerns, for "who looked at this person".
    resident_id = fields.IntField(null=True)
    client = fields.CharField(max_length=200, default="")
    detail = fields.CharField(max_length=500, default="")

    class Meta:
        table = "audit_event"
        ordering = ["id"]
