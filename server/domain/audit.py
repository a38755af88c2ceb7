"""The audit trail: every write, every sign-in, every read of a person's identity or notes.

await record(viewer, "check_in", "Stay", stay.id, resident_id=stay.resident_id)
reads = ReadLog(viewer); reads.add("read_identity", "Resident", 7, resident_id=7)
await reads.flush()        # one INSERT for all reads of a request
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from server.domain.access import Viewer, resident_scope
from server.domain.clock import in_utc, now
from server.models import AuditEvent, Resident


def _event(
    viewer: Viewer,
    action: str,
    record_type: str = "",
    record_id: int | None = None,
    *,
    resident_id: int | None = None,
    detail: str = "",
    username: str | None = None,
) -> AuditEvent:
    return AuditEvent(
        at=now(),
        user_id=viewer.user_id,
        username=(username if username is not None else viewer.username)[:64],
        action=action,
        record_type=record_type,
        record_id=record_id,
        resident_id=resident_id,
        client=viewer.client[:200],
        detail=detail[:500],
    )


async def record(
    viewer: Viewer,
    action: str,
    record_type: str = "",
    record_id: int | None = None,
    *,
    resident_id: int | None = None,
    detail: str = "",
    username: str | None = None,
    connection: BaseDBAsyncClient | None = None,
) -> None:
    """Append one event, inside the caller's transaction when ``connection`` is given."""
    event = _event(
        viewer,
        action,
        record_type,
        record_id,
        resident_id=resident_id,
        detail=detail,
        username=username,
    )
    await event.save(using_db=connection)


@dataclass
class ReadLog:
    """Sensitive reads of one request, each (action, record) once, written together."""

    viewer: Viewer
    pending: dict[tuple[str, str, int], AuditEvent] = field(default_factory=dict)

    def add(
        self, action: str, record_type: str, record_id: int, *, resident_id: int | None
    ) -> None:
        key = (action, record_type, record_id)
        if key not in self.pending:
            self.pending[key] = _event(
                self.viewer, action, record_type, record_id, resident_id=resident_id
            )

    async def flush(self) -> None:
        if self.pending:
            events, self.pending = list(self.pending.values()), {}
            await AuditEvent.bulk_create(events)


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    resident_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def find_events(viewer: Viewer, criteria: AuditFilter) -> QuerySet[AuditEvent]:
    """Events matching ``criteria``, oldest first. Asked for one resident, only a resident the
    viewer may see has any: the trail must not confirm that a hidden person is somewhere."""
    query = AuditEvent.all()
    if criteria.user_id is not None:
        query = query.filter(user_id=criteria.user_id)
    if criteria.resident_id is not None:
        visible = Resident.filter(resident_scope(viewer), id=criteria.resident_id).values("id")
        query = query.filter(resident_id__in=Subquery(visible))
    if criteria.since is not None:
        query = query.filter(Q(at__gte=in_utc(criteria.since, ["since"])))
    if criteria.until is not None:
        query = query.filter(Q(at__lt=in_utc(criteria.until, ["until"])))
    return query.order_by("id")
