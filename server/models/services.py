"""Services a resident receives besides a bed: legal aid, documents, court, return home and the
rest, each with its 4P pillar, status, stages, court hearings and a history of its changes."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.accounts import User
    from server.models.residents import Resident
    from server.models.shelters import Shelter


class ServiceKind(str, Enum):
    LEGAL_AID = "legal_aid"
    DOCUMENT_RESTORATION = "document_restoration"
    COURT_REPRESENTATION = "court_representation"
    POLICE_STATEMENT = "police_statement"
    FAMILY_TRACING = "family_tracing"
    RETURN_HOME = "return_home"
    INTERPRETATION = "interpretation"
    TRANSPORT = "transport"
    VOCATIONAL_TRAINING = "vocational_training"
    HYGIENE_KIT = "hygiene_kit"


class Pillar(str, Enum):
    """The 4P framework donors report by."""

    PREVENTION = "prevention"
    PROTECTION = "protection"
    PROSECUTION = "prosecution"
    PARTNERSHIP = "partnership"


class ServiceStatus(str, Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DocumentType(str, Enum):
    PASSPORT = "passport"
    ID_CARD = "id_card"
    BIRTH_CERTIFICATE = "birth_certificate"
    MIGRATION_CARD = "migration_card"
    WORK_PERMIT = "work_permit"
    OTHER = "other"


class DocumentStage(str, Enum):
    """A document restoration's stages, in order."""

    REQUESTED = "requested"
    APPLICATION_FILED = "application_filed"
    ISSUED = "issued"
    HANDED_OVER = "handed_over"


class ReturnStage(str, Enum):
    """A return home's (or repatriation's) stages, in order."""

    REQUESTED = "requested"
    DOCUMENTS_READY = "documents_ready"
    TRAVEL_BOOKED = "travel_booked"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    FOLLOWED_UP = "followed_up"


class ServiceRecord(Model):
    """One service for one resident, logged at one shelter. Completed or cancelled, it is not
    changed again (the database refuses, migration 0015)."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="services", on_delete=fields.RESTRICT
    )
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="services", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="services", null=True, on_delete=fields.RESTRICT
    )
    resident_id: int
    shelter_id: int
    recorded_by_id: int | None
    kind = fields.CharEnumField(ServiceKind, max_length=32)
    #: Derived from the kind unless the person logging it chose another.
    pillar = fields.CharEnumField(Pillar, max_length=16)
    status = fields.CharEnumField(ServiceStatus, max_length=16)
    #: The organisation or person who gives the service, in staff's words.
    provider = fields.CharField(max_length=200, default="")
    outcome = fields.TextField(default="")
    started_on = fields.DateField(null=True)
    #: Set when, and only when, the status is completed.
    completed_on = fields.DateField(null=True)
    #: When the service was logged (back-dated for an entry made late).
    recorded_at = fields.DatetimeField()
    #: Document restorations only, as is ``document_stage``.
    document_type = fields.CharEnumField(DocumentType, max_length=24, null=True)
    document_stage = fields.CharEnumField(DocumentStage, max_length=24, null=True)
    #: Returns home only.
    return_stage = fields.CharEnumField(ReturnStage, max_length=24, null=True)

    hearings: fields.ReverseRelation[CourtHearing]
    changes: fields.ReverseRelation[ServiceChange]

    class Meta:
        table = "service_record"
        ordering = ["recorded_at", "id"]


class ChangeKind(str, Enum):
    LOGGED = "logged"
    STATUS = "status"
    STAGE = "stage"


class ServiceChange(Model):
    """One step in a service's history: logged, a status change, a stage reached. Each row holds
    the status and stage the service had after it."""

    id = fields.IntField(primary_key=True)
    service: fields.ForeignKeyRelation[ServiceRecord] = fields.ForeignKeyField(
        "haven.ServiceRecord", related_name="changes", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="service_changes", null=True, on_delete=fields.RESTRICT
    )
    service_id: int
    recorded_by_id: int | None
    at = fields.DatetimeField()
    change = fields.CharEnumField(ChangeKind, max_length=8)
    status = fields.CharEnumField(ServiceStatus, max_length=16)
    document_stage = fields.CharEnumField(DocumentStage, max_length=24, null=True)
    return_stage = fields.CharEnumField(ReturnStage, max_length=24, null=True)

    class Meta:
        table = "service_change"
        ordering = ["at", "id"]


class CourtHearing(Model):
    """A hearing of a court representation: its date and, once held, what came of it."""

    id = fields.IntField(primary_key=True)
    service: fields.ForeignKeyRelation[ServiceRecord] = fields.ForeignKeyField(
        "haven.ServiceRecord", related_name="hearings", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="hearings", null=True, on_delete=fields.RESTRICT
    )
    service_id: int
    recorded_by_id: int | None
    hearing_on = fields.DateField()
    outcome = fields.TextField(default="")
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "court_hearing"
        ordering = ["hearing_on", "id"]
