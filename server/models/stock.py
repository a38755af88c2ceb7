"""Food, clothing and other supplies: the item catalogue, each shelter's stock level per item,
and the append-only ledger of movements that level is kept from."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from server.models.accounts import User
from server.models.residents import Resident
from server.models.shelters import Shelter


class ItemCategory(str, Enum):
    FOOD = "food"
    CLOTHING = "clothing"
    HYGIENE = "hygiene"
    MEDICAL_SUPPLY = "medical_supply"
    OTHER = "other"


class ItemUnit(str, Enum):
    """What one counts an item in. Quantities are whole numbers of this unit."""

    PIECE = "piece"
    PACK = "pack"
    BOX = "box"
    BOTTLE = "bottle"
    KG = "kg"
    LITRE = "litre"
    KIT = "kit"
    PAIR = "pair"
    SET = "set"


class Season(str, Enum):
    """When a piece of clothing is worn. Demi-season: the cool spring and autumn months."""

    SUMMER = "summer"
    DEMI_SEASON = "demi_season"
    WINTER = "winter"
    ALL_SEASON = "all_season"


class MovementKind(str, Enum):
    RECEIPT = "receipt"
    DISTRIBUTION = "distribution"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"


class WriteOffReason(str, Enum):
    EXPIRED = "expired"
    DAMAGED = "damaged"
    OTHER = "other"


class Item(Model):
    """One thing in the catalogue, e.g. Rice (food, kg) or Winter jacket size M (clothing)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    category = fields.CharEnumField(ItemCategory, max_length=16)
    unit = fields.CharEnumField(ItemUnit, max_length=8)
    #: Clothing only, in the label's words (``M``, ``42``, ``6-9 months``), empty for one size.
    clothing_size = fields.CharField(max_length=20, default="")
    #: Clothing only.
    season = fields.CharEnumField(Season, max_length=12, null=True)
    #: Food only: each receipt then carries an expiry date.
    perishable = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "item"
        ordering = ["id"]


class StockLevel(Model):
    """What one shelter holds of one item now, kept in the same transaction as each movement.

    The row is locked (``SELECT ... FOR UPDATE``) by every movement of the pair, so movements
    of one item in one shelter queue, and ``on_hand`` never goes below zero (a CHECK).
    """

    id = fields.IntField(primary_key=True)
    shelter: fields.ForeignKeyRelation[Shelter] = fields.ForeignKeyField(
        "haven.Shelter", related_name="stock_levels", on_delete=fields.RESTRICT
    )
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "haven.Item", related_name="stock_levels", on_delete=fields.RESTRICT
    )
    shelter_id: int
    item_id: int
    #: The sum of the ledger's changes for this shelter and item.
    on_hand = fields.BigIntField(default=0)
    #: Units ever added (receipts, transfers in, counts that found more), for first in, first out.
    received_total = fields.BigIntField(default=0)
    #: At or below this, the item is low in this shelter (null: never low).
    threshold = fields.IntField(null=True)
    updated_at = fields.DatetimeField()

    movements: fields.ReverseRelation[StockMovement]

    class Meta:
        table = "stock_level"
        unique_together = (("shelter", "item"),)
        ordering = ["id"]


class StockMovement(Model):
    """One change to a shelter's stock of one item, never updated nor deleted (append-only).

    A correction is a new movement. The units on hand are the last ``on_hand`` ones received:
    a receipt is still (partly) on hand while its ``received_through`` exceeds the level's
    ``received_total - on_hand``.
    """

    id = fields.IntField(primary_key=True)
    level: fields.ForeignKeyRelation[StockLevel] = fields.ForeignKeyField(
        "haven.StockLevel", related_name="movements", on_delete=fields.RESTRICT
    )
    level_id: int
    kind = fields.CharEnumField(MovementKind, max_length=16)
    #: Signed: positive in, negative out.
    delta = fields.BigIntField()
    #: The level's ``on_hand`` right after this movement (for a count: what was counted).
    on_hand_after = fields.BigIntField()
    #: The level's ``received_total`` right after this movement.
    received_through = fields.BigIntField()
    #: When it happened, as staff recorded it.
    at = fields.DatetimeField()
    recorded_at = fields.DatetimeField(auto_now_add=True)
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "haven.User", related_name="stock_movements", null=True, on_delete=fields.RESTRICT
    )
    recorded_by_id: int | None
    #: Distributions only: who received it.
    resident: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "haven.Resident", related_name="distributions", null=True, on_delete=fields.RESTRICT
    )
    resident_id: int | None
    #: Receipts only.
    donor = fields.CharField(max_length=200, default="")
    #: Receipts of perishable food only.
    expires_on = fields.DateField(null=True)
    #: Transfers in only: the movement out of the other shelter it came from.
    transfer_of: fields.ForeignKeyNullableRelation[StockMovement] = fields.ForeignKeyField(
        "haven.StockMovement", related_name="transfer_in", null=True, on_delete=fields.RESTRICT
    )
    transfer_of_id: int | None
    #: Write-offs only.
    write_off_reason = fields.CharEnumField(WriteOffReason, max_length=8, null=True)
    #: Free text, required for a write-off for another reason.
    note = fields.CharField(max_length=300, default="")

    class Meta:
        table = "stock_movement"
        ordering = ["id"]

    @property
    def quantity(self) -> int:
        return int(abs(self.delta))
