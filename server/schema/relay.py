"""The API's common shapes: global IDs, cursor connections, and payload errors.

bed_id = decode_id(input.bed, "Bed", ["input", "bed"])        # int, or DomainError
return await paginate(Shelter.all(), Shelter_.from_model, first=first, after=after)
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar
from uuid import UUID

import strawberry
from strawberry import relay
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.domain.clock import in_utc
from server.domain.errors import DomainError, ErrorCode
from server.domain.idempotency import once

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=Model)

#: Largest row id a global ID may name (PostgreSQL ``integer``).
MAX_ROW_ID = 2**31 - 1

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")


def row_id(value: str) -> int | None:
    """The row id in a global ID's node part, or None if it cannot be one."""
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ROW_ID else None


def decode_id(value: str, type_name: str, field: list[str]) -> int:
    """The row id of a global ID that must name a ``type_name``; INVALID_ID otherwise."""
    try:
        global_id = relay.GlobalID.from_id(value)
    except relay.GlobalIDValueError:
        global_id = None
    number = row_id(global_id.node_id) if global_id else None
    if global_id is None or global_id.type_name != type_name or number is None:
        raise DomainError(ErrorCode.INVALID_ID, field, f"{value!r} is not a {type_name} ID.")
    return number


def optional_id(value: strawberry.ID | str | None, type_name: str, name: str) -> int | None:
    """``decode_id`` of an optional argument: None when it was not given."""
    return None if value is None else decode_id(value, type_name, [name])


def encode_id(type_name: str, number: int) -> str:
    return str(relay.GlobalID(type_name, str(number)))


@strawberry.type
class UserError:
    """An expected refusal: what is wrong, and which input field it concerns."""

    code: ErrorCodeType  # type: ignore[valid-type]
    field: list[str] | None
    message: str

    @classmethod
    def from_domain(cls, error: DomainError, *, prefix: tuple[str, ...] = ("input",)) -> UserError:
        field = [*prefix, *error.field] if error.field else None
        return cls(code=error.code, field=field, message=error.message)


async def attempt(
    call: Awaitable[R], *, prefix: tuple[str, ...] = ("input",)
) -> tuple[R | None, list[UserError]]:
    """Run a domain call; its DomainError becomes the payload's ``errors``."""
    try:
        return await call, []
    except DomainError as error:
        return None, [UserError.from_domain(error, prefix=prefix)]


IDEMPOTENCY_KEY_DOC = (
    "A UUID the client makes for this request. Sent again (a retry, a tablet's offline queue), "
    "the request returns its first answer instead of acting twice; with other input it is "
    "refused (IDEMPOTENCY_KEY_REUSED)."
)


#: The argument every creating mutation takes: ``idempotency_key: IdempotencyKeyArgument = None``.
IdempotencyKeyArgument = Annotated[
    UUID | None, strawberry.argument(description=IDEMPOTENCY_KEY_DOC)
]


async def attempt_once(
    info: Any,
    key: UUID | None,
    operation: str,
    input: object,
    model: type[M],
    run: Callable[[], Awaitable[M]],
) -> tuple[M | None, list[UserError]]:
    """``attempt`` for a creating mutation: with a key, a replay returns the row made first.

    row, errors = await attempt_once(info, key, "checkIn", input, Stay, run)
    """
    request = dataclasses.asdict(input) if dataclasses.is_dataclass(input) else {}  # type: ignore[arg-type]
    viewer = info.context.viewer
    return await attempt(once(viewer, key, operation, request, model, run))


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    """A page of a list, in id order. Ask for the next one with ``after: pageInfo.endCursor``."""

    edges: list[Edge[T]]
    page_info: PageInfo
    query: strawberry.Private[QuerySet[Any]]

    @strawberry.field(description="How many items the whole list holds.")
    async def total_count(self) -> int:
        return await self.query.count()


_CURSOR_PREFIX = "cursor:"


