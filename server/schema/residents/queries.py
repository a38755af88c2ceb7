"""Queries for residents: search and one person's record."""

from __future__ import annotations

import strawberry

from server.domain.residents import ResidentFilter, find_residents
from server.schema.context import Info
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, decode_id, optional_id, page_size, paginate
from server.schema.residents.types import Resident


@strawberry.type
class ResidentQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="Residents by code or name, by shelter, in a shelter now or not.",
    )
    async def residents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        shelter: strawberry.ID | None = None,
        in_shelter: bool | None = None,
    ) -> Connection[Resident]:
        settings = info.context.settings
        criteria = ResidentFilter(
            search=search,
            shelter_id=optional_id(shelter, "Shelter", "shelter"),
            in_shelter=in_shelter,
        )
        return await paginate(
            find_residents(info.context.viewer, criteria),
            Resident.from_model,
            first=page_size(
                first, default=settings.default_page_size, maximum=settings.max_page_size
            ),
            after=after,
        )

    @strawberry.field(permission_classes=[SignedIn])
    async def resident(self, info: Info, id: strawberry.ID) -> Resident | None:
        row = await info.context.loaders.resident_by_id.load(decode_id(id, "Resident", ["id"]))
        return Resident.from_model(row) if row else None
