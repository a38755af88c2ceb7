"""Queries for regions, shelters, free beds and occupancy."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from server import models
from server.domain.access import shelter_scope
from server.domain.beds import BedFilter, available_beds
from server.domain.clock import now
from server.domain.occupancy import Occupancy as OccupancyFigures
from server.domain.occupancy import census_instant, occupancy_at
from server.schema.context import Info
from server.schema.permissions import SignedIn
from server.schema.relay import Connection, decode_id, optional_id, page_size, paginate
from server.schema.shelters.types import Bed, BedFeature, Occupancy, Region, Shelter, ShelterKind


def _page(info: Info, first: int | None) -> int:
    settings = info.context.settings
    return page_size(first, default=settings.default_page_size, maximum=settings.max_page_size)


@strawberry.type
class ShelterOccupancy:
    shelter: Shelter
    occupancy: Occupancy


@strawberry.type
class RegionOccupancy:
    region: Region
    occupancy: Occupancy
    shelters: list[ShelterOccupancy]


@strawberry.type(description="Occupancy of the network at one instant.")
class OccupancyReport:
    at: datetime = strawberry.field(
        description="The instant counted: now, or 23:59:59.999999 local time of the date asked."
    )
    total: Occupancy
    regions: list[RegionOccupancy]


PAGE_DOC = "Page size; capped at the server's maximum (100 by default)."


@strawberry.type
class ShelterQueries:
    @strawberry.field(permission_classes=[SignedIn], description="All regions, by name.")
    async def regions(self) -> list[Region]:
        return [Region.from_model(row) for row in await models.Region.all()]

    @strawberry.field(
        permission_classes=[SignedIn], description="Shelters, filtered by region and kind."
    )
    async def shelters(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        region: strawberry.ID | None = None,
        kind: ShelterKind | None = None,  # type: ignore[valid-type]
    ) -> Connection[Shelter]:
        query = models.Shelter.filter(shelter_scope(info.context.viewer))
        region_id = optional_id(region, "Region", "region")
        if region_id is not None:
            query = query.filter(region_id=region_id)
        if kind is not None:
            query = query.filter(kind=kind)
        return await paginate(
            query.order_by("id"), Shelter.from_model, first=_page(info, first), after=after
        )

    @strawberry.field(permission_classes=[SignedIn])
    async def shelter(self, info: Info, id: strawberry.ID) -> Shelter | None:
        row = await info.context.loaders.shelter_by_id.load(decode_id(id, "Shelter", ["id"]))
        return Shelter.from_model(row) if row else None

    @strawberry.field(
        permission_classes=[SignedIn],
        description="Beds free right now: not occupied, held or out of service.",
    )
    async def available_beds(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        shelter: strawberry.ID | None = None,
        region: strawberry.ID | None = None,
        shelter_kind: ShelterKind | None = None,  # type: ignore[valid-type]
        features: list[BedFeature] | None = None,  # type: ignore[valid-type]
    ) -> Connection[Bed]:
        search = BedFilter(
            shelter_id=optional_id(shelter, "Shelter", "shelter"),
            region_id=optional_id(region, "Region", "region"),
            shelter_kind=shelter_kind,
            features=tuple(features or ()),
        )
        return await paginate(
            available_beds(info.context.viewer, search),
            Bed.from_model,
            first=_page(info, first),
            after=after,
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description="Beds by state per shelter and region, now or on a past date.",
    )
    async def occupancy(
        self,
        info: Info,
        on: date | None = None,
        region: strawberry.ID | None = None,
        shelter: strawberry.ID | None = None,
    ) -> OccupancyReport:
        at = now() if on is None else census_instant(on, info.context.settings.zone)
        shelters = models.Shelter.filter(shelter_scope(info.context.viewer)).order_by("name")
        region_id = optional_id(region, "Region", "region")
        shelter_id = optional_id(shelter, "Shelter", "shelter")
        if region_id is not None:
            shelters = shelters.filter(region_id=region_id)
        if shelter_id is not None:
            shelters = shelters.filter(id=shelter_id)
        shelter_rows = await shelters
        figures = await occupancy_at(at, shelter_ids=[row.id for row in shelter_rows])
        region_rows = await models.Region.filter(id__in={row.region_id for row in shelter_rows})
        regions = []
        for region_row in region_rows:
            parts = [
                ShelterOccupancy(
                    shelter=Shelter.from_model(row),
                    occupancy=Occupancy.of(figures.get(row.id, OccupancyFigures())),
                )
                for row in shelter_rows
                if row.region_id == region_row.id
            ]
            regions.append(
                RegionOccupancy(
                    region=Region.from_model(region_row),
                    occupancy=Occupancy.of(
                        sum((part.occupancy.figures for part in parts), OccupancyFigures())
                    ),
                    shelters=parts,
                )
            )
        total = sum((region.occupancy.figures for region in regions), OccupancyFigures())
        return OccupancyReport(at=at, total=Occupancy.of(total), regions=regions)
