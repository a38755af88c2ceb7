"""Inputs for booking an appointment, changing its status, and recording its visit."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from server.domain.medical import Visit
from server.schema.medical.types import AppointmentKind


@strawberry.input
class AppointmentScheduleInput:
    resident: strawberry.ID
    provider: strawberry.ID = strawberry.field(
        description="A medical volunteer (User) working in the resident's shelter."
    )
    kind: AppointmentKind  # type: ignore[valid-type]
    starts_at: datetime = strawberry.field(description="Not in the past; with its time zone.")
    duration_minutes: int = strawberry.field(description="5 to 480 minutes.")
    place: str = strawberry.field(default="", description="Where, in your words.")


@strawberry.input
class AppointmentCancelInput:
    appointment: strawberry.ID
    reason: str = ""


@strawberry.input
class AppointmentMarkNoShowInput:
    appointment: strawberry.ID


@strawberry.input
class VisitRecordInput:
    appointment: strawberry.ID
    findings: str = strawberry.field(description="Encrypted at rest; medical volunteers read it.")
    notes: str = strawberry.field(default="", description="Encrypted at rest, like findings.")
    follow_up_on: date | None = strawberry.field(
        default=None, description="After the visit, within two years."
    )
    referred_to_hospital: bool = False
    hospital: str = strawberry.field(default="", description="Which one, when referred.")

    def to_visit(self) -> Visit:
        return Visit(
            findings=self.findings,
            notes=self.notes,
            follow_up_on=self.follow_up_on,
            referred_to_hospital=self.referred_to_hospital,
            hospital=self.hospital,
        )
