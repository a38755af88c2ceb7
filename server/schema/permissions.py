"""GraphQL's side of the access rules: refusals with a code, and the end-of-request work.

The rules themselves are in server/domain/access.py.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

from server.domain.errors import DomainError, ErrorCode


class SignedIn(BasePermission):
    """Every query but ``viewer`` needs a signed-in person."""

    message = "Sign in first."
    error_extensions = {"code": ErrorCode.UNAUTHENTICATED.name}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return bool(info.context.viewer.signed_in)


def forbidden_field(name: str) -> DomainError:
    """A field the viewer may not read: it comes back null, with this error beside it."""
    return DomainError(ErrorCode.FORBIDDEN, [name], f"You may not read {name}.")


class RequestEnd(SchemaExtension):
    """After each operation: give each refusal its code, and write the request's sensitive
    reads to the audit trail in one statement."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        await self._finish(self.execution_context.result)

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        """The same for each result a subscription sends, before it is sent."""
        await self._finish(result)
        yield

    async def _finish(self, result: Any) -> None:
        for error in getattr(result, "errors", None) or []:
            original = error.original_error
            if isinstance(original, DomainError):
                error.extensions = {**(error.extensions or {}), "code": original.code.name}
        await self.execution_context.context.reads.flush()


_SUGGESTION = re.compile(r" Did you mean .*\?$")


class HideSuggestions(SchemaExtension):
    """Production: "Did you mean 'givenName'?" would map the schema for someone without
    introspection, so validation messages lose their suggestions."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result_errors = (context.result.errors if context.result else None) or []
        errors = [*(context.pre_execution_errors or []), *result_errors]
        for error in errors:
            error.message = _SUGGESTION.sub("", error.message)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """A subscription's results (its validation errors come first) before they are sent."""
        for error in getattr(result, "errors", None) or []:
            error.message = _SUGGESTION.sub("", error.message)
        yield


def shown_in_production(error: GraphQLError) -> bool:
    """Refusals the client must read are never masked; anything unexpected is."""
    original = error.original_error
    return original is None or isinstance(original, DomainError | GraphQLError)
