"""The Tortoise configuration for a database URL, and the migration runner.

config = tortoise_config(Settings())
await migrate_database(Settings())
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from server.settings import Settings

APP_LABEL = "haven"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def connection_url(settings: Settings) -> str:
    """The database URL with the pool sized for this process (asyncpg's default is 5)."""
    url = settings.database_url
    if not is_postgres(url):
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("minsize", "1")
    query.setdefault("maxsize", str(settings.database_pool_size))
    return urlunsplit(parts._replace(query=urlencode(query)))


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": connection_url(settings)},
        "apps": {
            APP_LABEL: {
                "models": ["server.models"],
                "default_connection": "default",
                "migrations": "server.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate_database(settings: Settings) -> None:
    """Apply every committed migration; safe to run again."""
    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate

    try:
        await migrate(config=tortoise_config(settings))
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[None]:
    """Tortoise connected for a command or a test (with the notes' keyring), closed afterwards."""
    from tortoise import Tortoise

    from server.encryption import Keyring, install

    install(Keyring.from_settings(settings))
    await Tortoise.init(config=tortoise_config(settings))
    try:
        yield
    finally:
        await Tortoise.close_connections()
