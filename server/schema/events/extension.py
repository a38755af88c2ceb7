"""How operations and events meet: subscriptions only over graphql-transport-ws (and only
subscriptions there: the connection's context is made for them), and what a mutation publishes
sent once the whole operation has finished, every transaction in it ended."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from server.domain.events import deferred


class Realtime(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        over_websocket = isinstance(context.context.request, WebSocket)
        subscribing = context.operation_type is OperationType.SUBSCRIPTION
        if over_websocket != subscribing:
            raise GraphQLError(
                "Subscriptions go over a WebSocket (graphql-transport-ws), queries and "
                "mutations over HTTP."
            )
        if subscribing:
            yield
            return
        async with deferred():
            yield
