from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.meals import Meal
from server.models.services import (
    ChangeKind,
    DocumentStage,
    DocumentType,
    Pillar,
    ReturnStage,
    ServiceKind,
    ServiceStatus,
)
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("haven", "0013_stock_invariants")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MealRecord",
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
                        related_name="meals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="recorded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="meals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "corrects",
                    fields.ForeignKeyField(
                        "haven.MealRecord",
                        source_field="corrects_id",
                        null=True,
                        description="The row this one corrects, if it is a correction.",
                        db_constraint=True,
                        to_field="id",
                        related_name="corrections",
                        on_delete=OnDelete.NO_ACTION,
                    ),
                ),
                ("day", fields.DateField(description="The day in the shelters' time zone.")),
                (
                    "meal",
                    fields.CharEnumField(
                        description="BREAKFAST: breakfast\nLUNCH: lunch\nDINNER: dinner\nSNACK: snack",
                        enum_type=Meal,
                        max_length=16,
                    ),
                ),
                ("served", fields.IntField()),
                ("halal", fields.IntField(default=0)),
                ("vegetarian", fields.IntField(default=0)),
                ("allergy_safe", fields.IntField(default=0)),
                ("infant", fields.IntField(default=0)),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "superseded_at",
                    fields.DatetimeField(
                        null=True,
                        description="When a correction replaced this count. Null while it is the current one.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
            ],
            options={
                "table": "meal_record",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "The count of one meal at one shelter on one day. A correction is a new row that supersedes",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ServiceRecord",
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
                        related_name="services",
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
                        related_name="services",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="recorded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="services",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="LEGAL_AID: legal_aid\nDOCUMENT_RESTORATION: document_restoration\nCOURT_REPRESENTATION: court_representation\nPOLICE_STATEMENT: police_statement\nFAMILY_TRACING: family_tracing\nRETURN_HOME: return_home\nINTERPRETATION: interpretation\nTRANSPORT: transport\nVOCATIONAL_TRAINING: vocational_training\nHYGIENE_KIT: hygiene_kit",
                        enum_type=ServiceKind,
                        max_length=32,
                    ),
                ),
                (
                    "pillar",
                    fields.CharEnumField(
                        description="PREVENTION: prevention\nPROTECTION: protection\nPROSECUTION: prosecution\nPARTNERSHIP: partnership",
                        enum_type=Pillar,
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        description="PLANNED: planned\nIN_PROGRESS: in_progress\nCOMPLETED: completed\nCANCELLED: cancelled",
                        enum_type=ServiceStatus,
                        max_length=16,
                    ),
                ),
                (
                    "provider",
                    fields.CharField(
                        default="",
                        description="The organisation or person who gives the service, in staff's words.",
                        max_length=200,
                    ),
                ),
                ("outcome", fields.TextField(default="", unique=False)),
                ("started_on", fields.DateField(null=True)),
                (
                    "completed_on",
                    fields.DateField(
                        null=True, description="Set when, and only when, the status is completed."
                    ),
                ),
                (
                    "recorded_at",
                    fields.DatetimeField(
                        description="When the service was logged (back-dated for an entry made late).",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                (
                    "document_type",
                    fields.CharEnumField(
                        null=True,
                        description="PASSPORT: passport\nID_CARD: id_card\nBIRTH_CERTIFICATE: birth_certificate\nMIGRATION_CARD: migration_card\nWORK_PERMIT: work_permit\nOTHER: other",
                        enum_type=DocumentType,
                        max_length=24,
                    ),
                ),
                (
                    "document_stage",
                    fields.CharEnumField(
                        null=True,
                        description="REQUESTED: requested\nAPPLICATION_FILED: application_filed\nISSUED: issued\nHANDED_OVER: handed_over",
                        enum_type=DocumentStage,
                        max_length=24,
                    ),
                ),
                (
                    "return_stage",
                    fields.CharEnumField(
                        null=True,
                        description="REQUESTED: requested\nDOCUMENTS_READY: documents_ready\nTRAVEL_BOOKED: travel_booked\nDEPARTED: departed\nARRIVED: arrived\nFOLLOWED_UP: followed_up",
                        enum_type=ReturnStage,
                        max_length=24,
                    ),
                ),
            ],
            options={
                "table": "service_record",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "One service for one resident, logged at one shelter. Completed or cancelled, it is not",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CourtHearing",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "service",
                    fields.ForeignKeyField(
                        "haven.ServiceRecord",
                        source_field="service_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="hearings",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="recorded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="hearings",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("hearing_on", fields.DateField()),
                ("outcome", fields.TextField(default="", unique=False)),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "court_hearing",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "A hearing of a court representation: its date and, once held, what came of it.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ServiceChange",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "service",
                    fields.ForeignKeyField(
                        "haven.ServiceRecord",
                        source_field="service_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="changes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="recorded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="service_changes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "change",
                    fields.CharEnumField(
                        description="LOGGED: logged\nSTATUS: status\nSTAGE: stage",
                        enum_type=ChangeKind,
                        max_length=8,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        description="PLANNED: planned\nIN_PROGRESS: in_progress\nCOMPLETED: completed\nCANCELLED: cancelled",
                        enum_type=ServiceStatus,
                        max_length=16,
                    ),
                ),
                (
                    "document_stage",
                    fields.CharEnumField(
                        null=True,
                        description="REQUESTED: requested\nAPPLICATION_FILED: application_filed\nISSUED: issued\nHANDED_OVER: handed_over",
                        enum_type=DocumentStage,
                        max_length=24,
                    ),
                ),
                (
                    "return_stage",
                    fields.CharEnumField(
                        null=True,
                        description="REQUESTED: requested\nDOCUMENTS_READY: documents_ready\nTRAVEL_BOOKED: travel_booked\nDEPARTED: departed\nARRIVED: arrived\nFOLLOWED_UP: followed_up",
                        enum_type=ReturnStage,
                        max_length=24,
                    ),
                ),
            ],
            options={
                "table": "service_change",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "One step in a service's history: logged, a status change, a stage reached. Each row holds",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Resident",
            name="allergies",
            field=fields.CharField(
                default="",
                db_default="",
                description="Food allergies in staff's words, e.g. ``peanuts, shellfish``. Empty: none known.",
                max_length=500,
            ),
        ),
        ops.AddField(
            model_name="Resident",
            name="diet_halal",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="Resident",
            name="diet_infant_food",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="Resident",
            name="diet_vegetarian",
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
