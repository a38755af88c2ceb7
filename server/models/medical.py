"""Medical appointments, the history of their status, and the visit record written when one is
completed (findings and notes encrypted at rest)."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

from tortoise import fields
from tortoise.models import Model

from server.models.accounts import User
from server.models.encrypted import EncryptedTextField
from server.models.residents import Resident
from server.models.shelters import Shelter


class AppointmentKind(str, Enum):
    GENERAL = "general"
    GYNAECOLOGICAL = "gynaecological"
    DENTAL = "dental"
    MENTAL_HEALTH = "mental_health"
    TESTS = "tests"


class AppointmentStatus(str, Enum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class MedicalAppointment(Model):
    """A resident seen by a medical volunteer (the provider) from ``starts_at`` to ``ends_at``.
    Only a scheduled appointment changes status, once (the database refuses any other change)."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="appointments", on_delete=fields.RESTRICT
    )
    #: The resident's shelter when the appointment was booked.
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="appointments", on_delete=fields.RESTRICT
    )
    #: The medical volunteer who sees the person.
    provider: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="appointments_given", on_delete=fields.RESTRICT
    )
    resident_id: int
    shelter_id: int
    provider_id: int
    kind = fields.CharEnumField(AppointmentKind, max_length=16)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    #: Where, in staff's words: ``Clinic No. 4, room 12``.
    place = fields.CharField(max_length=200, default="")
    status = fields.CharEnumField(
        AppointmentStatus, max_length=16, default=AppointmentStatus.SCHEDULED
    )
    booked_at = fields.DatetimeField()

    status_changes: fields.ReverseRelation[AppointmentStatusChange]
    visit: fields.BackwardOneToOneRelation[MedicalVisit]

    class Meta:
        table = "medical_appointment"
        ordering = ["starts_at", "id"]

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class AppointmentStatusChange(Model):
    """Each status an appointment took, who set it and when: the booking is the first row."""

    id = fields.IntField(primary_key=True)
    appointment: fields.ForeignKeyRelation[MedicalAppointment] = fields.ForeignKeyField(
        "haven.MedicalAppointment", related_name="status_changes", on_delete=fields.RESTRICT
    )
    appointment_id: int
    status = fields.CharEnumField(AppointmentStatus, max_length=16)
    changed_at = fields.DatetimeField()
    #: Null when the change came from the server's console.
    changed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="appointment_changes", null=True, on_delete=fields.RESTRICT
    )
    changed_by_id: int | None
    #: Why, when cancelled: ``Resident unwell``.
    reason = fields.CharField(max_length=200, default="")

    class Meta:
        table = "appointment_status_change"
        ordering = ["changed_at", "id"]


class MedicalVisit(Model):
    """What a medical volunteer recorded when the appointment took place, one per appointment."""

    id = fields.IntField(primary_key=True)
    appointment: fields.OneToOneRelation[MedicalAppointment] = fields.OneToOneField(
        "haven.MedicalAppointment", related_name="visit", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="visits_recorded", on_delete=fields.RESTRICT
    )
    appointment_id: int
    recorded_by_id: int
    recorded_at = fields.DatetimeField()
    #: Encrypted with the data key, like case notes. Medical volunteers only read them.
    findings = EncryptedTextField()
    notes = EncryptedTextField(null=True)
    follow_up_on = fields.DateField(null=True)
    referred_to_hospital = fields.BooleanField(default=False)
    #: Which hospital, when referred.
    hospital = fields.CharField(max_length=200, default="")

    class Meta:
        table = "medical_visit"
