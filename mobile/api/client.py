"""The one way the tablet talks to the server: GraphQL over HTTP, as coroutines.

    client = HavenClient("http://127.0.0.1:8000")
    viewer = await client.login("staff.almaty", password)   # {"username": ..., "shelters": [...]}
    data = await client.query(operations.DASHBOARD, {"id": shelter_id, "day": "2026-11-29"})
    payload = await client.mutate("checkIn", operations.CHECK_IN, {"input": {...}},
                                  idempotency_key=key)     # raises Refused on payload errors
    await client.logout()

The session's token lives in this object only, never on disk.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from mobile.api import operations
from mobile.api.errors import Refused, SessionEnded, Unreachable, UserError

#: A front desk waits this long for an answer before the action is kept for later
#: (HAVEN_TABLET_TIMEOUT seconds, 8 by default).
TIMEOUT = httpx.Timeout(float(os.environ.get("HAVEN_TABLET_TIMEOUT", "8")), connect=4.0)
#: What a proxy says when the server behind it is down or slow.
GATEWAY_DOWN = frozenset({502, 503, 504})
USER_AGENT = "HavenTablet/0.1"


class HavenClient:
    """GraphQL as one signed-in person. ``token`` is None until ``login`` and after
    ``logout``."""

    def __init__(
        self,
        url: str,
        *,
        timeout: httpx.Timeout | float = TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        #: The server's address as typed at sign-in ("http://" assumed); may be changed.
        self.url = url
        self.token: str | None = None
        #: The signed-in person as operations.VIEWER asks for them.
        self.viewer: dict[str, Any] | None = None
        self._http = httpx.AsyncClient(
            timeout=timeout, transport=transport, headers={"user-agent": USER_AGENT}
        )

    @property
    def url(self) -> str:
        return self._url

    @url.setter
    def url(self, url: str) -> None:
        url = url.strip().rstrip("/")
        self._url = url if "://" in url else f"http://{url}"

    @property
    def username(self) -> str | None:
        return None if self.viewer is None else str(self.viewer["username"])

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in; the person (operations.VIEWER's fields). Refused with LOGIN_FAILED or
        LOGIN_LOCKED."""
        self.token = None
        self.viewer = None
        data = await self._post(
            operations.LOGIN, {"username": username, "password": password}, authorised=False
        )
        payload = _payload(data, "login")
        token, viewer = payload.get("token"), payload.get("user")
        if not isinstance(token, str) or not isinstance(viewer, dict):
            raise Refused([UserError("LOGIN_FAILED", (), "The server gave no session.")])
        self.token, self.viewer = token, viewer
        return viewer

    async def logout(self) -> bool:
        """End the session here at once, and on the server if it answers: True if it did.
        Unanswered, the server ends it itself after its idle time."""
        if self.token is None:
            return False
        try:
            await self.mutate("logout", operations.LOGOUT, {})
        except (Unreachable, SessionEnded, Refused):
            return False
        finally:
            self.token = None
            self.viewer = None
        return True

    async def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The answer's ``data``. Fields refused to this person come back None; only an
        answer without data raises (SessionEnded, Refused)."""
        return await self._post(document, variables or {}, authorised=True)

    async def mutate(
        self,
        name: str,
        document: str,
        variables: dict[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """The payload of mutation ``name``; Refused when its ``errors`` are not empty.
        ``idempotency_key`` fills the document's ``$idempotencyKey``."""
        if idempotency_key is not None:
            variables = {**variables, "idempotencyKey": idempotency_key}
        data = await self._post(document, variables, authorised=True)
        return _payload(data, name)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _post(
        self, document: str, variables: dict[str, Any], *, authorised: bool
    ) -> dict[str, Any]:
        headers = {}
        if authorised and self.token:
            headers["authorization"] = f"Bearer {self.token}"
        try:
            response = await self._http.post(
                f"{self.url}/graphql",
                json={"query": document, "variables": variables},
                headers=headers,
            )
        except (httpx.TransportError, httpx.InvalidURL) as error:
            raise Unreachable(str(error) or type(error).__name__) from error
        if response.status_code in GATEWAY_DOWN:
            raise Unreachable(f"the server is not answering ({response.status_code})")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            status = response.status_code
            code = "SERVER_ERROR" if status >= 500 else "BAD_REQUEST"
            raise Refused([UserError(code, (), f"The server answered {status}.")])
        return _data(body)


def _data(body: dict[str, Any]) -> dict[str, Any]:
    errors = [error for error in body.get("errors") or [] if isinstance(error, dict)]
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    if "UNAUTHENTICATED" in codes:
        raise SessionEnded(_message(errors[codes.index("UNAUTHENTICATED")]))
    data = body.get("data")
    if isinstance(data, dict):
        return data
    raise Refused(
        [
            UserError(str(code or "BAD_REQUEST"), _path(error), _message(error))
            for error, code in zip(errors, codes, strict=True)
        ]
        or [UserError("BAD_REQUEST", (), "The server sent no data.")]
    )


def _payload(data: dict[str, Any], name: str) -> dict[str, Any]:
    payload = data.get(name)
    if not isinstance(payload, dict):
        raise Refused([UserError("BAD_REQUEST", (name,), f"The server sent no {name}.")])
    errors = [UserError.from_json(error) for error in payload.get("errors") or []]
    if any(error.code == "UNAUTHENTICATED" for error in errors):
        raise SessionEnded(errors[0].message)
    if errors:
        raise Refused(errors)
    return payload


def _message(error: dict[str, Any]) -> str:
    return str(error.get("message") or "")


def _path(error: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(part) for part in error.get("path") or ())
