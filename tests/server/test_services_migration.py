"""Upgrading a database that already has residents: the dietary-need columns are added with
their defaults (a NOT NULL column without one cannot be added to a table with rows)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate

from server.database import is_postgres, tortoise_config
from server.settings import Settings
from tests.conftest import _admin, _with_database

BEFORE_SERVICES = "haven.0013_stock_invariants"

OLD_RESIDENT = (
    "INSERT INTO resident (code, given_name, family_name, sex, nationality, languages, "
    "preferred_language, phone, trusted_contact, exploitation_types, referral_source, "
    "document_status, consent_data_processing, consent_share_police, consent_share_consulate, "
    "consent_share_partner_ngo, consent_recorded_at, do_not_disclose_presence, known_threats, "
    "created_at) VALUES ('HV-2025-000001', 'Dilnoza', '', 'female', 'UZ', '[]', '', '', '', "
    "'[]', 'ngo', 'lost', true, false, false, false, '2025-06-01 09:00:00+00:00', false, '', "
    "'2025-06-01 09:00:00+00:00')"
)


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own, with nothing in it: on the test server, or SQLite."""
    server = os.environ.get("HAVEN_TEST_DATABASE_URL")
    if not (server and is_postgres(server)):
        yield f"sqlite://{tmp_path / 'upgrade.sqlite3'}"
        return
    name = f"haven_upgrade_{uuid.uuid4().hex[:12]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server, name)
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_residents_registered_before_get_no_dietary_needs(empty_database: str) -> None:
    # given a database migrated up to the one before services, with a resident in it
    config = tortoise_config(Settings(database_url=empty_database))
    await migrate(config=config, target=BEFORE_SERVICES)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    try:
        await Tortoise.get_connection("default").execute_script(OLD_RESIDENT)
    finally:
        await Tortoise.close_connections()

    # when it is migrated to the end
    await migrate(config=config)

    # then the resident is there, with no dietary need
    await Tortoise.init(config=config)
    try:
        rows = await Tortoise.get_connection("default").execute_query_dict(
            "SELECT diet_halal, diet_vegetarian, diet_infant_food, allergies FROM resident"
        )
    finally:
        await Tortoise.close_connections()
    assert [{key: bool(value) for key, value in row.items()} for row in rows] == [
        dict.fromkeys(("diet_halal", "diet_vegetarian", "diet_infant_food", "allergies"), False)
    ]
