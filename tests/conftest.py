"""Fixtures shared by every test: a migrated database of its own per run, the app inside its
lifespan, and an HTTP client talking to it in process.

SQLite by default; PostgreSQL when HAVEN_TEST_DATABASE_URL names a server (a database of the
run's own is created on it and dropped afterwards).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise

from server.app import create_app
from server.database import is_postgres, migrate_database
from server.settings import Settings

#: Tables in an order that deletes children before parents.
TABLES = (
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

    connection = await asyncpg.connect(_with_database(url, "postgres").replace("asyncpg://", "postgres://"))
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


@pytest.fixture
def on_postgres(database_url: str) -> bool:
    return is_postgres(database_url)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", database_pool_size=60)


async def empty_tables() -> None:
    connection = Tortoise.get_connection("default")
    for table in TABLES:
        await connection.execute_script(f"DELETE FROM {table}")


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


class GraphQLClient:
    """Posts GraphQL documents; ``data`` fails the test on top-level errors."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}})
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


