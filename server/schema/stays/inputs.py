"""Inputs for check-in, check-out and transfer. ``at`` back-dates an entry made late."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server.schema.stays.types import ExitDestination

AT_DOC = "When it happened, if not now. Never in the future or before the stay's last change."


@strawberry.input
class CheckInInput:
    resident: strawberry.ID
    bed: strawberry.ID
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)
    hold: strawberry.ID | None = strawberry.field(
        default=None,
        description="The bed's hold this person arrives for. Not needed when the hold names them.",
    )


@strawberry.input
class CheckOutInput:
    stay: strawberry.ID
    exit_destination: ExitDestination  # type: ignore[valid-type]
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)


@strawberry.input
class TransferInput:
    stay: strawberry.ID
    bed: strawberry.ID = strawberry.field(description="In this or another shelter.")
    at: datetime | None = strawberry.field(default=None, description=AT_DOC)
