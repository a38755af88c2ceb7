"""Where people sleep: regions, shelters, rooms and beds, with each bed's outages and holds."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.residents import Resident
    from server.models.stays import BedAssignment, Stay


class ShelterKind(str, Enum):
    WOMEN = "women"
    MEN = "men"
    FAMILIES = "families"
    CHILDREN = "children"
    MIXED = "mixed"


class BedFeature(str, Enum):
    ACCESSIBLE = "accessible"
    CRIB = "crib"
    LOWER_BUNK = "lower_bunk"


class Region(Model):
    id = fields.IntField(primary_key=True)
    #: Short stable code, e.g. ``ALA`` for Almaty.
    code = fields.CharField(max_length=8, unique=True)
    name = fields.CharField(max_length=100, unique=True)

    shelters: fields.ReverseRelation[Shelter]

    class Meta:
        table = "region"
        ordering = ["name"]


class Shelter(Model):
    id = fields.IntField(primary_key=True)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "haven.Region", related_name="shelters", on_delete=fields.RESTRICT
    )
    region_id: int
    name = fields.CharField(max_length=100, unique=True)
    kind = fields.CharEnumField(ShelterKind, max_length=16)
    #: Confidential: a leaked address can bring a trafficker to the door.
    address = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    rooms: fields.ReverseRelation[Room]
    stays: fields.ReverseRelation[Stay]

    class Meta:
        table = "shelter"
        ordering = ["name"]


class Room(Model):
    id = fields.IntField(primary_key=True)
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="rooms", on_delete=fields.RESTRICT
    )
    shelter_id: int
    name = fields.CharField(max_length=50)
    floor = fields.SmallIntField(default=0)

    beds: fields.ReverseRelation[Bed]

    class Meta:
        table = "room"
        unique_together = (("shelter", "name"),)
        ordering = ["id"]


class Bed(Model):
    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "haven.Room", related_name="beds", on_delete=fields.RESTRICT
    )
    room_id: int
    label = fields.CharField(max_length=20)
    #: One column per :class:`BedFeature`, so both databases filter on them with an index.
    accessible = fields.BooleanField(default=False)
    crib = fields.BooleanField(default=False)
    lower_bunk = fields.BooleanField(default=False)
    #: Capacity counts a bed from this moment on.
    created_at = fields.DatetimeField()

    assignments: fields.ReverseRelation[BedAssignment]
    outages: fields.ReverseRelation[BedOutage]
    holds: fields.ReverseRelation[BedHold]

    class Meta:
        table = "bed"
        unique_together = (("room", "label"),)
        ordering = ["id"]

    @property
    def features(self) -> list[BedFeature]:
        return [feature for feature in BedFeature if getattr(self, feature.value)]


class BedOutage(Model):
    """A bed out of service from ``started_at`` until ``ended_at`` (open while still out)."""

    id = fields.IntField(primary_key=True)
    bed: fields.ForeignKeyRelation[Bed] = fields.ForeignKeyField(
        "haven.Bed", related_name="outages", on_delete=fields.RESTRICT
    )
    bed_id: int
    reason = fields.CharField(max_length=200)
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "bed_outage"
        ordering = ["started_at", "id"]


class HoldOutcome(str, Enum):
    """How a hold ended: the person arrived, it was called off, or its time ran out."""

    CHECKED_IN = "checked_in"
    RELEASED = "released"
    EXPIRED = "expired"


class BedHold(Model):
    """A bed kept for an incoming referral until it expires or is released."""

    id = fields.IntField(primary_key=True)
    bed: fields.ForeignKeyRelation[Bed] = fields.ForeignKeyField(
        "haven.Bed", related_name="holds", on_delete=fields.RESTRICT
    )
    bed_id: int
    reason = fields.CharField(max_length=200)
    expected_arrival = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    #: Set when the hold became a check-in or was cancelled before it expired.
    released_at = fields.DatetimeField(null=True)
    #: Set with released_at. An expired hold is released at its expiry, by the sweeper.
    outcome = fields.CharEnumField(HoldOutcome, max_length=16, null=True)
    #: The person the bed is kept for, when already registered: they alone may take it.
    resident: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="bed_holds", on_delete=fields.RESTRICT, null=True
    )
    resident_id: int | None

    class Meta:
        table = "bed_hold"
        ordering = ["started_at", "id"]
