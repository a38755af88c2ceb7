from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.accounts import Role
from server.models.encrypted import EncryptedTextField
from server.models.notes import NoteKind
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("haven", "0002_invariants")]

    initial = False

    operations = [
        ops.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "user_id",
                    fields.IntField(
                        null=True, description="Null for a failed sign-in under an unknown name."
                    ),
                ),
                (
                    "username",
                    fields.CharField(
                        default="",
                        description="The name typed at sign-in, or the account's username.",
                        max_length=64,
                    ),
                ),
                (
                    "action",
                    fields.CharField(
                        description="e.g. ``login``, ``login_failed``, ``read_identity``, ``check_in``.",
                        max_length=40,
                    ),
                ),
                ("record_type", fields.CharField(default="", max_length=40)),
                ("record_id", fields.IntField(null=True)),
                (
                    "resident_id",
                    fields.IntField(
                        null=True,
                        description='The resident the event concerns, for "who looked at this person".',
                    ),
                ),
                ("client", fields.CharField(default="", max_length=200)),
                ("detail", fields.CharField(default="", max_length=500)),
            ],
            options={
                "table": "audit_event",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "Who did what to which record, when, from which client. Never updated or deleted:",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LoginThrottle",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("key", fields.CharField(unique=True, max_length=200)),
                ("failures", fields.IntField(default=0)),
                ("last_failure_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "locked_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "login_throttle",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "Failed sign-ins counted per account name and per address (``account:x``, ``address:y``),",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("username", fields.CharField(unique=True, max_length=64)),
                ("full_name", fields.CharField(max_length=200)),
                (
                    "role",
                    fields.CharEnumField(
                        description="ADMIN: admin\nCOORDINATOR: coordinator\nSHELTER_STAFF: shelter_staff\nMEDICAL: medical\nCOUNSELLOR: counsellor\nLEGAL: legal",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                (
                    "password_hash",
                    fields.CharField(
                        description="Argon2id hash, with its parameters, as argon2-cffi writes it.",
                        max_length=200,
                    ),
                ),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "shelters",
                    fields.ManyToManyField(
                        "haven.Shelter",
                        unique=True,
                        db_constraint=True,
                        through="account_shelter",
                        forward_key="shelter_id",
                        backward_key="account_id",
                        related_name="staff",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "account",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "One account per person, never shared.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuthToken",
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
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_used_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "client",
                    fields.CharField(
                        default="",
                        description="Where the session was opened from, e.g. ``127.0.0.1 HavenTablet/1.0``.",
                        max_length=200,
                    ),
                ),
            ],
            options={
                "table": "auth_token",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "A signed-in session. Only the token's SHA-256 is stored. The token itself is the client's.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CaseNote",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "resident",
                    fields.ForeignKeyField(
                        "haven.Resident",
                        source_field="resident_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="MEDICAL: medical\nCOUNSELLING: counselling\nLEGAL: legal",
                        enum_type=NoteKind,
                        max_length=16,
                    ),
                ),
                (
                    "text",
                    EncryptedTextField(
                        description="Encrypted with the data key. A raw look at the database shows only ``fernet:…``.",
                        unique=False,
                    ),
                ),
                ("written_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "case_note", "app": "haven", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Resident",
            name="intake_shelter",
            field=fields.ForeignKeyField(
                "haven.Shelter",
                source_field="intake_shelter_id",
                null=True,
                description="Where the person was registered: their first shelter until they are checked in anywhere.",
                db_constraint=True,
                to_field="id",
                related_name="intakes",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
    ]
