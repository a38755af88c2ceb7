"""`haven report` from the server's console: the donor report of the demo network, written as
one HTML file, and a refusal for dates in the future.

On a database of its own: SQLite in a temporary directory, or a new PostgreSQL database when
HAVEN_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.database import is_postgres, open_database
from server.models import AuditEvent
from server.settings import Settings
from tests.conftest import _admin, _with_database
from tests.e2e.test_cli_accounts import haven


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory = tmp_path_factory.mktemp("cli-report")
    server = os.environ.get("HAVEN_TEST_DATABASE_URL")
    name = f"haven_report_{uuid.uuid4().hex[:12]}"
    if server and is_postgres(server):
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
        url = _with_database(server, name)
    else:
        url = f"sqlite://{directory / 'haven.sqlite3'}"
    settings = Settings(database_url=url, data_key_file=str(directory / "haven.key"))
    try:
        haven(settings, "migrate")
        haven(settings, "demo")
        yield settings
    finally:
        if server and is_postgres(server):
            asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _exports(settings: Settings) -> list[str]:
    async with open_database(settings):
        return [e.detail for e in await AuditEvent.filter(action="export_report").order_by("id")]


def test_the_donor_report_is_written(database: Settings, tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=60), today - timedelta(days=1)
    out = tmp_path / "donors.html"

    result = haven(
        database,
        "report",
        "--from",
        str(start),
        "--to",
        str(end),
        "--period",
        "week",
        "--out",
        str(out),
    )

    assert f"Wrote {out}" in result.stdout.replace("\n", "")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and html.count("data:image/png;base64,") == 9
    assert "Partnership" in html and "Almaty" in html
    assert asyncio.run(_exports(database))[-1] == f"donor report {start}..{end} by week"


def test_a_report_ending_in_the_future_is_refused(database: Settings, tmp_path: Path) -> None:
    tomorrow = datetime.now(UTC).date() + timedelta(days=2)

    result = haven(
        database,
        "report",
        "--from",
        "2026-01-01",
        "--to",
        str(tomorrow),
        "--out",
        str(tmp_path / "x.html"),
        code=1,
    )

    assert "future" in result.stdout
    assert not (tmp_path / "x.html").exists()


def test_a_report_too_detailed_to_check_is_not_written(
    database: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a server that checks combinations of totals only up to 10 hidden cells per table
    monkeypatch.setenv("HAVEN_REPORT_AUDIT_LIMIT", "10")
    today = datetime.now(UTC).date()
    out = tmp_path / "donors.html"

    # when the donor report of two months by day is asked for
    result = haven(
        database,
        "report",
        "--from",
        str(today - timedelta(days=60)),
        "--to",
        str(today - timedelta(days=1)),
        "--period",
        "day",
        "--out",
        str(out),
        code=1,
    )

    # then it is refused with the reason, and nothing is written for the donors
    assert "too detailed" in result.stdout.replace("\n", " ")
    assert not out.exists()
