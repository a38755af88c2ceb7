"""Meals served: how many plates per shelter, day and meal, and how many of them special diets."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.accounts import User
    from server.models.shelters import Shelter


class Meal(str, Enum):
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    SNACK = "snack"


class MealRecord(Model):
    """The count of one meal at one shelter on one day. A correction is a new row that supersedes
    this one, so the first count is kept: one current row per shelter, day and meal (a partial
    unique index, migration 0015)."""

    id = fields.IntField(primary_key=True)
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="meals", on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="meals", null=True, on_delete=fields.RESTRICT
    )
    #: The row this one corrects, if it is a correction.
    corrects: fields.ForeignKeyNullableRelation[MealRecord] = fields.ForeignKeyField(
        "haven.MealRecord", related_name="corrections", null=True, on_delete=fields.NO_ACTION
    )
    shelter_id: int
    recorded_by_id: int | None
    corrects_id: int | None
    #: The day in the shelters' time zone.
    day = fields.DateField()
    meal = fields.CharEnumField(Meal, max_length=16)
    served = fields.IntField()
    halal = fields.IntField(default=0)
    vegetarian = fields.IntField(default=0)
    allergy_safe = fields.IntField(default=0)
    infant = fields.IntField(default=0)
    recorded_at = fields.DatetimeField()
    #: When a correction replaced this count. Null while it is the current one.
    superseded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "meal_record"
        ordering = ["id"]
