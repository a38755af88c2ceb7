"""Idempotency keys: the first answer to a creating mutation, kept so a replay gets it again."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.models.accounts import User


class IdempotencyKey(Model):
    """A client's key for one creating request, claimed in the request's own transaction.

    One row per (account, key). ``fingerprint`` is the SHA-256 of the operation and its input,
    so a reuse with other input is told apart from a replay. ``result_id`` is the row the
    request created (its table follows from the operation).
    """

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    user_id: int
    key = fields.UUIDField()
    operation = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64)
    result_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_key"
        unique_together = (("user", "key"),)
