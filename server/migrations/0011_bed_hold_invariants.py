"""Invariants of a hold's ending: an outcome exactly when it was released, and never a release
before the hold began. CHECK constraints on PostgreSQL; on SQLite, which cannot add a CHECK to
an existing table, triggers that abort like one (as in 0002_invariants).
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

#: Constraint name -> (PostgreSQL condition, SQLite condition on NEW). The names are matched in
#: server/domain/errors.py.
CHECKS = {
    "ck_bed_hold_outcome": (
        "(released_at IS NULL) = (outcome IS NULL)",
        "(NEW.released_at IS NULL) = (NEW.outcome IS NULL)",
    ),
    "ck_bed_hold_release_interval": (
        "released_at IS NULL OR released_at >= started_at",
        # julianday compares instants to the millisecond; equal ones fall back to the UTC text.
        "NEW.released_at IS NULL OR julianday(NEW.released_at) > julianday(NEW.started_at) OR "
        "(julianday(NEW.released_at) = julianday(NEW.started_at) "
        "AND NEW.released_at >= NEW.started_at)",
    ),
}


def _statements(dialect: str) -> list[str]:
    statements = []
    for name, (condition, sqlite_condition) in CHECKS.items():
        if dialect == "sqlite":
            for event in ("INSERT", "UPDATE"):
                statements.append(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON bed_hold "
                    f"WHEN NOT ({sqlite_condition}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )
        else:
            statements.append(f"ALTER TABLE bed_hold ADD CONSTRAINT {name} CHECK ({condition})")
    return statements


async def create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in _statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for name in CHECKS:
        if client.capabilities.dialect == "sqlite":
            for event in ("insert", "update"):
                await client.execute_script(f"DROP TRIGGER {name}_{event}")
        else:
            await client.execute_script(f"ALTER TABLE bed_hold DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [("haven", "0010_bed_holds")]

    operations = [ops.RunPython(create, drop)]
