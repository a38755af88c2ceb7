"""Referrals of a resident to a partner (police, a consulate, an NGO, a hospital) and from one."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from server.models.accounts import User
from server.models.residents import Resident
from server.models.shelters import Shelter


class ReferralDirection(str, Enum):
    #: A partner sent the person to the shelter.
    INCOMING = "incoming"
    #: The shelter sends the person, and with them their case, to a partner.
    OUTGOING = "outgoing"


class PartnerKind(str, Enum):
    POLICE = "police"
    EMBASSY = "embassy"
    PARTNER_NGO = "partner_ngo"
    HOSPITAL = "hospital"


class ReferralStatus(str, Enum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"


class Referral(Model):
    """One referral, in or out, made from or received at a shelter. Closed once accepted into
    completion or declined."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="referrals", on_delete=fields.RESTRICT
    )
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="referrals", on_delete=fields.RESTRICT
    )
    made_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="referrals", on_delete=fields.RESTRICT, null=True
    )
    resident_id: int
    shelter_id: int
    made_by_id: int | None
    direction = fields.CharEnumField(ReferralDirection, max_length=16)
    partner = fields.CharEnumField(PartnerKind, max_length=16)
    #: The organisation by name, e.g. "Consulate of Uzbekistan, Almaty".
    organisation = fields.CharField(max_length=200)
    reason = fields.CharField(max_length=1000, default="")
    status = fields.CharEnumField(ReferralStatus, max_length=16, default=ReferralStatus.OPEN)
    referred_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "referral"
        ordering = ["referred_at", "id"]
