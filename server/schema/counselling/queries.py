"""Queries for counselling sessions: a shelter's or a counsellor's schedule."""

from __future__ import annotations

from datetime import date

import strawberry

from server.domain.counselling import SessionFilter, find_sessions
from server.domain.schedule import day_window
from server.schema.context import Info
from server.schema.counselling.types import CounsellingSession, SessionStatus
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, optional_id, page_size, paginate_by


@strawberry.type
class CounsellingQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="Counselling sessions you may see, by start time: a shelter's day "
        "(shelter, day), a counsellor's (counsellor, day), a resident's. The day is in the "
        "shelters' time zone. Administrators and coordinators see none.",
    )
    async def counselling_sessions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        shelter: strawberry.ID | None = None,
        counsellor: strawberry.ID | None = None,
        resident: strawberry.ID | None = None,
        day: date | None = None,
        status: SessionStatus | None = None,  # type: ignore[valid-type]
    ) -> Connection[CounsellingSession]:
        settings = info.context.settings
        criteria = SessionFilter(
            shelter_id=optional_id(shelter, "Shelter", "shelter"),
            counsellor_id=optional_id(counsellor, "User", "counsellor"),
            resident_id=optional_id(resident, "Resident", "resident"),
            between=None if day is None else day_window(day, settings.zone),
            status=status,
        )
        return await paginate_by(
            find_sessions(info.context.viewer, criteria),
            CounsellingSession.from_model,
            key="starts_at",
            first=page_size(
                first, default=settings.default_page_size, maximum=settings.max_page_size
            ),
            after=after,
        )
