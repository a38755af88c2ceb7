"""The audit trail is append-only for every database role: UPDATE, DELETE (and on PostgreSQL,
TRUNCATE) on audit_event are refused by triggers. The README says how to run the app as a role
that may only INSERT and SELECT there, so it cannot drop the triggers either.
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

MESSAGE = "audit_event is append-only"

POSTGRES = [
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]
SQLITE = [
    f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for event in ("UPDATE", "DELETE")
]
INDEXES = [
    "CREATE INDEX ix_audit_event_resident ON audit_event (resident_id, at)",
    "CREATE INDEX ix_audit_event_user ON audit_event (user_id, at)",
    "CREATE INDEX ix_audit_event_at ON audit_event (at)",
]


def statements(dialect: str) -> list[str]:
    return INDEXES + (SQLITE if dialect == "sqlite" else POSTGRES)


async def create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        script = ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"]
    else:
        script = [
            "DROP TRIGGER audit_event_no_change ON audit_event",
            "DROP TRIGGER audit_event_no_truncate ON audit_event",
            "DROP FUNCTION audit_event_append_only()",
        ]
    script += [
        "DROP INDEX ix_audit_event_resident",
        "DROP INDEX ix_audit_event_user",
        "DROP INDEX ix_audit_event_at",
    ]
    for statement in script:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("haven", "0003_accounts_audit_notes")]

    operations = [ops.RunPython(create, drop)]
