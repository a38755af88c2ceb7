"""Invariants the database holds for every writer, and indexes for interval queries.

Partial unique indexes are SQL that SQLite and PostgreSQL both accept, but Tortoise's schema
editor refuses them on SQLite; SQLite cannot add a CHECK to an existing table, so there the
interval checks are triggers that abort like a CHECK would.
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

#: Index name -> CREATE statement. The names are matched in server/domain/errors.py.
UNIQUE_INDEXES = {
    "uq_bed_assignment_active_bed": "bed_assignment (bed_id) WHERE ended_at IS NULL",
    "uq_bed_assignment_active_stay": "bed_assignment (stay_id) WHERE ended_at IS NULL",
    "uq_stay_active_resident": "stay (resident_id) WHERE checked_out_at IS NULL",
    "uq_bed_outage_active_bed": "bed_outage (bed_id) WHERE ended_at IS NULL",
    "uq_bed_hold_active_bed": "bed_hold (bed_id) WHERE released_at IS NULL",
}
INDEXES = {
    "ix_bed_assignment_interval": "bed_assignment (started_at, ended_at)",
    "ix_stay_interval": "stay (checked_in_at, checked_out_at)",
    "ix_stay_shelter": "stay (shelter_id, checked_out_at)",
    "ix_resident_family_name": "resident (family_name)",
}
#: Constraint name -> (table, condition that must hold).
CHECKS = {
    "ck_stay_checkout_after_checkin": (
        "stay",
        "checked_out_at IS NULL OR checked_out_at >= checked_in_at",
    ),
    "ck_bed_assignment_interval": ("bed_assignment", "ended_at IS NULL OR ended_at >= started_at"),
    "ck_bed_outage_interval": ("bed_outage", "ended_at IS NULL OR ended_at >= started_at"),
    "ck_bed_hold_interval": ("bed_hold", "expires_at > started_at"),
}


def _sqlite_condition(condition: str) -> str:
    """Timestamps are ISO text on SQLite. ``julianday`` compares instants across offsets but
    only to the millisecond, so equal days fall back to the text, exact for the UTC values
    Haven writes."""
    for left, op, right in (
        ("checked_out_at", ">=", "checked_in_at"),
        ("ended_at", ">=", "started_at"),
        ("expires_at", ">", "started_at"),
    ):
        a, b = f"NEW.{left}", f"NEW.{right}"
        condition = condition.replace(
            f"{left} {op} {right}",
            f"(julianday({a}) > julianday({b}) OR "
            f"(julianday({a}) = julianday({b}) AND {a} {op} {b}))",
        )
    for column in ("checked_out_at", "ended_at"):
        condition = condition.replace(f"{column} IS NULL", f"NEW.{column} IS NULL")
    return condition


def _statements(dialect: str) -> list[str]:
    statements = [f"CREATE UNIQUE INDEX {name} ON {spec}" for name, spec in UNIQUE_INDEXES.items()]
    statements += [f"CREATE INDEX {name} ON {spec}" for name, spec in INDEXES.items()]
    for name, (table, condition) in CHECKS.items():
        if dialect == "sqlite":
            for event in ("INSERT", "UPDATE"):
                statements.append(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN NOT ({_sqlite_condition(condition)}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )
        else:
            statements.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition})")
    return statements


async def create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in _statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    for name in [*UNIQUE_INDEXES, *INDEXES]:
        await client.execute_script(f"DROP INDEX {name}")
    for name, (table, _) in CHECKS.items():
        if dialect == "sqlite":
            for event in ("insert", "update"):
                await client.execute_script(f"DROP TRIGGER {name}_{event}")
        else:
            await client.execute_script(f"ALTER TABLE {table} DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [("haven", "0001_initial")]

    operations = [ops.RunPython(create, drop)]
