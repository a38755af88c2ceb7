"""Queries for medical appointments: a shelter's or a provider's schedule, and who gives care."""

from __future__ import annotations

from datetime import date

import strawberry
from tortoise.expressions import Subquery

from server import models
from server.domain.access import colleague_scope
from server.domain.medical import AppointmentFilter, find_appointments
from server.domain.schedule import day_window
from server.schema.accounts.types import Role, User
from server.schema.context import Info
from server.schema.medical.types import AppointmentStatus, MedicalAppointment
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, decode_id, optional_id, page_size, paginate_by

CARE_ROLES = (models.Role.MEDICAL, models.Role.COUNSELLOR, models.Role.LEGAL)


@strawberry.type
class MedicalQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="Medical appointments you may see, by start time: a shelter's day "
        "(shelter, day), a provider's (provider, day), a resident's. The day is in the "
        "shelters' time zone. Administrators and coordinators see none.",
    )
    async def appointments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        shelter: strawberry.ID | None = None,
        provider: strawberry.ID | None = None,
        resident: strawberry.ID | None = None,
        day: date | None = None,
        status: AppointmentStatus | None = None,  # type: ignore[valid-type]
    ) -> Connection[MedicalAppointment]:
        settings = info.context.settings
        criteria = AppointmentFilter(
            shelter_id=optional_id(shelter, "Shelter", "shelter"),
            provider_id=optional_id(provider, "User", "provider"),
            resident_id=optional_id(resident, "Resident", "resident"),
            between=None if day is None else day_window(day, settings.zone),
            status=status,
        )
        return await paginate_by(
            find_appointments(info.context.viewer, criteria),
            MedicalAppointment.from_model,
            key="starts_at",
            first=page_size(
                first, default=settings.default_page_size, maximum=settings.max_page_size
            ),
            after=after,
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description="The medical volunteers, counsellors and legal advisers of one of your "
        "shelters, to book them: by name.",
    )
    async def care_workers(
        self,
        info: Info,
        shelter: strawberry.ID,
        role: Role | None = None,  # type: ignore[valid-type]
    ) -> list[User]:
        viewer = info.context.viewer
        shelter_id = decode_id(shelter, "Shelter", ["shelter"])
        if shelter_id not in viewer.shelter_ids:
            return []
        roles = [role] if role in CARE_ROLES else [] if role is not None else list(CARE_ROLES)
        rows = await models.User.filter(
            colleague_scope(viewer),
            id__in=Subquery(models.User.filter(shelters__id=shelter_id).values("id")),
            role__in=roles,
            is_active=True,
        ).order_by("full_name", "id")
        return [User.from_model(row) for row in rows]
