"""Invariants of services and meals that the database holds for every writer.

CHECKs on PostgreSQL; on SQLite, which cannot add a CHECK to an existing table, triggers that
abort like one. Triggers also keep a completed or cancelled service from changing and a hearing
off anything but a court representation. The names are matched in server/domain/errors.py.
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

#: Constraint name -> (table, condition that must hold), columns written as ``{row}column``.
CHECKS = {
    "ck_service_record_document": (
        "service_record",
        "({row}kind = 'document_restoration' AND {row}document_type IS NOT NULL"
        " AND {row}document_stage IS NOT NULL) OR ({row}kind <> 'document_restoration'"
        " AND {row}document_type IS NULL AND {row}document_stage IS NULL)",
    ),
    "ck_service_record_return": (
        "service_record",
        "({row}kind = 'return_home' AND {row}return_stage IS NOT NULL)"
        " OR ({row}kind <> 'return_home' AND {row}return_stage IS NULL)",
    ),
    "ck_service_record_completed": (
        "service_record",
        "({row}status = 'completed' AND {row}completed_on IS NOT NULL)"
        " OR ({row}status <> 'completed' AND {row}completed_on IS NULL)",
    ),
    "ck_service_record_dates": (
        "service_record",
        "{row}completed_on IS NULL OR {row}started_on IS NULL"
        " OR {row}completed_on >= {row}started_on",
    ),
    "ck_meal_record_counts": (
        "meal_record",
        " AND ".join(
            ["{row}served >= 0"]
            + [
                f"{{row}}{diet} >= 0 AND {{row}}{diet} <= {{row}}served"
                for diet in ("halal", "vegetarian", "allergy_safe", "infant")
            ]
        ),
    ),
}
UNIQUE_INDEXES = {
    "uq_meal_record_current": "meal_record (shelter_id, day, meal) WHERE superseded_at IS NULL",
}
INDEXES = {
    "ix_service_record_resident": "service_record (resident_id, kind)",
    "ix_service_record_shelter": "service_record (shelter_id, status)",
    "ix_service_change_service": "service_change (service_id, at)",
    "ix_court_hearing_service": "court_hearing (service_id, hearing_on)",
}
CLOSED = "service_record_closed: a completed or cancelled service is not changed"
HEARING = "court_hearing_kind: hearings belong to court representations"

SQLITE_TRIGGERS = [
    "CREATE TRIGGER service_record_closed BEFORE UPDATE ON service_record "
    "WHEN OLD.status IN ('completed', 'cancelled') "
    f"BEGIN SELECT RAISE(ABORT, '{CLOSED}'); END",
    *(
        f"CREATE TRIGGER court_hearing_kind_{event.lower()} BEFORE {event} ON court_hearing "
        "WHEN (SELECT kind FROM service_record WHERE id = NEW.service_id) "
        "IS NOT 'court_representation' "
        f"BEGIN SELECT RAISE(ABORT, '{HEARING}'); END"
        for event in ("INSERT", "UPDATE")
    ),
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION service_record_closed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF OLD.status IN ('completed', 'cancelled') THEN "
    f"RAISE EXCEPTION '{CLOSED}' USING ERRCODE = 'check_violation'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER service_record_closed BEFORE UPDATE ON service_record "
    "FOR EACH ROW EXECUTE FUNCTION service_record_closed()",
    "CREATE FUNCTION court_hearing_kind() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF (SELECT kind FROM service_record WHERE id = NEW.service_id) "
    "IS DISTINCT FROM 'court_representation' THEN "
    f"RAISE EXCEPTION '{HEARING}' USING ERRCODE = 'check_violation'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER court_hearing_kind BEFORE INSERT OR UPDATE ON court_hearing "
    "FOR EACH ROW EXECUTE FUNCTION court_hearing_kind()",
]


def statements(dialect: str) -> list[str]:
    script = [f"CREATE UNIQUE INDEX {name} ON {spec}" for name, spec in UNIQUE_INDEXES.items()]
    script += [f"CREATE INDEX {name} ON {spec}" for name, spec in INDEXES.items()]
    for name, (table, condition) in CHECKS.items():
        if dialect == "sqlite":
            for event in ("INSERT", "UPDATE"):
                script.append(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN NOT ({condition.format(row='NEW.')}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )
        else:
            script.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition.format(row='')})"
            )
    return script + (SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS)


async def create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        script = ["DROP TRIGGER service_record_closed"]
        script += [f"DROP TRIGGER court_hearing_kind_{event}" for event in ("insert", "update")]
        script += [
            f"DROP TRIGGER {name}_{event}" for name in CHECKS for event in ("insert", "update")
        ]
    else:
        script = [
            "DROP TRIGGER service_record_closed ON service_record",
            "DROP FUNCTION service_record_closed()",
            "DROP TRIGGER court_hearing_kind ON court_hearing",
            "DROP FUNCTION court_hearing_kind()",
        ]
        script += [
            f"ALTER TABLE {table} DROP CONSTRAINT {name}" for name, (table, _) in CHECKS.items()
        ]
    script += [f"DROP INDEX {name}" for name in [*UNIQUE_INDEXES, *INDEXES]]
    for statement in script:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("haven", "0014_services")]

    operations = [ops.RunPython(create, drop)]