def _cursor(number: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{number}".encode()).decode()


def _after_id(after: str | None) -> int:
    return _after(after)[0]


def _after(after: str | None) -> tuple[int, datetime | None]:
    """The row id of a cursor, and the time it sorted at when the cursor carries one
    (``paginate_by``'s cursors do: ``<prefix><id>@<ISO time>``)."""
    if after is None:
        return 0, None
    try:
        text = base64.b64decode(after, validate=True).decode()
    except (binascii.Error, ValueError):  # not base64, not ASCII, or not UTF-8 inside
        text = ""
    number_text, _, at_text = text.removeprefix(_CURSOR_PREFIX).partition("@")
    number = row_id(number_text) if text.startswith(_CURSOR_PREFIX) else None
    at = None
    if number is not None and at_text:
        try:
            at = in_utc(datetime.fromisoformat(at_text), ["after"])
        except (ValueError, DomainError):
            number = None
    if number is None:
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["after"], f"{after!r} is not a cursor from this API."
        )
    return number, at


def page_size(first: int | None, *, default: int, maximum: int) -> int:
    """``first`` capped at ``maximum``; below 1 is an error."""
    if first is None:
        return default
    if first < 1:
        raise DomainError(ErrorCode.INVALID_VALUE, ["first"], "first must be at least 1.")
    return min(first, maximum)


async def paginate(
    query: QuerySet[M],
    to_node: Callable[[M], T],
    *,
    first: int,
    after: str | None,
) -> Connection[T]:
    """One page of ``query`` (which must be ordered by id), one query for the rows."""
    start = _after_id(after)
    rows = await query.filter(id__gt=start).limit(first + 1)
    edges = [Edge(cursor=_cursor(row.pk), node=to_node(row)) for row in rows[:first]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        query=query,
    )


async def paginate_by(
    query: QuerySet[M],
    to_node: Callable[[M], T],
    *,
    key: str,
    first: int,
    after: str | None,
) -> Connection[T]:
    """One page of ``query`` in (``key``, id) order, for lists read by time, such as a day's
    schedule by ``starts_at`` (a datetime). Each cursor carries its row's time as well as its
    id, so the list goes on after it even when that row has since left the list (an
    appointment cancelled while a status-filtered schedule is paged).

    return await paginate_by(appointments, Appointment.from_model, key="starts_at", ...)
    """
    start, at = _after(after)
    ordered = query.order_by(key, "id")
    if start and at is None:  # a cursor of another list, which carries no time
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["after"], f"{after!r} is not a cursor of this list."
        )
    if start:
        later: dict[str, Any] = {f"{key}__gt": at}
        same: dict[str, Any] = {key: at, "id__gt": start}
        ordered = ordered.filter(Q(**later) | Q(**same))
    rows = await ordered.limit(first + 1)

    def cursor(row: M) -> str:
        when: datetime = getattr(row, key)
        return base64.b64encode(
            f"{_CURSOR_PREFIX}{row.pk}@{when.astimezone(UTC).isoformat()}".encode()
        ).decode()

    edges = [Edge(cursor=cursor(row), node=to_node(row)) for row in rows[:first]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        query=query,
    )


class LoadedNode:
    """Mixin for Node types built from one ORM row and fetched through a per-request loader.

    Subclasses name their loader (``loader = "shelter_by_id"``) and define ``from_model``.
    """

    loader: ClassVar[str]

    @classmethod
    def from_model(cls, row: Any) -> Any:
        raise NotImplementedError

    @classmethod
    async def resolve_nodes(
        cls, *, info: Any, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        loader = getattr(info.context.loaders, cls.loader)
        numbers = [row_id(node_id) for node_id in node_ids]
        rows = await loader.load_many([number or 0 for number in numbers])
        nodes = [cls.from_model(row) if row is not None else None for row in rows]
        if required and None in nodes:
            raise DomainError(ErrorCode.NOT_FOUND, ["id"], "No such object.")
        return nodes
