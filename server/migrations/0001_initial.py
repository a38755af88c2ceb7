from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.models.residents import DocumentStatus, ReferralSource, Sex
from server.models.shelters import ShelterKind
from server.models.stays import ExitDestination
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Region",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "code",
                    fields.CharField(
                        unique=True,
                        description="Short stable code, e.g. ``ALA`` for Almaty.",
                        max_length=8,
                    ),
                ),
                ("name", fields.CharField(unique=True, max_length=100)),
            ],
            options={"table": "region", "app": "haven", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Resident",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "code",
                    fields.CharField(
                        unique=True,
                        description="Pseudonymous code shown on most screens and every report: ``HV-2026-000123``.",
                        max_length=20,
                    ),
                ),
                ("given_name", fields.CharField(max_length=100)),
                ("family_name", fields.CharField(default="", max_length=100)),
                ("birth_date", fields.DateField(null=True)),
                (
                    "sex",
                    fields.CharEnumField(
                        description="FEMALE: female\nMALE: male\nOTHER: other\nUNDISCLOSED: undisclosed",
                        enum_type=Sex,
                        max_length=16,
                    ),
                ),
                (
                    "nationality",
                    fields.CharField(description="ISO 3166-1 alpha-2, e.g. ``UZ``.", max_length=2),
                ),
                (
                    "languages",
                    fields.JSONField(
                        default=list,
                        description='ISO 639-1 codes the person speaks, e.g. ``["uz", "ru"]``.',
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("preferred_language", fields.CharField(default="", max_length=3)),
                ("phone", fields.CharField(default="", max_length=40)),
                (
                    "trusted_contact",
                    fields.CharField(
                        default="",
                        description="Someone the person trusts to be contacted, in their own words.",
                        max_length=200,
                    ),
                ),
                (
                    "exploitation_types",
                    fields.JSONField(
                        default=list,
                        description="A list of :class:`ExploitationType` values.",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "referral_source",
                    fields.CharEnumField(
                        description="HOTLINE: hotline\nPOLICE: police\nNGO: ngo\nEMBASSY: embassy\nSELF: self\nOTHER: other",
                        enum_type=ReferralSource,
                        max_length=16,
                    ),
                ),
                (
                    "document_status",
                    fields.CharEnumField(
                        description="HOLDS: holds\nLOST: lost\nCONFISCATED: confiscated\nRESTORATION_IN_PROGRESS: restoration_in_progress\nRESTORED: restored",
                        enum_type=DocumentStatus,
                        max_length=32,
                    ),
                ),
                ("consent_data_processing", fields.BooleanField()),
                ("consent_share_police", fields.BooleanField(default=False)),
                ("consent_share_consulate", fields.BooleanField(default=False)),
                ("consent_share_partner_ngo", fields.BooleanField(default=False)),
                ("consent_recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("do_not_disclose_presence", fields.BooleanField(default=False)),
                (
                    "known_threats",
                    fields.TextField(
                        default="",
                        description="Persons known to threaten the resident, in staff's words.",
                        unique=False,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "resident", "app": "haven", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Shelter",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "region",
                    fields.ForeignKeyField(
                        "haven.Region",
                        source_field="region_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="shelters",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(unique=True, max_length=100)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="WOMEN: women\nMEN: men\nFAMILIES: families\nCHILDREN: children\nMIXED: mixed",
                        enum_type=ShelterKind,
                        max_length=16,
                    ),
                ),
                (
                    "address",
                    fields.CharField(
                        default="",
                        description="Confidential: a leaked address can bring a trafficker to the door.",
                        max_length=300,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "shelter", "app": "haven", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Room",
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
                        related_name="rooms",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=50)),
                ("floor", fields.SmallIntField(default=0)),
            ],
            options={
                "table": "room",
                "app": "haven",
                "unique_together": (("shelter", "name"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Bed",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "room",
                    fields.ForeignKeyField(
                        "haven.Room",
                        source_field="room_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="beds",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("label", fields.CharField(max_length=20)),
                (
                    "accessible",
                    fields.BooleanField(
                        default=False,
                        description="One column per :class:`BedFeature`, so both databases filter on them with an index.",
                    ),
                ),
                ("crib", fields.BooleanField(default=False)),
                ("lower_bunk", fields.BooleanField(default=False)),
                (
                    "created_at",
                    fields.DatetimeField(
                        description="Capacity counts a bed from this moment on.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
            ],
            options={
                "table": "bed",
                "app": "haven",
                "unique_together": (("room", "label"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="BedHold",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "bed",
                    fields.ForeignKeyField(
                        "haven.Bed",
                        source_field="bed_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="holds",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("reason", fields.CharField(max_length=200)),
                (
                    "expected_arrival",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "released_at",
                    fields.DatetimeField(
                        null=True,
                        description="Set when the hold became a check-in or was cancelled before it expired.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
            ],
            options={
                "table": "bed_hold",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "A bed kept for an incoming referral until it expires or is released.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="BedOutage",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "bed",
                    fields.ForeignKeyField(
                        "haven.Bed",
                        source_field="bed_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="outages",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("reason", fields.CharField(max_length=200)),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ended_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "bed_outage",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "A bed out of service from ``started_at`` until ``ended_at`` (open while still out).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Stay",
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
                        related_name="stays",
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
                        related_name="stays",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("checked_in_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "checked_out_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "exit_destination",
                    fields.CharEnumField(
                        null=True,
                        description="RETURNED_HOME: returned_home\nREPATRIATED: repatriated\nINDEPENDENT_LIVING: independent_living\nOTHER_SHELTER: other_shelter\nHOSPITAL: hospital\nLEFT_WITHOUT_NOTICE: left_without_notice\nOTHER: other",
                        enum_type=ExitDestination,
                        max_length=24,
                    ),
                ),
            ],
            options={
                "table": "stay",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "One episode in one shelter. Active while ``checked_out_at`` is null.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="BedAssignment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "stay",
                    fields.ForeignKeyField(
                        "haven.Stay",
                        source_field="stay_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="assignments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "bed",
                    fields.ForeignKeyField(
                        "haven.Bed",
                        source_field="bed_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="assignments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ended_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "bed_assignment",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "A stay's bed from ``started_at`` until ``ended_at``. A transfer ends one and adds one.",
            },
            bases=["Model"],
        ),
    ]
