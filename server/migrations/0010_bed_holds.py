from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.shelters import HoldOutcome
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("haven", "0009_care_invariants")]

    initial = False

    operations = [
        ops.AddField(
            model_name="BedHold",
            name="outcome",
            field=fields.CharEnumField(
                null=True,
                description="CHECKED_IN: checked_in\nRELEASED: released\nEXPIRED: expired",
                enum_type=HoldOutcome,
                max_length=16,
            ),
        ),
        ops.AddField(
            model_name="BedHold",
            name="resident",
            field=fields.ForeignKeyField(
                "haven.Resident",
                source_field="resident_id",
                null=True,
                description="The person the bed is kept for, when already registered: they alone may take it.",
                db_constraint=True,
                to_field="id",
                related_name="bed_holds",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
    ]
