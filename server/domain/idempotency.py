"""Creating requests that are safe to send twice: a tablet replaying its offline queue, or a
client retrying after a lost answer, gets the first answer back instead of a second effect.

    stay = await once(viewer, key, "checkIn", {"resident": "…", "bed": "…"}, Stay, run)
    await forget_keys(timedelta(days=90))      # hourly, by each server process

The key is claimed in the same transaction as the effect. A concurrent request with the same key
waits on the key's unique index until the first commits (then replays its answer) or rolls back
(then runs itself). Only effects are remembered: a refused request writes nothing, so sending it
again asks again — the bed may be free by then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from server.domain.access import Viewer, require_signed_in
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode
from server.models import IdempotencyKey

M = TypeVar("M", bound=Model)

#: Attempts to claim a key: the second only after a concurrent holder rolled back.
_CLAIMS = 3


def fingerprint(operation: str, request: Mapping[str, Any]) -> str:
    """SHA-256 of the operation and its input in a canonical form (key order, dates as ISO).
    Fields left null are left out, so a request queued before an optional field was added to
    its input still matches its replay after the upgrade."""

    def given(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: given(item) for key, item in value.items() if item is not None}
        if isinstance(value, list | tuple):
            return [given(item) for item in value]
        return value

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, UUID):
            return str(value)
        raise TypeError(f"cannot fingerprint {type(value).__name__}")

    text = json.dumps(
        [operation, given(request)], sort_keys=True, default=plain, ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


async def _replay(claim: IdempotencyKey, operation: str, digest: str, model: type[M]) -> M:
    if claim.operation != operation or claim.fingerprint != digest:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            ["idempotencyKey"],
            "This idempotency key was already used for a different request.",
        )
    row = await model.get_or_none(pk=claim.result_id)
    if row is None:  # the first answer's row is gone: never by the API, which deletes nothing
        raise DomainError(
            ErrorCode.NOT_FOUND, ["idempotencyKey"], "The first answer no longer exists."
        )
    return row


async def once(
    viewer: Viewer,
    key: UUID | None,
    operation: str,
    request: Mapping[str, Any],
    model: type[M],
    run: Callable[[], Awaitable[M]],
) -> M:
    """``run()``'s row, or, for a key this account used before, the row its first run made."""
    if key is None or viewer.user_id is None:
        return await run()
    require_signed_in(viewer)
    digest = fingerprint(operation, request)
    for _ in range(_CLAIMS):
        claim = await IdempotencyKey.get_or_none(user_id=viewer.user_id, key=key)
        if claim is not None:
            return await _replay(claim, operation, digest, model)
        try:
            async with in_transaction() as connection:
                try:
                    claim = await IdempotencyKey.create(
                        user_id=viewer.user_id,
                        key=key,
                        operation=operation,
                        fingerprint=digest,
                        created_at=now(),
                        using_db=connection,
                    )
                except IntegrityError as error:
                    raise _Claimed from error
                row = await run()
                claim.result_id = row.pk
                await claim.save(using_db=connection, update_fields=["result_id"])
                return row
        except _Claimed:
            continue  # another request with this key committed (replay it) or rolled back
    raise DomainError(
        ErrorCode.IDEMPOTENCY_KEY_IN_USE,
        ["idempotencyKey"],
        "Another request with this idempotency key is still running: send it again.",
    )


class _Claimed(Exception):
    """The key's row exists already, made by a concurrent request."""


async def forget_keys(older_than: timedelta) -> int:
    """Delete the keys claimed more than ``older_than`` ago; how many. The answers they
    replay are kept in their own tables: only the protection against a very late replay goes."""
    return await IdempotencyKey.filter(created_at__lt=now() - older_than).delete()
