"""Who is calling over HTTP or a WebSocket: the bearer token, the client (address and user
agent, as the audit trail records it) and the viewer they make.

    address, client = client_of(request)
    viewer = await viewer_for(bearer(request.headers.get("authorization", "")), client, settings)
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from server.domain.access import Viewer
from server.domain.accounts import authenticate
from server.settings import Settings


def bearer(header: str) -> str:
    """The token of ``Bearer <token>``; "" for anything else."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def client_of(connection: HTTPConnection) -> tuple[str, str]:
    """(address, "address user-agent"), the agent cut to 120 characters."""
    address = connection.client.host if connection.client else ""
    agent = connection.headers.get("user-agent", "")[:120]
    return address, f"{address} {agent}".strip()


async def viewer_for(token: str, client: str, settings: Settings) -> Viewer:
    """The signed-in viewer of ``token`` (refused if it is not a live session), or anonymous."""
    if not token:
        return Viewer.anonymous(client)
    return await authenticate(token, client=client, settings=settings)
