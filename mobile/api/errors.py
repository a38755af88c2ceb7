"""What can go wrong when the tablet talks to the server, as the screens tell it apart.

try:
    await client.mutate("checkIn", operations.CHECK_IN, variables)
except Unreachable:   ...  # saved, will send when online
except SessionEnded:  ...  # back to sign-in
except Refused as refusal:
    refusal.errors[0].code  # "BED_OCCUPIED"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UserError:
    """One of the server's refusals: ``code`` is an ErrorCode name of the schema."""

    code: str
    field: tuple[str, ...]
    message: str

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> UserError:
        return cls(
            code=str(raw.get("code") or "BAD_REQUEST"),
            field=tuple(str(part) for part in raw.get("field") or ()),
            message=str(raw.get("message") or ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "field": list(self.field), "message": self.message}


class Unreachable(Exception):
    """No answer from the server: it could not be reached, did not answer in time, or a proxy
    in front of it said it is down (502, 503, 504)."""


class SessionEnded(Exception):
    """The server says the token is missing, expired or revoked (UNAUTHENTICATED)."""


class Refused(Exception):
    """The server answered no: a payload's ``errors``, or a top-level refusal turned into one
    (FORBIDDEN; BAD_REQUEST for a request it could not read; SERVER_ERROR for a failure)."""

    def __init__(self, errors: list[UserError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{error.code}: {error.message}" for error in errors))

    @property
    def codes(self) -> list[str]:
        return [error.code for error in self.errors]


class OutboxLocked(Exception):
    """The offline queue is not unlocked, or the password given does not open it."""
