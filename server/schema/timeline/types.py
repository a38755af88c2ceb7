"""GraphQL types for a resident's timeline: entries of a union of the objects they are about.

A new source (server/domain/timeline.py) adds its object type to ``TimelineSubject`` and its
row's model to ``SUBJECTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from tortoise.models import Model

from server import models
from server.domain.timeline import Entry, EntryKind, Position, Window
from server.schema.context import Info
from server.schema.counselling.types import CounsellingSession
from server.schema.medical.types import MedicalAppointment
from server.schema.relay import Edge, PageInfo, page_size
from server.schema.services.types import CourtHearing, ServiceChange
from server.schema.stays.types import BedAssignment, Stay
from server.schema.stock.types import StockMovement

TimelineKind = strawberry.enum(EntryKind, name="TimelineKind")

TimelineSubject = Annotated[
    Stay
    | BedAssignment
    | ServiceChange
    | CourtHearing
    | MedicalAppointment
    | CounsellingSession
    | StockMovement,
    strawberry.union(
        "TimelineSubject",
        description="What an entry is about: a stay (check-in, check-out), the bed moved to "
        "(transfer), a step of a service, a court hearing, a medical appointment, a counselling "
        "session, a hand-out.",
    ),
]
#: The GraphQL type each source's rows are shown as.
SUBJECTS: dict[type[Model], Callable[[Any], Any]] = {
    models.Stay: Stay.from_model,
    models.BedAssignment: BedAssignment.from_model,
    models.ServiceChange: ServiceChange.from_model,
    models.CourtHearing: CourtHearing.from_model,
    models.MedicalAppointment: MedicalAppointment.from_model,
    models.CounsellingParticipant: lambda row: CounsellingSession.from_model(row.session),
    models.StockMovement: StockMovement.from_model,
}


@strawberry.type(description="Something that happened to a resident: when, what, and about what.")
class TimelineEntry:
    entry: strawberry.Private[Entry]
    at: datetime = strawberry.field(
        description="When. A hearing is at the start of its day (UTC), and may lie ahead."
    )
    kind: TimelineKind  # type: ignore[valid-type]

    @strawberry.field
    def subject(self) -> TimelineSubject:
        row = self.entry.row
        subject: TimelineSubject = SUBJECTS[type(row)](row)
        return subject


@strawberry.type(description="A page of a timeline, newest first.")
class TimelineConnection:
    edges: list[Edge[TimelineEntry]]
    page_info: PageInfo


async def resident_timeline(
    info: Info,
    resident_id: int,
    *,
    first: int | None,
    after: str | None,
    kinds: list[EntryKind] | None,
) -> TimelineConnection:
    settings = info.context.settings
    window = Window(
        first=page_size(first, default=settings.default_page_size, maximum=settings.max_page_size),
        after=None if after is None else Position.from_cursor(after),
        kinds=None if kinds is None else frozenset(kinds),
    )
    entries = await info.context.loaders.timeline.load((resident_id, window))
    edges = [
        Edge(
            cursor=entry.position.cursor(),
            node=TimelineEntry(entry=entry, at=entry.position.at, kind=entry.kind),
        )
        for entry in entries[: window.first]
    ]
    return TimelineConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(entries) > window.first,
            has_previous_page=window.after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
