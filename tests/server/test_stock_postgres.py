"""On PostgreSQL the application's own role cannot change the stock ledger either (README,
deploy/postgres-app-role.sql): it may add movements and keep levels, never edit history."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.server.network import build_network
from tests.server.stock_network import new_item, stocked

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres-app-role.sql"


async def test_the_app_role_may_add_stock_movements_but_never_change_them(
    app: object, database_url: str, on_postgres: bool
) -> None:
    if not on_postgres:
        pytest.skip("the database role matters on PostgreSQL only (SQLite's triggers are tested)")
    # given a receipt, and the app role made as the README says
    network = await build_network(shelters=1)
    movement = await stocked(network.shelters[0], await new_item("Rice"), 10)
    role = f"haven_app_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(urlsplit(database_url)._replace(scheme="postgresql"))
    subprocess.run(
        ["psql", "-v", f"app_role={role}", "-v", "ON_ERROR_STOP=1", "-q", "-f", str(SCRIPT)]
        + [admin_url],
        check=True,
        capture_output=True,
        text=True,
    )
    parts = urlsplit(admin_url)
    as_role = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))
    connection = await asyncpg.connect(as_role)
    try:
        # when the app role works as the server does: a movement added, its level kept
        await connection.execute(
            "INSERT INTO stock_movement (level_id, kind, delta, on_hand_after, received_through,"
            " at, recorded_at, donor, note) VALUES ($1, 'receipt', 5, 15, 15, now(), now(),"
            " 'Bakery', '')",
            movement.level_id,
        )
        await connection.execute(
            "UPDATE stock_level SET on_hand = 15, received_total = 15 WHERE id = $1",
            movement.level_id,
        )

        # then it cannot touch what the ledger holds
        for statement in (
            "UPDATE stock_movement SET delta = 1000",
            "DELETE FROM stock_movement",
            "TRUNCATE stock_movement",
            "DROP TRIGGER stock_movement_no_change ON stock_movement",
        ):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await connection.execute(statement)
        assert await connection.fetchval("SELECT sum(delta) FROM stock_movement") == 15
    finally:
        await connection.close()
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP OWNED BY "{role}"')
            await admin.execute(f'DROP ROLE "{role}"')
        finally:
            await admin.close()
