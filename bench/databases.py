"""Fresh databases for a run: SQLite in a temporary directory, PostgreSQL as ``bench_<random>``
(dropped afterwards), migrated and loaded with the demo network.

    with sqlite_database() as url: ...
    with postgres_database(server_url) as url: ...
    summary = asyncio.run(prepare(url, data_key))

Besides the demo accounts, ``prepare`` creates :data:`BENCH_STAFF`, a shelter-staff account
working in every shelter, for the writes (registering and checking in are shelter staff's, in
their own shelters).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import secrets
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from server.database import migrate_database, open_database
from server.settings import Settings

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
#: Signs in for the occupancy query: a coordinator sees every shelter.
COORDINATOR = "coordinator"
#: Made by :func:`prepare`: shelter staff in every shelter, for residentRegister/checkIn/checkOut.
BENCH_STAFF = "bench.staff"
BENCH_STAFF_PASSWORD = "bench-staff-password"


def new_data_key() -> str:
    """A throwaway key for the notes at rest of one run (else a key file would be made in the
    working directory)."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def asyncpg_dsn(url: str) -> str:
    """asyncpg reads postgres:// and postgresql:// but not Tortoise's asyncpg:// scheme."""
    return url.replace("asyncpg://", "postgresql://", 1)


def _maintenance_dsn(server_url: str) -> str:
    return asyncpg_dsn(with_database(server_url, "postgres"))


async def _admin(server_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_maintenance_dsn(server_url), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def postgres_version(server_url: str) -> str:
    import asyncpg

    connection = await asyncpg.connect(_maintenance_dsn(server_url), timeout=10)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Path]]:
    """A Tortoise URL for a file in a new temporary directory, and the directory."""
    with tempfile.TemporaryDirectory(prefix="haven-bench-") as directory:
        path = Path(directory)
        yield f"sqlite://{path / 'haven.sqlite3'}", path


@contextmanager
def postgres_database(server_url: str) -> Iterator[tuple[str, Path]]:
    """A new database ``bench_<random>`` on the server, dropped on the way out whatever happened
    (``WITH (FORCE)`` ends sessions still open), and a temporary directory for logs."""
    name = f"bench_{secrets.token_hex(6)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="haven-bench-") as directory:
            yield with_database(server_url, name), Path(directory)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def tortoise_process() -> Iterator[ProcessPoolExecutor]:
    """A fresh interpreter for the work that goes through Tortoise (loading, ORM timings).

    Tortoise caches each model's SQL for the process, so after SQLite an insert on PostgreSQL
    would be sent with SQLite's placeholders: each database gets its own process.
    """
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    except BaseException:
        # A child stuck past its timeout would block shutdown (and so the database drop).
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def prepare_in_child(url: str, data_key: str) -> dict[str, Any]:
    return asyncio.run(prepare(url, data_key))


async def prepare(url: str, data_key: str) -> dict[str, Any]:
    """Migrate ``url``, load the demo network into it and create :data:`BENCH_STAFF`; returns
    the row counts."""
    from fixtures.demo import database_is_empty, load_demo
    from server.domain.access import Viewer
    from server.domain.accounts import create_user
    from server.models import Role, Shelter

    settings = Settings(database_url=url, data_key=data_key)
    await migrate_database(settings)
    async with open_database(settings):
        if not await database_is_empty():
            raise RuntimeError(f"{url} is not empty")
        summary = await load_demo()
        shelter_ids = await Shelter.all().values_list("id", flat=True)
        await create_user(
            Viewer.operator("bench"),
            BENCH_STAFF,
            "Bench Shelter Staff",
            Role.SHELTER_STAFF,
            BENCH_STAFF_PASSWORD,
            shelter_ids,  # type: ignore[arg-type]
        )
    return dict(vars(summary))
