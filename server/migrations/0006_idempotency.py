from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("haven", "0005_history_indexes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="IdempotencyKey",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="idempotency_keys",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("key", fields.UUIDField()),
                ("operation", fields.CharField(max_length=64)),
                ("fingerprint", fields.CharField(max_length=64)),
                ("result_id", fields.IntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "idempotency_key",
                "app": "haven",
                "unique_together": (("user", "key"),),
                "pk_attr": "id",
                "table_description": "A client's key for one creating request, claimed in the request's own transaction.",
            },
            bases=["Model"],
        ),
    ]
