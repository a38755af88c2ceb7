"""What the screens call to change something: each change is written to the outbox first, then
sent, so nothing is lost if the network drops or the app dies mid-request.

    actions = Actions(client, outbox)
    result = await actions.run("checkIn", operations.CHECK_IN, {"input": {...}},
                               summary="HV-2026-000123 → A/2")
    match result:
        case Sent(payload):           ...  # done
        case Queued(item):            ...  # saved, will send when online
        case RefusedResult(item, errors): ...  # the server said no: redo or discard
    await actions.drain()            # when the server answers again: in order, one at a time
    actions.pending_count            # the "N waiting" badge; actions.on_change(callback)

A new action waits behind the pending ones: ``run`` sends them first, in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mobile.api.client import HavenClient
from mobile.api.errors import OutboxLocked, Refused, SessionEnded, Unreachable, UserError
from mobile.api.outbox import Outbox, QueuedAction

log = logging.getLogger(__name__)

#: Refusals that mean "not now" rather than "no": the action stays pending.
RETRY_LATER = frozenset({"IDEMPOTENCY_KEY_IN_USE"})


@dataclass(frozen=True)
class Sent:
    """The server did it; ``payload`` is its answer."""

    payload: dict[str, Any]
    item: QueuedAction | None = None


@dataclass(frozen=True)
class Queued:
    """Saved: sent when the server answers again."""

    item: QueuedAction


@dataclass(frozen=True)
class RefusedResult:
    """The server said no; the action is kept as refused, for the person to redo or discard."""

    item: QueuedAction
    errors: list[UserError] = field(default_factory=list)


Result = Sent | Queued | RefusedResult


class Actions:
    def __init__(self, client: HavenClient, outbox: Outbox) -> None:
        self.client = client
        self.outbox = outbox
        self._lock = asyncio.Lock()
        self._observers: list[Callable[[], None]] = []

    async def run(
        self, operation: str, document: str, variables: dict[str, Any], summary: str = ""
    ) -> Result:
        """Queue the change, then send what is pending, this one last. SessionEnded propagates
        (the action stays queued for the next sign-in)."""
        async with self._lock:
            item = self.outbox.add(operation, document, variables, summary)
            self._changed()
            results = await self._drain()
        return _result_of(item, results) or Queued(self.outbox.get(item.id))

    async def drain(self) -> list[Result]:
        """Send the pending actions in order, one at a time, each with its own idempotency key.
        Stops at the first that gets no answer; a refusal is kept and the next one goes on.
        Nothing to do while nobody has unlocked the outbox."""
        async with self._lock:
            return await self._drain()

    async def redo(self, id: int, variables: dict[str, Any] | None = None) -> Result:
        """A refused action made again (new variables, or the same) as a new action."""
        async with self._lock:
            item = self.outbox.redo(id, variables)
            self._changed()
            results = await self._drain()
        return _result_of(item, results) or Queued(self.outbox.get(item.id))

    def discard(self, id: int) -> None:
        """Give a refused (or pending) action up: kept as discarded."""
        self.outbox.discard(id)
        self._changed()

    @property
    def pending_count(self) -> int:
        return self.outbox.pending_count()

    def on_change(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` after every change of the queue; returns what stops it."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback)

    async def _drain(self) -> list[Result]:
        if self.outbox.account is None:
            return []
        if self.client.username not in (None, self.outbox.account):
            raise OutboxLocked(
                f"the queue is {self.outbox.account}'s, not {self.client.username}'s"
            )
        results: list[Result] = []
        for item in self.outbox.pending():
            result = await self._send(item)
            results.append(result)
            if isinstance(result, Queued):
                break
        return results

    async def _send(self, item: QueuedAction) -> Result:
        self.outbox.mark_sending(item.id)
        try:
            payload = await self.client.mutate(
                item.operation,
                item.document,
                item.variables,
                idempotency_key=item.idempotency_key,
            )
        except Unreachable:
            self.outbox.mark_pending(item.id)
            return Queued(self._updated(item))
        except SessionEnded:
            self.outbox.mark_pending(item.id)
            self._changed()
            raise
        except Refused as refusal:
            if {error.code for error in refusal.errors} <= RETRY_LATER:
                self.outbox.mark_pending(item.id)
                return Queued(self._updated(item))
            self.outbox.mark_refused(item.id, refusal.errors)
            return RefusedResult(self._updated(item), refusal.errors)
        self.outbox.mark_done(item.id, payload)
        return Sent(payload, self._updated(item))

    def _updated(self, item: QueuedAction) -> QueuedAction:
        self._changed()
        return self.outbox.get(item.id)

    def _changed(self) -> None:
        for callback in list(self._observers):
            try:
                callback()
            except Exception:  # an observer's fault must not stop the queue
                log.exception("outbox observer failed")


def _result_of(item: QueuedAction, results: list[Result]) -> Result | None:
    for result in results:
        if result.item is not None and result.item.id == item.id:
            return result
    return None
