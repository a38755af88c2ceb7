"""What subscribers are told (events, which carry row ids only) and how: ``publish`` once the
write has committed; each server process hands what reaches it to its own listeners.

    await publish(OccupancyChanged(shelter_id=3))              # after the transaction commits
    await publish(StockLow(shelter_id=3, item_id=12, on_hand=2, threshold=10))
    await publish(AppointmentChanged(shelter_id=3, appointment_id=41))

    async with listen() as events:                             # a subscription, in one process
        event = await events.next(timeout=60.0)                # None if nothing came by then

Events go to this process's listeners unless ``install`` put another transport in place
(server/realtime.py: Redis pub/sub between processes, when HAVEN_REDIS_URL is set). An event
says only what changed where; each subscriber decides, as itself, whether it may know, and reads
the current state itself. Inside a GraphQL request, what a mutation publishes is sent when the
operation has finished (``deferred``), so after any transaction around the domain call (an
idempotency key's) has committed: a subscriber never reads the state from before the write.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, fields

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OccupancyChanged:
    """A shelter's beds changed: a check-in or out, a transfer, a hold, a bed's status."""

    shelter_id: int


@dataclass(frozen=True)
class StockLow:
    """An item's stock in a shelter fell to its threshold or below (the stock domain sends it)."""

    shelter_id: int
    item_id: int
    on_hand: int
    threshold: int


@dataclass(frozen=True)
class AppointmentChanged:
    """A medical appointment in a shelter was booked or changed (the medical domain sends it)."""

    shelter_id: int
    appointment_id: int


@dataclass(frozen=True)
class Resync:
    """Events may have been lost (this process lost its Redis connection for a while, or
    another could not publish): whoever shows a state should read it again. Made in each
    process, never published as such (``realtime.EVENTS_LOST`` travels instead)."""


Event = OccupancyChanged | StockLow | AppointmentChanged | Resync

#: The events that travel between processes, by the name they travel under.
EVENT_TYPES: dict[str, type[OccupancyChanged | StockLow | AppointmentChanged]] = {
    kind.__name__: kind for kind in (OccupancyChanged, StockLow, AppointmentChanged)
}


def encode(event: Event) -> str:
    """``{"type": "OccupancyChanged", "shelter_id": 3}``"""
    return json.dumps({"type": type(event).__name__, **asdict(event)})


def decode(text: str | bytes) -> Event | None:
    """The event ``encode`` wrote; None (logged) for anything else, such as an event of a newer
    version of Haven still being rolled out."""
    try:
        data = json.loads(text)
        kind = EVENT_TYPES[data.pop("type")]
        values = {field.name: data[field.name] for field in fields(kind)}
        if not all(type(value) is int for value in values.values()):
            raise ValueError("an event's values are row ids and counts")
        return kind(**values)
    except (ValueError, KeyError, TypeError, AttributeError):
        logger.warning("ignored an event that is not one of ours: %.200r", text)
        return None


class Listener:
    """One subscriber's events not taken yet, oldest first. An event already waiting is not
    added twice: the subscriber reads the state again when it takes it, which covers both."""

    #: Distinct events one listener keeps waiting; more are dropped (and logged).
    limit = 1000

    def __init__(self) -> None:
        self._waiting: dict[Event, None] = {}
        self._arrived = asyncio.Event()

    def offer(self, event: Event) -> None:
        if event in self._waiting:
            return
        if len(self._waiting) >= self.limit:
            logger.warning("a subscriber is %d events behind: dropped %r", self.limit, event)
            return
        self._waiting[event] = None
        self._arrived.set()

    async def next(self, timeout: float) -> Event | None:
        """The oldest waiting event, waiting up to ``timeout`` seconds for one."""
        if not self._waiting:
            self._arrived.clear()
            try:
                async with asyncio.timeout(timeout):
                    await self._arrived.wait()
            except TimeoutError:
                return None
        event = next(iter(self._waiting))
        del self._waiting[event]
        return event


class Hub:
    """The listeners of this process."""

    def __init__(self) -> None:
        self._listeners: set[Listener] = set()

    def deliver(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener.offer(event)

    @asynccontextmanager
    async def listen(self) -> AsyncIterator[Listener]:
        listener = Listener()
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)

    def __len__(self) -> int:
        return len(self._listeners)


#: This process's listeners.
hub = Hub()

Transport = Callable[[Event], Awaitable[None]]


async def deliver_here(event: Event) -> None:
    """The transport of a single process: straight to its own listeners."""
    hub.deliver(event)


_transport: Transport = deliver_here


def install(transport: Transport | None) -> None:
    """Send events through ``transport`` from now on (None: to this process's listeners)."""
    global _transport
    _transport = transport or deliver_here


def listen() -> AbstractAsyncContextManager[Listener]:
    """A listener for this process's events while the block runs (see the module's example)."""
    return hub.listen()


_deferred: ContextVar[list[Event] | None] = ContextVar("deferred_events", default=None)


async def publish(event: Event) -> None:
    """Tell every subscriber, in every process, that something changed. Call it after your
    transaction has committed (outside ``async with in_transaction()``): a subscriber reads the
    state as soon as the event reaches it. It never raises: the write stands whether or not
    anyone could be told (a failure is logged)."""
    waiting = _deferred.get()
    if waiting is not None:
        waiting.append(event)
        return
    await _send(event)


async def _send(event: Event) -> None:
    try:
        await _transport(event)
    except Exception:  # the write it announces has committed: report, do not fail it
        logger.exception("could not publish %r", event)


@asynccontextmanager
async def deferred() -> AsyncIterator[None]:
    """Hold what is published inside the block, and send it, each event once, when the block
    ends (every transaction inside it has ended by then). Nested blocks send with the outer.

    async with deferred():
        await once(viewer, key, "checkIn", request, Stay, run)   # its transaction commits here
    # now OccupancyChanged is sent
    """
    if _deferred.get() is not None:
        yield
        return
    waiting: list[Event] = []
    token = _deferred.set(waiting)
    try:
        yield
    finally:
        _deferred.reset(token)
        for event in dict.fromkeys(waiting):
            await _send(event)
