"""What the database holds for medical appointments and counselling sessions, whoever writes:
an appointment or session ends after it starts and lasts at most 8 hours, only a scheduled one
changes status, a visit names a hospital only when it refers to one. Plus the indexes a day's
schedule and the double-booking checks read.

SQLite cannot add a CHECK to a table Tortoise made, so there each rule is a pair of triggers
that abort like a CHECK would (the same message, so server/domain/errors.py maps both).
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "ix_medical_appointment_provider": "medical_appointment (provider_id, starts_at)",
    "ix_medical_appointment_resident": "medical_appointment (resident_id, starts_at)",
    "ix_medical_appointment_shelter": "medical_appointment (shelter_id, starts_at)",
    "ix_appointment_status_change": "appointment_status_change (appointment_id, changed_at)",
    "ix_counselling_session_counsellor": "counselling_session (counsellor_id, starts_at)",
    "ix_counselling_session_shelter": "counselling_session (shelter_id, starts_at)",
    "ix_counselling_participant_resident": "counselling_participant (resident_id)",
}

#: Name -> (table, PostgreSQL condition, SQLite condition over NEW), for every insert and update.
CHECKS = {
    "ck_medical_appointment_interval": (
        "medical_appointment",
        "ends_at > starts_at AND ends_at <= starts_at + interval '8 hours'",
        "julianday(NEW.ends_at) > julianday(NEW.starts_at) "
        "AND julianday(NEW.ends_at) - julianday(NEW.starts_at) <= 8.0 / 24 + 0.000001",
    ),
    "ck_counselling_session_interval": (
        "counselling_session",
        "ends_at > starts_at AND ends_at <= starts_at + interval '8 hours'",
        "julianday(NEW.ends_at) > julianday(NEW.starts_at) "
        "AND julianday(NEW.ends_at) - julianday(NEW.starts_at) <= 8.0 / 24 + 0.000001",
    ),
    "ck_medical_visit_referral": (
        "medical_visit",
        "referred_to_hospital OR hospital = ''",
        "NEW.referred_to_hospital OR NEW.hospital = ''",
    ),
}

#: Name -> table whose ``status`` changes only from ``scheduled``.
STATUS_ONCE = {
    "ck_medical_appointment_status": "medical_appointment",
    "ck_counselling_session_status": "counselling_session",
}


def _sqlite() -> list[str]:
    statements = []
    for name, (table, _, condition) in CHECKS.items():
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN NOT ({condition}) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
            )
    for name, table in STATUS_ONCE.items():
        statements.append(
            f"CREATE TRIGGER {name} BEFORE UPDATE OF status ON {table} "
            "WHEN OLD.status <> 'scheduled' AND NEW.status <> OLD.status "
            f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
        )
    return statements


def _postgres() -> list[str]:
    statements = [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition})"
        for name, (table, condition, _) in CHECKS.items()
    ]
    for name, table in STATUS_ONCE.items():
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF OLD.status <> 'scheduled' AND NEW.status <> OLD.status THEN "
            f"RAISE EXCEPTION 'CHECK constraint failed: {name}' USING ERRCODE = '23514'"
            "; END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return statements


def statements(dialect: str) -> list[str]:
    indexes = [f"CREATE INDEX {name} ON {spec}" for name, spec in INDEXES.items()]
    return indexes + (_sqlite() if dialect == "sqlite" else _postgres())


async def create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    script = [f"DROP INDEX {name}" for name in INDEXES]
    if client.capabilities.dialect == "sqlite":
        script += [f"DROP TRIGGER {name}_{e}" for name in CHECKS for e in ("insert", "update")]
        script += [f"DROP TRIGGER {name}" for name in STATUS_ONCE]
    else:
        script += [
            f"ALTER TABLE {table} DROP CONSTRAINT {name}" for name, (table, _, _) in CHECKS.items()
        ]
        for name, table in STATUS_ONCE.items():
            script += [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]
    for statement in script:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("haven", "0008_care")]

    operations = [ops.RunPython(create, drop)]
