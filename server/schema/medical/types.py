"""GraphQL types for medical appointments, their status history and visit records.

Schedules are for the shelter roles of the resident's shelters; a visit's findings and notes
for medical volunteers only (null with FORBIDDEN for anyone else, and each read audited).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.domain.access import may_read_visit
from server.schema.accounts.types import User
from server.schema.context import Info
from server.schema.permissions import forbidden_field
from server.schema.relay import LoadedNode
from server.schema.shelters.types import Shelter

if TYPE_CHECKING:
    from server.schema.residents.types import Resident

AppointmentKind = strawberry.enum(models.AppointmentKind)
AppointmentStatus = strawberry.enum(models.AppointmentStatus)


async def colleague(info: Info, user_id: int | None) -> User | None:
    """The account by id, if the viewer may see it named beside a record."""
    if user_id is None:
        return None
    row = await info.context.loaders.colleague_by_id.load(user_id)
    return User.from_model(row) if row else None


@strawberry.type(description="A status an appointment took: who set it, when, and why.")
class AppointmentStatusChange:
    row: strawberry.Private[models.AppointmentStatusChange]
    status: AppointmentStatus  # type: ignore[valid-type]
    at: datetime
    reason: str

    @classmethod
    def from_model(cls, row: models.AppointmentStatusChange) -> AppointmentStatusChange:
        return cls(row=row, status=row.status, at=row.changed_at, reason=row.reason)

    @strawberry.field(description="Null for a change made at the server's console.")
    async def by(self, info: Info) -> User | None:
        return await colleague(info, self.row.changed_by_id)


@strawberry.type(
    description="What a medical volunteer recorded at the visit. Findings and notes are for "
    "medical volunteers only (null with FORBIDDEN for anyone else); every read is audited."
)
class Visit:
    row: strawberry.Private[models.MedicalVisit]
    resident_id: strawberry.Private[int]
    recorded_at: datetime
    follow_up_on: date | None
    referred_to_hospital: bool
    hospital: str = strawberry.field(description="Which hospital, when referred.")

    @classmethod
    def from_model(cls, row: models.MedicalVisit, resident_id: int) -> Visit:
        return cls(
            row=row,
            resident_id=resident_id,
            recorded_at=row.recorded_at,
            follow_up_on=row.follow_up_on,
            referred_to_hospital=row.referred_to_hospital,
            hospital=row.hospital,
        )

    def _medical(self, info: Info, name: str) -> models.MedicalVisit:
        if not may_read_visit(info.context.viewer):
            raise forbidden_field(name)
        info.context.reads.add(
            "read_visit", "MedicalVisit", self.row.id, resident_id=self.resident_id
        )
        return self.row

    @strawberry.field
    def findings(self, info: Info) -> str | None:
        return self._medical(info, "findings").findings

    @strawberry.field
    def notes(self, info: Info) -> str | None:
        return self._medical(info, "notes").notes

    @strawberry.field
    async def recorded_by(self, info: Info) -> User | None:
        return await colleague(info, self.row.recorded_by_id)


@strawberry.type(
    description="A resident seen by a medical volunteer. Shown to the shelter roles of the "
    "resident's shelters; administrators and coordinators see no appointment at all."
)
class MedicalAppointment(LoadedNode, relay.Node):
    loader = "appointment_by_id"
    row: strawberry.Private[models.MedicalAppointment]
    id: relay.NodeID[int]
    kind: AppointmentKind  # type: ignore[valid-type]
    starts_at: datetime
    ends_at: datetime
    place: str
    status: AppointmentStatus  # type: ignore[valid-type]
    booked_at: datetime

    @classmethod
    def from_model(cls, row: models.MedicalAppointment) -> MedicalAppointment:
        return cls(
            row=row,
            id=row.id,
            kind=row.kind,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            place=row.place,
            status=row.status,
            booked_at=row.booked_at,
        )

    @strawberry.field
    def duration_minutes(self) -> int:
        return int(self.row.duration.total_seconds() // 60)

    @strawberry.field
    async def resident(
        self, info: Info
    ) -> Annotated[Resident, strawberry.lazy("server.schema.residents.types")]:
        from server.schema.residents.types import Resident

        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        assert row is not None  # an appointment is seen only with its resident
        return Resident.from_model(row)

    @strawberry.field(description="Where it was booked: null if that is not one of your shelters.")
    async def shelter(self, info: Info) -> Shelter | None:
        row = await info.context.loaders.shelter_by_id.load(self.row.shelter_id)
        return Shelter.from_model(row) if row else None

    @strawberry.field(description="The medical volunteer who sees the person.")
    async def provider(self, info: Info) -> User:
        user = await colleague(info, self.row.provider_id)
        assert user is not None  # the provider of a visible appointment is visible
        return user

    @strawberry.field(description="Every status it took, oldest (the booking) first.")
    async def history(self, info: Info) -> list[AppointmentStatusChange]:
        rows = await info.context.loaders.status_changes_by_appointment.load(self.row.id)
        return [AppointmentStatusChange.from_model(row) for row in rows]

    @strawberry.field(description="The visit record, once the appointment is completed.")
    async def visit(self, info: Info) -> Visit | None:
        row = await info.context.loaders.visit_by_appointment.load(self.row.id)
        return Visit.from_model(row, self.row.resident_id) if row else None
