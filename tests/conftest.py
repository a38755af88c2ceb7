"""Fixtures shared by every test: a migrated database of its own per run, the app inside its
lifespan, and an HTTP client talking to it in process.

SQLite by default; PostgreSQL when HAVEN_TEST_DATABASE_URL names a server (a database of the
run's own is created on it and dropped afterwards).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from server.app import create_app
from server.database import is_postgres, migrate_database
from server.domain import accounts as accounts_module
from server.domain.access import Viewer
from server.domain.accounts import create_user, login
from server.models import Role, Shelter
from server.settings import Settings

#: Tables in an order that deletes children before parents (audit_event apart: it is append-only).
TABLES = (
    "court_hearing",
    "service_change",
    "service_record",
    "meal_record",
    "idempotency_key",
    "referral",
    # Care.
    "medical_visit",
    "appointment_status_change",
    "medical_appointment",
    "counselling_participant",
    "counselling_session",
    "stock_movement",
    "stock_level",
    "item",
    "case_note",
    "auth_token",
    "login_throttle",
    "account_shelter",
    "account",
    "bed_assignment",
    "bed_hold",
    "bed_outage",
    "stay",
    "resident",
    "bed",
    "room",
    "shelter",
    "region",
)


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        _with_database(url, "postgres").replace("asyncpg://", "postgres://")
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("HAVEN_TEST_DATABASE_URL")
    if server and is_postgres(server):
        name = f"haven_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
        url = _with_database(server, name)
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'haven.sqlite3'}"
    asyncio.run(migrate_database(Settings(database_url=url)))
    yield url
    if server and is_postgres(server):
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing() -> Iterator[None]:
    """Argon2 at its cheapest: tests make hundreds of accounts. Production keeps the defaults."""
    original = accounts_module._hasher
    accounts_module._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    accounts_module._hasher = original


@pytest.fixture
def on_postgres(database_url: str) -> bool:
    return is_postgres(database_url)


audit_migration = importlib.import_module("server.migrations.0004_audit_append_only")
stock_migration = importlib.import_module("server.migrations.0013_stock_invariants")

#: One data key for the run; notes written in a test are read back with it.
DATA_KEY = Fernet.generate_key().decode()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        database_pool_size=60,
        data_key=DATA_KEY,
        login_delay_seconds=0.0,  # the slowing itself is tested with its own settings
        hold_sweep_seconds=0,  # no background queries unless a test asks (query counts)
    )


async def empty_tables() -> None:
    """Every table emptied; the append-only audit trail through a door only tests use."""
    connection = Tortoise.get_connection("default")
    await _empty_stock_ledger()
    for table in TABLES:
        await connection.execute_script(f"DELETE FROM {table}")
    if connection.capabilities.dialect == "sqlite":
        for name in ("audit_event_no_update", "audit_event_no_delete"):
            await connection.execute_script(f"DROP TRIGGER {name}")
        await connection.execute_script("DELETE FROM audit_event")
        for statement in audit_migration.SQLITE:
            await connection.execute_script(statement)
    else:
        async with in_transaction() as transaction:
            await transaction.execute_script("SET LOCAL session_replication_role = replica")
            await transaction.execute_script("DELETE FROM audit_event")


#: Movements in before the movements out they came from (a foreign key of the table to itself).
EMPTY_STOCK_LEDGER = (
    "DELETE FROM stock_movement WHERE transfer_of_id IS NOT NULL; DELETE FROM stock_movement"
)


async def _empty_stock_ledger() -> None:
    """The append-only stock ledger emptied through the same kind of door as the audit trail."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "sqlite":
        for name in stock_migration.SQLITE_APPEND_ONLY:
            await connection.execute_script(f"DROP TRIGGER {name}")
        await connection.execute_script(EMPTY_STOCK_LEDGER)
        for statement in stock_migration.SQLITE_APPEND_ONLY.values():
            await connection.execute_script(statement)
    else:
        async with in_transaction() as transaction:
            await transaction.execute_script("SET LOCAL session_replication_role = replica")
            await transaction.execute_script(EMPTY_STOCK_LEDGER)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The app inside its lifespan, over empty tables."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await empty_tables()
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
        yield http


PASSWORD = "correct horse battery staple"


async def sign_in(role: Role, shelters: Iterable[Shelter | int] = (), *, name: str = "") -> str:
    """A new account of ``role`` working in ``shelters``, signed in: its bearer token."""
    shelter_ids = [s if isinstance(s, int) else s.id for s in shelters]
    username = name or f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    await create_user(
        Viewer.operator("tests"), username, f"Test {role.value}", role, PASSWORD, shelter_ids
    )
    token, _ = await login(
        username, PASSWORD, client="tests", address=f"test-{username}", settings=Settings()
    )
    return token


class GraphQLClient:
    """Posts GraphQL documents as one signed-in person; ``data`` fails the test on top-level
    errors. Unless told otherwise (``as_token``), it signs in on first use as shelter staff
    working in every shelter that exists by then (a coordinator if there is none)."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.token = token

    def as_token(self, token: str | None) -> GraphQLClient:
        """Another client on the same app, for another person (None: nobody signed in)."""
        client = GraphQLClient(self.http, token)
        client.anonymous = token is None
        return client

    anonymous = False

    def forget(self) -> None:
        """Sign in again on next use (after the tables were emptied)."""
        self.token = None

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.token is None and not self.anonymous:
            shelters = await Shelter.all().values_list("id", flat=True)
            role = Role.SHELTER_STAFF if shelters else Role.COORDINATOR
            self.token = await sign_in(role, shelters)  # type: ignore[arg-type]
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code < 500, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.post(query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


class QueryCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends while active."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())

    def __enter__(self) -> QueryCounter:
        logger = logging.getLogger("tortoise.db_client")
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("tortoise.db_client")
        logger.removeHandler(self)
        logger.setLevel(self._level)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries() -> type[QueryCounter]:
    return QueryCounter
