"""The ASGI application: Starlette serving GraphQL at /graphql (subscriptions over a WebSocket
there, graphql-transport-ws), the database, events and hold sweeper started in the lifespan.

    app = create_app(Settings.from_env())
    # or: uvicorn server.app:create_app --factory   (what `haven serve` runs)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from cross_web import HTTPException as BadRequest
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType
from tortoise.contrib.starlette import RegisterTortoise

from server.callers import bearer, client_of, viewer_for
from server.database import tortoise_config
from server.downloads import report_csv
from server.encryption import Keyring, install
from server.realtime import realtime
from server.schema import build_schema
from server.schema.context import Context
from server.settings import Settings


class HavenGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app, giving each request its own context and loaders."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=20,
        )
        self.settings = settings

    def parse_json(self, data: str | bytes) -> Any:
        """A JSON body that is not an object (or a list, refused as batching) is a bad request."""
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise BadRequest(400, "The request body must be a JSON object.")
        return parsed

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        address, client = client_of(request)
        token = bearer(request.headers.get("authorization", ""))
        viewer = await viewer_for(token, client, self.settings)
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=self.settings,
            viewer=viewer,
            token=token,
            address=address,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: ``connection_init`` carries the bearer token as a header would,
        ``{"authorization": "Bearer …"}``. Without a live session the socket closes (4403)."""
        given = {str(key).lower(): value for key, value in context.connection_params.items()}
        header = given.get("authorization")
        token = bearer(header) if isinstance(header, str) else context.token
        viewer = await viewer_for(token, context.viewer.client, self.settings)
        if not viewer.signed_in:
            raise ConnectionRejectionError({"message": "Sign in first."})
        context.signed_in_as(viewer)
        context.token = token
        return UnsetType()  # acknowledged, with no payload


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/graphql")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    graphql = HavenGraphQL(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        install(Keyring.from_settings(settings))
        async with RegisterTortoise(app, config=tortoise_config(settings)), realtime(settings):
            yield

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", health),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/reports/{table}.csv", report_csv),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[Middleware(BodyLimit, max_bytes=settings.max_request_bytes)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


class BodyLimit:
    """Refuses a request body larger than ``max_bytes`` with 413, before anyone parses it."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await PlainTextResponse("Request body too large.", status_code=413)(
                scope, receive, send
            )
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, "Request body too large.")
            return message

        await self.app(scope, limited, send)
