"""Episodes in a shelter (stays) and which bed they used when (bed assignments)."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from server.models.residents import Resident
from server.models.shelters import Bed, Shelter


class ExitDestination(str, Enum):
    RETURNED_HOME = "returned_home"
    REPATRIATED = "repatriated"
    INDEPENDENT_LIVING = "independent_living"
    OTHER_SHELTER = "other_shelter"
    HOSPITAL = "hospital"
    LEFT_WITHOUT_NOTICE = "left_without_notice"
    OTHER = "other"


class Stay(Model):
    """One episode in one shelter. Active while ``checked_out_at`` is null."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="stays", on_delete=fields.RESTRICT
    )
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="stays", on_delete=fields.RESTRICT
    )
    resident_id: int
    shelter_id: int
    checked_in_at = fields.DatetimeField()
    checked_out_at = fields.DatetimeField(null=True)
    exit_destination = fields.CharEnumField(ExitDestination, max_length=24, null=True)

    assignments: fields.ReverseRelation[BedAssignment]

    class Meta:
        table = "stay"
        ordering = ["checked_in_at", "id"]


class BedAssignment(Model):
    """A stay's bed from ``started_at`` until ``ended_at``. A transfer ends one and adds one."""

    id = fields.IntField(primary_key=True)
    stay: fields.ForeignKeyRelation[Stay] = fields.ForeignKeyField(
        "haven.Stay", related_name="assignments", on_delete=fields.RESTRICT
    )
    bed: fields.ForeignKeyRelation[Bed] = fields.ForeignKeyField(
        "haven.Bed", related_name="assignments", on_delete=fields.RESTRICT
    )
    stay_id: int
    bed_id: int
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "bed_assignment"
        ordering = ["started_at", "id"]
