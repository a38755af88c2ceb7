"""Accounts from the server's console, as an administrator meets them: `haven migrate`,
`haven demo`, then `haven user create|list|revoke|deactivate` in subprocesses, each checked
against what the domain then lets that person do.

On a database of its own: SQLite in a temporary directory, or a new PostgreSQL database when
HAVEN_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from server.database import is_postgres, open_database
from server.domain.accounts import authenticate, login
from server.domain.errors import DomainError, ErrorCode
from server.models import AuditEvent, Shelter, User
from server.settings import Settings
from tests.conftest import _admin, _with_database

HAVEN = [sys.executable, "-m", "server.cli"]
ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

NURSE = "nurse.new"
NURSE_PASSWORD = "snow leopard at dawn"
SHELTER = "Almaty Women's Shelter"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A database migrated and loaded with the demo network by the `haven` command."""
    directory = tmp_path_factory.mktemp("cli")
    server = os.environ.get("HAVEN_TEST_DATABASE_URL")
    name = f"haven_cli_{uuid.uuid4().hex[:12]}"
    if server and is_postgres(server):
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
        url = _with_database(server, name)
    else:
        url = f"sqlite://{directory / 'haven.sqlite3'}"
    settings = Settings(database_url=url, data_key_file=str(directory / "haven.key"))
    try:
        assert "up to date" in haven(settings, "migrate").stdout
        assert "staff.almaty" in haven(settings, "demo").stdout
        yield settings
    finally:
        if server and is_postgres(server):
            asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def haven(
    settings: Settings, *arguments: str, stdin: str = "", code: int = 0
) -> subprocess.CompletedProcess[str]:
    """`haven ...` on the test's database, ``stdin`` typed in; it must exit with ``code``."""
    environment = {
        **os.environ,
        "HAVEN_DATABASE_URL": settings.database_url,
        "HAVEN_DATA_KEY_FILE": settings.data_key_file,
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "200",  # the table of accounts on one line per account
    }
    environment.pop("HAVEN_DATA_KEY", None)
    done = subprocess.run(
        [*HAVEN, *arguments],
        env=environment,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        # no controlling terminal: the hidden password prompt reads stdin, never /dev/tty
        start_new_session=True,
    )
    assert done.returncode == code, done.stdout + done.stderr
    return done


def on_database(settings: Settings, call: Callable[[], Awaitable[T]]) -> T:
    """``call`` run in this process on the test's database, as the server would."""

    async def run() -> T:
        async with open_database(settings):
            return await call()

    return asyncio.run(run())


def account_line(listing: str, username: str) -> str:
    [line] = [line for line in listing.splitlines() if f" {username} " in line]
    return line


async def signs_in(settings: Settings, password: str = NURSE_PASSWORD) -> str:
    token, _ = await login(NURSE, password, client="tablet", address="10.0.0.5", settings=settings)
    return token


async def is_live(settings: Settings, token: str) -> bool:
    viewer = await authenticate(token, client="tablet", settings=settings)
    return viewer.signed_in


def test_an_account_is_made_listed_revoked_and_closed_from_the_console(database: Settings) -> None:
    # when the administrator makes an account for a nurse, typing the password twice
    created = haven(
        database,
        "user",
        "create",
        NURSE,
        "--role",
        "medical",
        "--name",
        "Nazira Medical",
        "--shelter",
        SHELTER,
        stdin=f"{NURSE_PASSWORD}\n{NURSE_PASSWORD}\n",
    )

    # then it is made, is listed with its role and shelter, and the nurse can sign in
    assert f"Created {NURSE} (medical)." in created.stdout
    assert NURSE_PASSWORD not in created.stdout + created.stderr
    line = account_line(haven(database, "user", "list").stdout, NURSE)
    assert "Nazira Medical" in line and "medical" in line and " yes " in line
    assert SHELTER in line and "Almaty Family House" not in line

    async def two_sessions() -> tuple[str, str, set[int], set[int], str]:
        tablet, laptop = await signs_in(database), await signs_in(database)
        viewer = await authenticate(tablet, client="tablet", settings=database)
        shelter = await Shelter.get(name=SHELTER)
        user = await User.get(username=NURSE)
        return tablet, laptop, set(viewer.shelter_ids), {shelter.id}, user.password_hash

    tablet, laptop, works_in, expected, stored = on_database(database, two_sessions)
    assert works_in == expected
    assert stored.startswith("$argon2id$") and NURSE_PASSWORD not in stored

    # when her sessions are ended (a lost tablet)
    revoked = haven(database, "user", "revoke", NURSE)

    # then both are dead, and she may sign in again
    assert f"Ended 2 session(s) of {NURSE}." in revoked.stdout

    async def after_revoke() -> tuple[bool, bool, str]:
        return (
            await is_live(database, tablet),
            await is_live(database, laptop),
            await signs_in(database),
        )

    tablet_live, laptop_live, fresh = on_database(database, after_revoke)
    assert not tablet_live and not laptop_live

    # when her account is closed
    closed = haven(database, "user", "deactivate", NURSE)

    # then her new session ends, and the right password no longer signs in
    assert f"{NURSE} is deactivated." in closed.stdout

    async def after_deactivate() -> tuple[bool, ErrorCode | None, bool, list[tuple[str, str, str]]]:
        try:
            await signs_in(database)
            refusal = None
        except DomainError as error:
            refusal = error.code
        user = await User.get(username=NURSE)
        events = await AuditEvent.filter(
            record_type="User",
            record_id=user.id,
            action__in=["create_user", "revoke_sessions", "deactivate_user"],
        ).values_list("action", "username", "client")
        live = await is_live(database, fresh)
        return live, refusal, user.is_active, [(a, u, c) for a, u, c in events]

    fresh_live, refusal, active, events = on_database(database, after_deactivate)
    assert not fresh_live and not active
    assert refusal is ErrorCode.LOGIN_FAILED
    # and what the console did is in the audit trail, as done at the console
    assert [action for action, _, _ in events] == [
        "create_user",
        "revoke_sessions",
        "revoke_sessions",
        "deactivate_user",
    ]
    assert all(
        username.startswith("console:") and client == "haven cli" for _, username, client in events
    )


def test_a_shelter_that_does_not_exist_is_refused_with_a_clear_message(database: Settings) -> None:
    # when an account is made for a shelter name that is not one (the apostrophe forgotten)
    refused = haven(
        database,
        "user",
        "create",
        "nurse.lost",
        "--role",
        "medical",
        "--name",
        "Lost Nurse",
        "--shelter",
        "Almaty Womens Shelter",
        stdin=f"{NURSE_PASSWORD}\n{NURSE_PASSWORD}\n",
        code=1,
    )

    # then the command fails naming the shelter, and no account is made
    assert "No shelter named 'Almaty Womens Shelter'." in refused.stdout
    assert "Traceback" not in refused.stderr

    async def exists() -> bool:
        return await User.filter(username="nurse.lost").exists()

    assert not on_database(database, exists)
