"""What the screens read, remembered in memory for the session: when the server cannot be
reached, a screen shows the last answer it had (the top bar says "Offline") instead of nothing.

    reads = RememberedReads(client, on_offline=lambda offline: ...)
    data = await reads.query(operations.DASHBOARD, {"id": shelter, "day": day})
    reads.received_at(operations.DASHBOARD, {"id": shelter, "day": day})   # when, from the server

Only in memory, and dropped at sign-out: answers hold names, which never go to disk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from mobile.api.errors import Unreachable


class RememberedReads:
    """HavenClient for reading, with each answer kept; anything else goes to the client."""

    def __init__(self, client: Any, *, on_offline: Callable[[bool], None]) -> None:
        self._client = client
        self._answers: dict[tuple[str, str], tuple[dt.datetime, dict[str, Any]]] = {}
        self._on_offline = on_offline

    async def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        key = _key(document, variables)
        try:
            data: dict[str, Any] = await self._client.query(document, variables)
        except Unreachable:
            self._on_offline(True)
            if key in self._answers:
                return self._answers[key][1]
            raise
        self._on_offline(False)
        self._answers[key] = (dt.datetime.now(dt.UTC), data)
        return data

    def received_at(
        self, document: str, variables: dict[str, Any] | None = None
    ) -> dt.datetime | None:
        """When the server gave the answer `query` last returned for these (None: never)."""
        found = self._answers.get(_key(document, variables))
        return found[0] if found else None

    def forget(self) -> None:
        self._answers.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _key(document: str, variables: dict[str, Any] | None) -> tuple[str, str]:
    return document, json.dumps(variables or {}, sort_keys=True, default=str)
