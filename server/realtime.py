"""What runs in each server process beside its requests: the events' transport (Redis pub/sub
between processes when HAVEN_REDIS_URL is set, else this process alone) and the sweeper that
releases expired bed holds and forgets old idempotency keys.

    async with realtime(settings):      # in the app's lifespan, once the database is open
        ...                             # serve
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.domain import events
from server.domain.events import Event, Resync, decode, encode, hub
from server.domain.holds import expire_holds
from server.domain.idempotency import forget_keys
from server.settings import Settings

logger = logging.getLogger(__name__)

#: Longest wait between attempts to reach Redis again.
MAX_BACKOFF = 30.0
#: How often each process forgets idempotency keys older than HAVEN_IDEMPOTENCY_DAYS.
KEY_SWEEP_SECONDS = 3600.0
#: Longest a publish may take before the event is told to this process only.
PUBLISH_TIMEOUT = 3.0
#: What a process publishes once Redis answers again after it failed to publish: every
#: process then tells its subscribers to read again (Resync), as it does after its own outage.
EVENTS_LOST = "EventsLost"


class RedisEvents:
    """Events through one Redis pub/sub channel. Every process publishes there and hands what
    it reads to its own listeners (its own events included, so each event arrives once).
    Only ``encode``'s ids and counts travel: Redis never sees a name."""

    def __init__(self, url: str, channel: str) -> None:
        #: Publishing waits at most a few seconds: a write's answer must not hang on Redis.
        self.redis = Redis.from_url(url, socket_timeout=PUBLISH_TIMEOUT, socket_connect_timeout=5)
        #: Listening waits as long as it takes, pinging to find a dead connection.
        self.listening = Redis.from_url(url, health_check_interval=30, socket_keepalive=True)
        self.channel = channel
        self.pubsub = self.listening.pubsub(ignore_subscribe_messages=True)
        self.reader: asyncio.Task[None] | None = None
        self.owning_up: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe before serving: a wrong URL or a Redis that is down stops the start."""
        await self.redis.ping()
        await self.pubsub.subscribe(self.channel)
        self.reader = asyncio.create_task(self._read(), name="haven redis events")

    async def publish(self, event: Event) -> None:
        try:
            await self.redis.publish(self.channel, encode(event))
        except (RedisError, OSError):
            # Redis is away: this process's own subscribers are told at least; the others
            # read everything again once their connection is back (Resync).
            logger.warning("Redis unreachable: %r told to this process only", event)
            hub.deliver(event)
            # The other processes may still be connected, and would never hear they missed
            # it: once Redis takes a publish again, they are told to read everything again.
            if self.owning_up is None or self.owning_up.done():
                self.owning_up = asyncio.create_task(self._own_up(), name="haven events lost")

    async def _own_up(self) -> None:
        backoff = 0.5
        while True:
            await asyncio.sleep(backoff)
            try:
                await self.redis.publish(self.channel, EVENTS_LOST)
                return
            except (RedisError, OSError):
                backoff = min(backoff * 2, MAX_BACKOFF)

    async def _read(self) -> None:
        backoff = 0.0
        while True:
            try:
                message = await self.pubsub.get_message(timeout=30.0)
            except (RedisError, OSError) as error:
                backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF)
                logger.warning("Redis events: %s; trying again in %.1f s", error, backoff)
                await asyncio.sleep(backoff)
                continue
            if backoff:  # back after an outage: what was published meanwhile is lost
                backoff = 0.0
                logger.warning("Redis events: connected again")
                hub.deliver(Resync())
            if message is not None and message.get("type") == "message":
                if message["data"] == EVENTS_LOST.encode():
                    hub.deliver(Resync())
                    continue
                event = decode(message["data"])
                if event is not None:
                    hub.deliver(event)

    async def close(self) -> None:
        for task in (self.reader, self.owning_up):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        with suppress(RedisError, OSError):
            await self.pubsub.aclose()  # type: ignore[no-untyped-call]
        await self.listening.aclose()
        await self.redis.aclose()


async def _every(seconds: float, work: Callable[[], Awaitable[object]], what: str) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await work()
        except Exception:  # the next round tries again; the server goes on
            logger.exception("%s failed", what)


@asynccontextmanager
async def realtime(settings: Settings) -> AsyncIterator[None]:
    """Events and the hold sweeper for as long as the block runs."""
    transport = None
    if settings.redis_url:
        transport = RedisEvents(settings.redis_url, settings.redis_channel)
        await transport.start()
        events.install(transport.publish)
    sweepers = []
    if settings.hold_sweep_seconds > 0:  # background work (0 in tests, which start it alone)
        sweepers.append(
            asyncio.create_task(
                _every(settings.hold_sweep_seconds, expire_holds, "releasing expired holds"),
                name="haven hold sweeper",
            )
        )
        keep = timedelta(days=settings.idempotency_days)
        sweepers.append(
            asyncio.create_task(
                _every(KEY_SWEEP_SECONDS, lambda: forget_keys(keep), "forgetting old keys"),
                name="haven idempotency key sweeper",
            )
        )
    try:
        yield
    finally:
        for sweeper in sweepers:
            sweeper.cancel()
            with suppress(asyncio.CancelledError):
                await sweeper
        if transport is not None:
            events.install(None)
            await transport.close()
