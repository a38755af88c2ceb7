from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.referrals import PartnerKind, ReferralDirection, ReferralStatus
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("haven", "0006_idempotency")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Referral",
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
                        related_name="referrals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "shelter",
                    fields.ForeignKeyField(
                        "haven.Shelter",
                        source_field="shelter_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="referrals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "made_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="made_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="referrals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "direction",
                    fields.CharEnumField(
                        description="INCOMING: incoming\nOUTGOING: outgoing",
                        enum_type=ReferralDirection,
                        max_length=16,
                    ),
                ),
                (
                    "partner",
                    fields.CharEnumField(
                        description="POLICE: police\nEMBASSY: embassy\nPARTNER_NGO: partner_ngo\nHOSPITAL: hospital",
                        enum_type=PartnerKind,
                        max_length=16,
                    ),
                ),
                (
                    "organisation",
                    fields.CharField(
                        description='The organisation by name, e.g. "Consulate of Uzbekistan, Almaty".',
                        max_length=200,
                    ),
                ),
                ("reason", fields.CharField(default="", max_length=1000)),
                (
                    "status",
                    fields.CharEnumField(
                        default=ReferralStatus.OPEN,
                        description="OPEN: open\nACCEPTED: accepted\nDECLINED: declined\nCOMPLETED: completed",
                        enum_type=ReferralStatus,
                        max_length=16,
                    ),
                ),
                ("referred_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "referral",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "One referral, in or out, made from or received at a shelter. Closed once accepted into",
            },
            bases=["Model"],
        ),
    ]
