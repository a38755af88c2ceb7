"""Queries for services: a filtered list. One resident's: ``Resident.services``."""

from __future__ import annotations

import strawberry

from server.domain.services import ServiceFilter, find_services
from server.schema.context import Info
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, optional_id, page_size, paginate
from server.schema.services.types import Pillar, ServiceKind, ServiceRecord, ServiceStatus


@strawberry.type
class ServiceQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="The services you may read, in the order logged, by shelter (one you see), "
        "resident, kind, pillar and status.",
    )
    async def services(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        shelter: strawberry.ID | None = None,
        resident: strawberry.ID | None = None,
        kind: ServiceKind | None = None,  # type: ignore[valid-type]
        pillar: Pillar | None = None,  # type: ignore[valid-type]
        status: ServiceStatus | None = None,  # type: ignore[valid-type]
    ) -> Connection[ServiceRecord]:
        settings = info.context.settings
        criteria = ServiceFilter(
            shelter_id=optional_id(shelter, "Shelter", "shelter"),
            resident_id=optional_id(resident, "Resident", "resident"),
            kind=kind,
            pillar=pillar,
            status=status,
        )
        return await paginate(
            find_services(info.context.viewer, criteria),
            ServiceRecord.from_model,
            first=page_size(
                first, default=settings.default_page_size, maximum=settings.max_page_size
            ),
            after=after,
        )
