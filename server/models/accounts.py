"""People who use Haven, the shelters they work in, their sessions, and failed sign-ins."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.shelters import Shelter


class Role(str, Enum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    SHELTER_STAFF = "shelter_staff"
    MEDICAL = "medical"
    COUNSELLOR = "counsellor"
    LEGAL = "legal"


class User(Model):
    """One account per person, never shared."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    full_name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16)
    #: Argon2id hash, with its parameters, as argon2-cffi writes it.
    password_hash = fields.CharField(max_length=200)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    shelters: fields.ManyToManyRelation[Shelter] = fields.ManyToManyField(
        "haven.Shelter", related_name="staff", through="account_shelter"
    )

    tokens: fields.ReverseRelation[AuthToken]

    class Meta:
        table = "account"
        ordering = ["username"]


class AuthToken(Model):
    """A signed-in session. Only the token's SHA-256 is stored. The token itself is the client's."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    #: Where the session was opened from, e.g. ``127.0.0.1 HavenTablet/1.0``.
    client = fields.CharField(max_length=200, default="")

    class Meta:
        table = "auth_token"


class LoginThrottle(Model):
    """Failed sign-ins counted per account name and per address (``account:x``, ``address:y``),
    whether or not the account exists, so the lock says nothing about who has an account."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    failures = fields.IntField(default=0)
    last_failure_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "login_throttle"
