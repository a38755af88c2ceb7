"""On PostgreSQL the application's own role cannot change the audit trail (README, deploy/)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.server.network import build_network, new_resident

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres-app-role.sql"


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))


@pytest.fixture
def app_role(database_url: str, on_postgres: bool) -> str:
    if not on_postgres:
        pytest.skip("the database role matters on PostgreSQL only (SQLite's triggers are tested)")
    return f"haven_app_{uuid.uuid4().hex[:8]}"


async def test_the_app_role_may_insert_and_read_audit_events_but_never_change_them(
    app: object, database_url: str, app_role: str
) -> None:
    # given data and audit events, and the app role made as the README says
    await build_network(shelters=1)
    await new_resident()
    target = urlsplit(database_url)
    admin_url = urlunsplit(target._replace(scheme="postgresql"))
    subprocess.run(
        [
            "psql",
            "-v",
            f"app_role={app_role}",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-f",
            str(SCRIPT),
            admin_url,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    connection = await asyncpg.connect(_as_role(admin_url, app_role))
    try:
        # when the app role works as the server does
        count = await connection.fetchval("SELECT count(*) FROM audit_event")
        await connection.execute(
            "INSERT INTO audit_event (at, username, action, record_type, client, detail) "
            "VALUES (now(), 'app', 'probe', '', '', '')"
        )
        await connection.execute("UPDATE resident SET phone = phone")

        # then it cannot touch what is written
        for statement in (
            "UPDATE audit_event SET action = 'nothing'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
            "DROP TRIGGER audit_event_no_change ON audit_event",
        ):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await connection.execute(statement)
        assert await connection.fetchval("SELECT count(*) FROM audit_event") == count + 1
    finally:
        await connection.close()
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP OWNED BY "{app_role}"')
            await admin.execute(f'DROP ROLE "{app_role}"')
        finally:
            await admin.close()
