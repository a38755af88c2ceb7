"""A person in care: pseudonymous code, restricted identity, case data, consents, safety flags."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.shelters import Shelter
    from server.models.stays import Stay


class Sex(str, Enum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


class ExploitationType(str, Enum):
    SEXUAL = "sexual"
    LABOUR = "labour"
    BEGGING = "begging"
    CRIMINAL = "criminal"
    DOMESTIC_SERVITUDE = "domestic_servitude"
    FORCED_MARRIAGE = "forced_marriage"
    OTHER = "other"


class ReferralSource(str, Enum):
    HOTLINE = "hotline"
    POLICE = "police"
    NGO = "ngo"
    EMBASSY = "embassy"
    SELF = "self"
    OTHER = "other"


class DocumentStatus(str, Enum):
    HOLDS = "holds"
    LOST = "lost"
    CONFISCATED = "confiscated"
    RESTORATION_IN_PROGRESS = "restoration_in_progress"
    RESTORED = "restored"


class Resident(Model):
    id = fields.IntField(primary_key=True)
    #: Pseudonymous code shown on most screens and every report: ``HV-2026-000123``.
    code = fields.CharField(max_length=20, unique=True)

    # Restricted identity.
    given_name = fields.CharField(max_length=100)
    family_name = fields.CharField(max_length=100, default="")
    birth_date = fields.DateField(null=True)
    sex = fields.CharEnumField(Sex, max_length=16)
    #: ISO 3166-1 alpha-2, e.g. ``UZ``.
    nationality = fields.CharField(max_length=2)
    #: ISO 639-1 codes the person speaks, e.g. ``["uz", "ru"]``.
    languages: list[str] = fields.JSONField(default=list)
    preferred_language = fields.CharField(max_length=3, default="")
    phone = fields.CharField(max_length=40, default="")
    #: Someone the person trusts to be contacted, in their own words.
    trusted_contact = fields.CharField(max_length=200, default="")

    # Case data.
    #: A list of :class:`ExploitationType` values.
    exploitation_types: list[str] = fields.JSONField(default=list)
    referral_source = fields.CharEnumField(ReferralSource, max_length=16)
    document_status = fields.CharEnumField(DocumentStatus, max_length=32)

    # Consents: data processing is required at intake.
    consent_data_processing = fields.BooleanField()
    consent_share_police = fields.BooleanField(default=False)
    consent_share_consulate = fields.BooleanField(default=False)
    consent_share_partner_ngo = fields.BooleanField(default=False)
    consent_recorded_at = fields.DatetimeField()

    # Safety flags.
    do_not_disclose_presence = fields.BooleanField(default=False)
    #: Persons known to threaten the resident, in staff's words.
    known_threats = fields.TextField(default="")

    # Dietary needs (identity-level: shelter roles only).
    # Database defaults too, so the columns are added to a table that already has residents.
    diet_halal = fields.BooleanField(default=False, db_default=False)
    diet_vegetarian = fields.BooleanField(default=False, db_default=False)
    diet_infant_food = fields.BooleanField(default=False, db_default=False)
    #: Food allergies in staff's words, e.g. ``peanuts, shellfish``. Empty: none known.
    allergies = fields.CharField(max_length=500, default="", db_default="")

    created_at = fields.DatetimeField(auto_now_add=True)
    #: Where the person was registered: their first shelter until they are checked in anywhere.
    intake_shelter: fields.ForeignKeyNullableRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="intakes", null=True, on_delete=fields.RESTRICT
    )

    intake_shelter_id: int | None

    stays: fields.ReverseRelation[Stay]

    class Meta:
        table = "resident"
        ordering = ["id"]
