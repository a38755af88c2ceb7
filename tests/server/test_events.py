"""The broadcast layer: events as they travel (ids and counts only), each subscriber's queue,
publishing only after every transaction ended, and Redis pub/sub between processes.

The Redis tests use 127.0.0.1:6379 (HAVEN_TEST_REDIS_URL for another) on a channel of their own,
and are skipped when no Redis answers there.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.connection import get_connections

from server.domain import events
from server.domain.events import (
    AppointmentChanged,
    Event,
    Listener,
    OccupancyChanged,
    Resync,
    StockLow,
    decode,
    deferred,
    encode,
    listen,
    publish,
)
from server.realtime import RedisEvents
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.network import build_network, new_resident

EXAMPLES: list[Event] = [
    OccupancyChanged(shelter_id=3),
    StockLow(shelter_id=3, item_id=12, on_hand=2, threshold=10),
    AppointmentChanged(shelter_id=4, appointment_id=41),
]


# --- events as they travel -----------------------------------------------------------------------


@pytest.mark.parametrize("event", EXAMPLES)
def test_an_event_travels_as_ids_and_comes_back_the_same(event: Event) -> None:
    assert decode(encode(event)) == event
    assert decode(encode(event).encode()) == event


def test_the_wire_form_names_the_event_and_its_ids() -> None:
    assert encode(OccupancyChanged(shelter_id=3)) == '{"type": "OccupancyChanged", "shelter_id": 3}'


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"type": "ShelterBurned", "shelter_id": 3}',
        '{"type": "Resync"}',
        '{"type": "OccupancyChanged"}',
        '{"type": "OccupancyChanged", "shelter_id": "3"}',
        '{"type": "OccupancyChanged", "shelter_id": true}',
        '{"shelter_id": 3}',
        b"\xff\xfe",
    ],
)
def test_anything_else_is_ignored(text: str | bytes) -> None:
    assert decode(text) is None


# --- one subscriber's queue ----------------------------------------------------------------------


async def test_a_listener_keeps_events_in_order_and_the_same_one_once() -> None:
    listener = Listener()
    for event in [*EXAMPLES, OccupancyChanged(shelter_id=3), OccupancyChanged(shelter_id=5)]:
        listener.offer(event)

    taken = [await listener.next(timeout=0.1) for _ in range(4)]

    assert taken == [*EXAMPLES, OccupancyChanged(shelter_id=5)]
    assert await listener.next(timeout=0.05) is None


async def test_a_listener_far_behind_drops_what_it_cannot_hold() -> None:
    listener = Listener()
    for shelter_id in range(listener.limit + 5):
        listener.offer(OccupancyChanged(shelter_id=shelter_id))

    taken = [await listener.next(timeout=0.1) for _ in range(listener.limit)]

    assert taken[-1] == OccupancyChanged(shelter_id=listener.limit - 1)
    assert await listener.next(timeout=0.05) is None


async def test_a_listener_waits_for_the_next_event() -> None:
    async with listen() as listener:
        waiting = asyncio.create_task(listener.next(timeout=5))
        await asyncio.sleep(0.01)
        await publish(OccupancyChanged(shelter_id=1))
        assert await waiting == OccupancyChanged(shelter_id=1)


# --- publishing after the commit -----------------------------------------------------------------


async def test_deferred_events_are_sent_once_when_the_block_ends() -> None:
    async with listen() as listener:
        async with deferred():
            await publish(OccupancyChanged(shelter_id=1))
            async with deferred():  # nested: sent with the outer block
                await publish(OccupancyChanged(shelter_id=1))
                await publish(OccupancyChanged(shelter_id=2))
            assert await listener.next(timeout=0.05) is None
        assert await listener.next(timeout=0.1) == OccupancyChanged(shelter_id=1)
        assert await listener.next(timeout=0.1) == OccupancyChanged(shelter_id=2)
        assert await listener.next(timeout=0.05) is None


async def test_deferred_events_are_sent_even_when_the_block_fails() -> None:
    # a spurious event costs a subscriber one read; a lost one leaves its screen wrong
    async with listen() as listener:
        with pytest.raises(RuntimeError):
            async with deferred():
                await publish(OccupancyChanged(shelter_id=1))
                raise RuntimeError
        assert await listener.next(timeout=0.1) == OccupancyChanged(shelter_id=1)


@pytest.fixture
def sent_in_a_transaction() -> Iterator[list[bool]]:
    """For each event published meanwhile: whether a transaction was still open when it left."""
    seen: list[bool] = []

    async def recording(event: Event) -> None:
        seen.append(isinstance(get_connections().get("default"), TransactionalDBClient))
        await events.deliver_here(event)

    events.install(recording)
    yield seen
    events.install(None)


CHECK_IN = """
mutation ($resident: ID!, $bed: ID!, $key: UUID) {
  checkIn(input: {resident: $resident, bed: $bed}, idempotencyKey: $key) { errors { code } }
}"""


@pytest.mark.parametrize("key", [None, "a3bb189e-8bf9-3888-9912-ace4e6543002"])
async def test_a_mutation_publishes_after_every_transaction_ended(
    gql: GraphQLClient, sent_in_a_transaction: list[bool], key: str | None
) -> None:
    # an idempotency key wraps the check-in's own transaction in the key's: the event must
    # wait for that one too, or a subscriber would read the figures from before the check-in
    network = await build_network(shelters=1)
    resident = await new_resident()

    result = await gql.data(
        CHECK_IN,
        {
            "resident": encode_id("Resident", resident.id),
            "bed": encode_id("Bed", network.beds[0].id),
            "key": key,
        },
    )

    assert result["checkIn"]["errors"] == []
    assert sent_in_a_transaction == [False]


async def test_publishing_never_fails_the_write_it_announces() -> None:
    async def broken(event: Event) -> None:
        raise ConnectionError("Redis went away")

    events.install(broken)
    try:
        await publish(OccupancyChanged(shelter_id=1))  # logged, not raised
    finally:
        events.install(None)


# --- Redis between processes ---------------------------------------------------------------------


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
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
async def redis_events(redis_url: str) -> AsyncIterator[RedisEvents]:
    """This process on a Redis channel of its own."""
    transport = RedisEvents(redis_url, f"haven-test:{uuid.uuid4().hex}")
    await transport.start()
    events.install(transport.publish)
    yield transport
    events.install(None)
    await transport.close()


async def test_events_go_through_redis_and_arrive_once(redis_events: RedisEvents) -> None:
    async with listen() as listener:
        await publish(OccupancyChanged(shelter_id=7))

        assert await listener.next(timeout=5) == OccupancyChanged(shelter_id=7)
        assert await listener.next(timeout=0.2) is None


async def test_events_another_process_published_arrive_and_junk_does_not(
    redis_events: RedisEvents, redis_url: str
) -> None:
    other = Redis.from_url(redis_url)  # as another server process would publish
    try:
        async with listen() as listener:
            await other.publish(redis_events.channel, "junk")
            await other.publish(redis_events.channel, '{"type": "Evil", "shelter_id": 1}')
            await other.publish(redis_events.channel, encode(EXAMPLES[1]))

            assert await listener.next(timeout=5) == EXAMPLES[1]
            assert await listener.next(timeout=0.2) is None
    finally:
        await other.aclose()


async def test_after_losing_redis_subscribers_are_told_to_read_again(
    redis_events: RedisEvents, redis_url: str
) -> None:
    admin = Redis.from_url(redis_url)
    name = f"haven-test-{uuid.uuid4().hex[:8]}"
    await redis_events.pubsub.execute_command("CLIENT", "SETNAME", name)  # type: ignore[no-untyped-call]
    try:
        async with listen() as listener:
            await asyncio.sleep(0.1)  # the name is set on the subscribed connection
            clients: list[dict[str, Any]] = await admin.client_list()
            ours = [client["id"] for client in clients if client.get("name") == name]
            assert ours, "the test could not find its own subscriber connection"

            for client_id in ours:  # the connection drops, as when Redis restarts
                await admin.client_kill_filter(_id=client_id)

            assert await listener.next(timeout=10) == Resync()
            await publish(OccupancyChanged(shelter_id=9))
            assert await listener.next(timeout=5) == OccupancyChanged(shelter_id=9)
    finally:
        await admin.aclose()


async def test_a_publish_that_failed_makes_every_process_read_again(
    redis_events: RedisEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a publish that fails once (Redis away for a moment for this process alone)
    publish_for_real = redis_events.redis.publish
    failures = [ConnectionError("Redis went away")]

    async def flaky(channel: str, message: str) -> int:
        if failures:
            raise failures.pop()
        return await publish_for_real(channel, message)

    monkeypatch.setattr(redis_events.redis, "publish", flaky)
    async with listen() as listener:
        # when an event is published
        await publish(OccupancyChanged(shelter_id=5))

        # then this process hears it at once, and then, through Redis, as every other process
        # connected to it does, that events were lost and it must read again
        assert await listener.next(timeout=1) == OccupancyChanged(shelter_id=5)
        assert await listener.next(timeout=10) == Resync()
        assert await listener.next(timeout=0.2) is None


async def test_without_redis_the_start_fails_and_a_publish_stays_here() -> None:
    unreachable = RedisEvents("redis://127.0.0.1:1/0", "haven-test:none")
    try:
        with pytest.raises((RedisError, OSError)):
            await unreachable.start()
        async with listen() as listener:
            await unreachable.publish(OccupancyChanged(shelter_id=4))
            assert await listener.next(timeout=0.1) == OccupancyChanged(shelter_id=4)
    finally:
        await unreachable.close()
