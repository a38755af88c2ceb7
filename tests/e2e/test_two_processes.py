"""Two server processes on one PostgreSQL database and one Redis, as a network runs them: a
subscriber connected to the first hears of a check-in made through the second, and a
subscriber who may not see that shelter hears nothing.

Needs HAVEN_TEST_DATABASE_URL (PostgreSQL) and Redis at 127.0.0.1:6379 (HAVEN_TEST_REDIS_URL
for another); skipped otherwise. Each run uses a Redis channel of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from bench.server import ROOT, running_server
from server.models import Role
from server.schema.relay import encode_id
from tests.conftest import DATA_KEY, sign_in
from tests.server.network import build_network, new_resident

OCCUPANCY_CHANGED = """
subscription { occupancyChanged { shelter { name } occupancy { occupied free } } }"""

CHECK_IN = """
mutation ($resident: ID!, $bed: ID!) {
  checkIn(input: {resident: $resident, bed: $bed}) { stay { id } errors { code } }
}"""


@pytest.fixture
async def redis_url(on_postgres: bool) -> AsyncIterator[str]:
    if not on_postgres:
        pytest.skip("several server processes need PostgreSQL (HAVEN_TEST_DATABASE_URL)")
    url = os.environ.get("HAVEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = Redis.from_url(url)
    try:
        await client.ping()
    except (RedisError, OSError):
        pytest.skip(f"no Redis at {url}")
    finally:
        await client.aclose()
    yield url


@pytest.fixture
def two_servers(
    app: Starlette, database_url: str, redis_url: str, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """Two uvicorn processes of Haven (what `haven serve` runs) sharing a database and a
    Redis channel. ``app`` has emptied the tables and keeps this process connected to set up."""
    channel = f"haven-test:{uuid.uuid4().hex}"
    environment = {
        "HAVEN_REDIS_URL": redis_url,
        "HAVEN_REDIS_CHANNEL": channel,
        "HAVEN_DATABASE_POOL_SIZE": "4",
    }
    with ExitStack() as servers:
        first, second = (
            servers.enter_context(
                running_server(
                    database_url, tmp_path / f"server-{n}.log", DATA_KEY, extra_env=environment
                )
            )
            for n in (1, 2)
        )
        yield first, second


@asynccontextmanager
async def subscribed(base_url: str, token: str) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection to ``base_url``, subscribed to occupancyChanged."""
    async with connect(
        base_url.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        open_timeout=10,
    ) as socket:
        await send(
            socket, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        )
        assert (await receive(socket))["type"] == "connection_ack"
        await send(
            socket, {"id": "1", "type": "subscribe", "payload": {"query": OCCUPANCY_CHANGED}}
        )
        yield socket


async def send(socket: ClientConnection, message: dict[str, Any]) -> None:
    await socket.send(json.dumps(message))


async def receive(socket: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        message: dict[str, Any] = json.loads(await socket.recv())
    return message


async def figures(socket: ClientConnection, timeout: float = 10.0) -> tuple[str, dict[str, int]]:
    message = await receive(socket, timeout)
    assert message["type"] == "next" and "errors" not in message["payload"], message
    change = message["payload"]["data"]["occupancyChanged"]
    return change["shelter"]["name"], change["occupancy"]


async def test_a_check_in_through_one_process_reaches_subscribers_of_the_other(
    two_servers: tuple[str, str],
) -> None:
    first, second = two_servers
    network = await build_network(shelters=2, regions=1)
    a, b = network.shelters
    resident = await new_resident(shelter=a)
    coordinator = await sign_in(Role.COORDINATOR)
    staff_a = await sign_in(Role.SHELTER_STAFF, [a])
    staff_b = await sign_in(Role.SHELTER_STAFF, [b])

    async with subscribed(first, coordinator) as watching, subscribed(first, staff_b) as other:
        # the current figures come first: both subscriptions are listening from here on
        assert [(await figures(watching))[0] for _ in range(2)] == ["Shelter 0", "Shelter 1"]
        assert (await figures(other))[0] == "Shelter 1"

        # when staff of shelter 0 check someone in through the second process
        async with httpx.AsyncClient(base_url=second, timeout=10) as http:
            response = await http.post(
                "/graphql",
                json={
                    "query": CHECK_IN,
                    "variables": {
                        "resident": encode_id("Resident", resident.id),
                        "bed": encode_id("Bed", network.beds[0].id),
                    },
                },
                headers={"authorization": f"Bearer {staff_a}"},
            )
        assert response.json()["data"]["checkIn"]["errors"] == []

        # then the coordinator on the first process hears of it, through Redis
        assert await figures(watching) == ("Shelter 0", {"occupied": 1, "free": 5})
        # and staff of shelter 1, who may not see shelter 0, hear nothing
        with pytest.raises(TimeoutError):
            await receive(other, timeout=1.0)


def test_several_workers_without_redis_are_refused() -> None:
    environment = {
        **os.environ,
        "HAVEN_DATABASE_URL": "postgres://nobody@127.0.0.1:1/haven",
        "HAVEN_REDIS_URL": "",
        "PYTHONPATH": str(ROOT),
    }

    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--workers", "2"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert "HAVEN_REDIS_URL" in done.stdout
