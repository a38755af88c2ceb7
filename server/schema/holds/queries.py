"""The list of bed holds: who is expected where."""

from __future__ import annotations

import strawberry

from server import models
from server.domain.access import hold_scope
from server.domain.beds import active_holds
from server.domain.clock import now
from server.schema.context import Info
from server.schema.holds.types import BedHold
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, decode_id, page_size, paginate


@strawberry.type
class HoldQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="Holds on the beds you see, oldest first. active: true (the default) those "
        "holding now, false those that ended, null both.",
    )
    async def bed_holds(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        shelter: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
        active: bool | None = True,
    ) -> Connection[BedHold]:
        settings = info.context.settings
        size = page_size(first, default=settings.default_page_size, maximum=settings.max_page_size)
        query = models.BedHold.filter(hold_scope(info.context.viewer))
        if shelter is not None:
            query = query.filter(bed__room__shelter_id=decode_id(shelter, "Shelter", ["shelter"]))
        if region is not None:
            query = query.filter(
                bed__room__shelter__region_id=decode_id(region, "Region", ["region"])
            )
        if active is not None:
            holding = active_holds(now())
            query = query.filter(holding if active else ~holding)
        return await paginate(query.order_by("id"), BedHold.from_model, first=size, after=after)
