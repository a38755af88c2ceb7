from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.counselling import SessionFormat, SessionKind, SessionStatus
from server.models.encrypted import EncryptedTextField
from server.models.medical import AppointmentKind, AppointmentStatus
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("haven", "0007_referrals")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CounsellingSession",
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
                        related_name="counselling_sessions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "counsellor",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="counsellor_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="counselling_sessions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="PSYCHOLOGICAL: psychological\nSOCIAL: social\nLEGAL: legal",
                        enum_type=SessionKind,
                        max_length=16,
                    ),
                ),
                (
                    "format",
                    fields.CharEnumField(
                        description="INDIVIDUAL: individual\nGROUP: group",
                        enum_type=SessionFormat,
                        max_length=16,
                    ),
                ),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "interpreter_language",
                    fields.CharField(
                        default="",
                        description="ISO 639-1 code of the interpreter's language, or empty for none: ``uz``.",
                        max_length=3,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=SessionStatus.SCHEDULED,
                        description="SCHEDULED: scheduled\nRECORDED: recorded\nCANCELLED: cancelled",
                        enum_type=SessionStatus,
                        max_length=16,
                    ),
                ),
                ("scheduled_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "recorded_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="recorded_by_id",
                        null=True,
                        description="The author of ``notes``, the only person who reads them.",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions_recorded",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "notes",
                    EncryptedTextField(
                        null=True,
                        description="Encrypted with the data key. Not even an administrator reads them.",
                        unique=False,
                    ),
                ),
            ],
            options={
                "table": "counselling_session",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "A session held by one counsellor (a legal adviser for legal sessions) in one shelter.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CounsellingParticipant",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "session",
                    fields.ForeignKeyField(
                        "haven.CounsellingSession",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="participants",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "resident",
                    fields.ForeignKeyField(
                        "haven.Resident",
                        source_field="resident_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="counselling",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "attended",
                    fields.BooleanField(
                        null=True, description="Null until the session is recorded."
                    ),
                ),
            ],
            options={
                "table": "counselling_participant",
                "app": "haven",
                "unique_together": (("session", "resident"),),
                "pk_attr": "id",
                "table_description": "A resident in a session: one for an individual session, several for a group.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MedicalAppointment",
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
                        related_name="appointments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "shelter",
                    fields.ForeignKeyField(
                        "haven.Shelter",
                        source_field="shelter_id",
                        description="The resident's shelter when the appointment was booked.",
                        db_constraint=True,
                        to_field="id",
                        related_name="appointments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "provider",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="provider_id",
                        description="The medical volunteer who sees the person.",
                        db_constraint=True,
                        to_field="id",
                        related_name="appointments_given",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="GENERAL: general\nGYNAECOLOGICAL: gynaecological\nDENTAL: dental\nMENTAL_HEALTH: mental_health\nTESTS: tests",
                        enum_type=AppointmentKind,
                        max_length=16,
                    ),
                ),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "place",
                    fields.CharField(
                        default="",
                        description="Where, in staff's words: ``Clinic No. 4, room 12``.",
                        max_length=200,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=AppointmentStatus.SCHEDULED,
                        description="SCHEDULED: scheduled\nCOMPLETED: completed\nCANCELLED: cancelled\nNO_SHOW: no_show",
                        enum_type=AppointmentStatus,
                        max_length=16,
                    ),
                ),
                ("booked_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "medical_appointment",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "A resident seen by a medical volunteer (the provider) from ``starts_at`` to ``ends_at``.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AppointmentStatusChange",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "appointment",
                    fields.ForeignKeyField(
                        "haven.MedicalAppointment",
                        source_field="appointment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="status_changes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        description="SCHEDULED: scheduled\nCOMPLETED: completed\nCANCELLED: cancelled\nNO_SHOW: no_show",
                        enum_type=AppointmentStatus,
                        max_length=16,
                    ),
                ),
                ("changed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "changed_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="changed_by_id",
                        null=True,
                        description="Null when the change came from the server's console.",
                        db_constraint=True,
                        to_field="id",
                        related_name="appointment_changes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "reason",
                    fields.CharField(
                        default="",
                        description="Why, when cancelled: ``Resident unwell``.",
                        max_length=200,
                    ),
                ),
            ],
            options={
                "table": "appointment_status_change",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "Each status an appointment took, who set it and when: the booking is the first row.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MedicalVisit",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "appointment",
                    fields.OneToOneField(
                        "haven.MedicalAppointment",
                        source_field="appointment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="visit",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "haven.User",
                        source_field="recorded_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="visits_recorded",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "findings",
                    EncryptedTextField(
                        description="Encrypted with the data key, like case notes. Medical volunteers only read them.",
                        unique=False,
                    ),
                ),
                ("notes", EncryptedTextField(null=True, unique=False)),
                ("follow_up_on", fields.DateField(null=True)),
                ("referred_to_hospital", fields.BooleanField(default=False)),
                (
                    "hospital",
                    fields.CharField(
                        default="", description="Which hospital, when referred.", max_length=200
                    ),
                ),
            ],
            options={
                "table": "medical_visit",
                "app": "haven",
                "pk_attr": "id",
                "table_description": "What a medical volunteer recorded when the appointment took place, one per appointment.",
            },
            bases=["Model"],
        ),
    ]
