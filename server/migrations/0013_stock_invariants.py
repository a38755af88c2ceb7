"""What the database itself holds true of stock, for every writer.

* Stock on hand never goes below zero (``ck_stock_level_on_hand``): the last line behind the
  locked check in server/domain/stock.py, should any writer skip it.
* Each movement's sign, recipient, transfer link and write-off reason fit its kind.
* The ledger is append-only: UPDATE, DELETE (and on PostgreSQL TRUNCATE) of stock_movement are
  refused by triggers, as for audit_event (0004). A correction is a new movement.
* One item per name (any case) and size, and one movement in per movement out.

SQLite cannot add a CHECK to an existing table, so there each CHECK is a trigger that aborts
like one would (as in 0002).
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

APPEND_ONLY_MESSAGE = "stock_movement is append-only"

UNIQUE_INDEXES = {
    "uq_item_name_size": "item (lower(name), clothing_size)",
    "uq_stock_movement_transfer_of": "stock_movement (transfer_of_id)",
}
INDEXES = {
    "ix_stock_movement_level": "stock_movement (level_id, id)",
    "ix_stock_movement_resident": "stock_movement (resident_id, id)",
    "ix_stock_movement_at": "stock_movement (at)",
    "ix_stock_movement_expires_on": "stock_movement (expires_on)",
}

_IN = "('receipt', 'transfer_in')"
_OUT = "('distribution', 'transfer_out', 'write_off')"

#: Constraint name -> (table, condition). ``{n}`` is where SQLite's trigger says ``NEW.``.
CHECKS = {
    "ck_stock_level_on_hand": ("stock_level", "{n}on_hand >= 0"),
    "ck_stock_level_received": ("stock_level", "{n}received_total >= {n}on_hand"),
    "ck_stock_level_threshold": ("stock_level", "{n}threshold IS NULL OR {n}threshold >= 0"),
    "ck_stock_movement_sign": (
        "stock_movement",
        f"({{n}}kind IN {_IN} AND {{n}}delta > 0) OR ({{n}}kind IN {_OUT} AND {{n}}delta < 0)"
        " OR ({n}kind = 'adjustment' AND {n}delta <> 0)",
    ),
    "ck_stock_movement_on_hand_after": ("stock_movement", "{n}on_hand_after >= 0"),
    "ck_stock_movement_recipient": (
        "stock_movement",
        "({n}kind = 'distribution' AND {n}resident_id IS NOT NULL)"
        " OR ({n}kind <> 'distribution' AND {n}resident_id IS NULL)",
    ),
    "ck_stock_movement_transfer": (
        "stock_movement",
        "({n}kind = 'transfer_in' AND {n}transfer_of_id IS NOT NULL)"
        " OR ({n}kind <> 'transfer_in' AND {n}transfer_of_id IS NULL)",
    ),
    "ck_stock_movement_write_off": (
        "stock_movement",
        "({n}kind = 'write_off' AND {n}write_off_reason IS NOT NULL)"
        " OR ({n}kind <> 'write_off' AND {n}write_off_reason IS NULL)",
    ),
}

POSTGRES_APPEND_ONLY = [
    "CREATE FUNCTION stock_movement_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$",
    "CREATE TRIGGER stock_movement_no_change BEFORE UPDATE OR DELETE ON stock_movement "
    "FOR EACH ROW EXECUTE FUNCTION stock_movement_append_only()",
    "CREATE TRIGGER stock_movement_no_truncate BEFORE TRUNCATE ON stock_movement "
    "FOR EACH STATEMENT EXECUTE FUNCTION stock_movement_append_only()",
]
#: The SQLite triggers, by name; tests drop and re-create them to empty the table.
SQLITE_APPEND_ONLY = {
    f"stock_movement_no_{event.lower()}": (
        f"CREATE TRIGGER stock_movement_no_{event.lower()} BEFORE {event} ON stock_movement "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    )
    for event in ("UPDATE", "DELETE")
}


def _checks(dialect: str) -> list[str]:
    statements = []
    for name, (table, condition) in CHECKS.items():
        if dialect == "sqlite":
            for event in ("INSERT", "UPDATE"):
                statements.append(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN NOT ({condition.format(n='NEW.')}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )
        else:
            statements.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition.format(n='')})"
            )
    return statements


def statements(dialect: str) -> list[str]:
    result = [f"CREATE UNIQUE INDEX {name} ON {spec}" for name, spec in UNIQUE_INDEXES.items()]
    result += [f"CREATE INDEX {name} ON {spec}" for name, spec in INDEXES.items()]
    result += _checks(dialect)
    result += list(SQLITE_APPEND_ONLY.values()) if dialect == "sqlite" else POSTGRES_APPEND_ONLY
    return result


async def create(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def drop(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    if dialect == "sqlite":
        script = [f"DROP TRIGGER {name}" for name in SQLITE_APPEND_ONLY]
        script += [
            f"DROP TRIGGER {name}_{event}" for name in CHECKS for event in ("insert", "update")
        ]
    else:
        script = [
            "DROP TRIGGER stock_movement_no_change ON stock_movement",
            "DROP TRIGGER stock_movement_no_truncate ON stock_movement",
            "DROP FUNCTION stock_movement_append_only()",
        ]
        script += [
            f"ALTER TABLE {table} DROP CONSTRAINT {name}" for name, (table, _) in CHECKS.items()
        ]
    script += [f"DROP INDEX {name}" for name in [*UNIQUE_INDEXES, *INDEXES]]
    for statement in script:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("haven", "0012_stock")]

    operations = [ops.RunPython(create, drop)]
