from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.stock import ItemCategory, ItemUnit, MovementKind, Season, WriteOffReason
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("haven", "0011_bed_hold_invariants")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Item",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=100)),
                (
                    "category",
                    fields.CharEnumField(
                        description="FOOD: food\nCLOTHING: clothing\nHYGIENE: hygiene\nMEDICAL_SUPPLY: medical_supply\nOTHER: other",
                        enum_type=ItemCategory,
                        max_length=16,
                    ),
                ),
                (
                    "unit",
                    fields.CharEnumField(
                        description="PIECE: piece\nPACK: pack\nBOX: box\nBOTTLE: bottle\nKG: kg\nLITRE: litre\nKIT: kit\nPAIR: pair\nSET: set",
                        enum_type=ItemUnit,
                        max_length=8,
                    ),
                ),
                (
                    "clothing_size",
                    fields.CharField(
                        default="",
                        description="Clothing only, in the label's words (``M``, ``42``, ``6-9 months``), empty for one size.",
                        max_length=20,
                    ),
                ),
                (
                    "season",
                    fields.CharEnumField(
                        null=True,
                        description="SUMMER: summer\nDEMI_SEASON: demi_season\nWINTER: winter\nALL_SEASON: all_season",
                        enum_type=Season,
                        max_length=12,
                    ),
                ),
                (
                    "perishable",
                    fields.BooleanField(
                        default=False,
                        description="Food only: each receipt then carries an expiry date.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "item",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "One thing in the catalogue, e.g. Rice (food, kg) or Winter jacket size M (clothing).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StockLevel",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "shelter",
                    fields.ForeignKeyField(
                        "haven.Shelter",
                        source_field="shelter_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="stock_levels",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "item",
                    fields.ForeignKeyField(
                        "haven.Item",
                        source_field="item_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="stock_levels",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "on_hand",
                    fields.BigIntField(
                        default=0,
                        description="The sum of the ledger's changes for this shelter and item.",
                    ),
                ),
                (
                    "received_total",
                    fields.BigIntField(
                        default=0,
                        description="Units ever added (receipts, transfers in, counts that found more), for first in, first out.",
                    ),
                ),
                (
                    "threshold",
                    fields.IntField(
                        null=True,
                        description="At or below this, the item is low in this shelter (null: never low).",
                    ),
                ),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "stock_level",
                "app": "haven",
                "unique_together": (("shelter", "item"),),
                "pk_attr": "id",
                "table_description": "What one shelter holds of one item now, kept in the same transaction as each movement.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StockMovement",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "level",
                    fields.ForeignKeyField(
                        "haven.StockLevel",
                        source_field="level_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="movements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="RECEIPT: receipt\nDISTRIBUTION: distribution\nTRANSFER_OUT: transfer_out\nTRANSFER_IN: transfer_in\nADJUSTMENT: adjustment\nWRITE_OFF: write_off",
                        enum_type=MovementKind,
                        max_length=16,
                    ),
                ),
                ("delta", fields.BigIntField(description="Signed: positive in, negative out.")),
                (
                    "on_hand_after",
                    fields.BigIntField(
                        description="The level's ``on_hand`` right after this movement (for a count: what was counted)."
                    ),
                ),
                (
                    "received_through",
                    fields.BigIntField(
                        description="The level's ``received_total`` right after this movement."
                    ),
                ),
                (
                    "at",
                    fields.DatetimeField(
                        description="When it happened, as staff recorded it.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="recorded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="stock_movements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "resident",
                    fields.ForeignKeyField(
                        "haven.Resident",
                        source_field="resident_id",
                        null=True,
                        description="Distributions only: who received it.",
                        db_constraint=True,
                        to_field="id",
                        related_name="distributions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "donor",
                    fields.CharField(default="", description="Receipts only.", max_length=200),
                ),
                (
                    "expires_on",
                    fields.DateField(null=True, description="Receipts of perishable food only."),
                ),
                (
                    "transfer_of",
                    fields.ForeignKeyField(
                        "haven.StockMovement",
                        source_field="transfer_of_id",
                        null=True,
                        description="Transfers in only: the movement out of the other shelter it came from.",
                        db_constraint=True,
                        to_field="id",
                        related_name="transfer_in",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "write_off_reason",
                    fields.CharEnumField(
                        null=True,
                        description="EXPIRED: expired\nDAMAGED: damaged\nOTHER: other",
                        enum_type=WriteOffReason,
                        max_length=8,
                    ),
                ),
                (
                    "note",
                    fields.CharField(
                        default="",
                        description="Free text, required for a write-off for another reason.",
                        max_length=300,
                    ),
                ),
            ],
            options={
                "table": "stock_movement",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "One change to a shelter's stock of one item, never updated nor deleted (append-only).",
            },
            bases=["Model"],
        ),
    ]
