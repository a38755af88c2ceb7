"""A graphql-transport-ws client for the app in process: the ASGI WebSocket messages go through
two queues, in the test's own event loop (httpx speaks no WebSocket).

    async with Subscriber.open(app, token) as subscriber:
        await subscriber.subscribe(OCCUPANCY_CHANGED, {"shelter": shelter_id})
        figures = await subscriber.data()           # the next event's data
        await subscriber.silent()                   # nothing else came
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.types import ASGIApp, Message

PROTOCOL = "graphql-transport-ws"
#: How long a test waits for a message it expects.
WAIT = 5.0
#: How long a test listens for a message that must not come.
QUIET = 0.5


class ASGIWebSocket:
    """One WebSocket connection to an ASGI app."""

    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = headers or {}
        self.to_app: asyncio.Queue[Message] = asyncio.Queue()
        self.from_app: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.closed: Message | None = None

    async def connect(self, subprotocols: tuple[str, ...] = (PROTOCOL,)) -> Message:
        """The handshake; the app's answer: ``websocket.accept`` or ``websocket.close``."""
        headers = [(b"host", b"haven.test")] + [
            (name.lower().encode(), value.encode()) for name, value in self.headers.items()
        ]
        if subprotocols:
            headers.append((b"sec-websocket-protocol", ", ".join(subprotocols).encode()))
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("haven.test", 80),
            "subprotocols": list(subprotocols),
        }
        self.task = asyncio.create_task(self.app(scope, self.to_app.get, self.from_app.put))
        await self.to_app.put({"type": "websocket.connect"})
        answer = await self.message()
        if answer["type"] == "websocket.close":
            self.closed = answer
        return answer

    async def message(self, timeout: float = WAIT) -> Message:
        async with asyncio.timeout(timeout):
            message = await self.from_app.get()
        if message["type"] == "websocket.close":
            self.closed = message
        return message

    async def send_json(self, value: dict[str, Any]) -> None:
        await self.to_app.put({"type": "websocket.receive", "text": json.dumps(value)})

    async def receive_json(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next message as JSON; a close instead fails the test, with its code."""
        message = await self.message(timeout)
        assert message["type"] == "websocket.send", f"expected a message, got {message}"
        value: dict[str, Any] = json.loads(message["text"])
        return value

    async def disconnect(self) -> None:
        if self.task is None:
            return
        if not self.task.done():
            await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        async with asyncio.timeout(WAIT):
            await self.task
        self.task = None


class Subscriber:
    """A signed-in graphql-transport-ws connection with one subscription at a time (id "1")."""

    def __init__(self, socket: ASGIWebSocket) -> None:
        self.socket = socket

    @classmethod
    @asynccontextmanager
    async def open(cls, app: ASGIApp, token: str | None) -> AsyncIterator[Subscriber]:
        socket = ASGIWebSocket(app)
        try:
            accepted = await socket.connect()
            assert accepted["type"] == "websocket.accept", accepted
            payload = {"authorization": f"Bearer {token}"} if token else {}
            await socket.send_json({"type": "connection_init", "payload": payload})
            ack = await socket.receive_json()
            assert ack["type"] == "connection_ack", ack
            yield cls(socket)
        finally:
            await socket.disconnect()

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, id: str = "1"
    ) -> None:
        await self.socket.send_json(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def next(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next protocol message (next, error, complete…)."""
        return await self.socket.receive_json(timeout)

    async def data(self, timeout: float = WAIT) -> dict[str, Any]:
        """The data of the next ``next`` message, which must carry no errors."""
        message = await self.next(timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message["payload"]
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def silent(self, seconds: float = QUIET) -> None:
        """Nothing arrives for ``seconds``."""
        try:
            message = await self.socket.message(timeout=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message}")
