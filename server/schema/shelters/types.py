"""GraphQL types for regions, shelters, rooms, beds and their occupancy."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from server import models
from server.domain.access import may_read_address
from server.domain.beds import BedStatus, bed_status
from server.domain.occupancy import Occupancy as OccupancyFigures
from server.schema.context import Info
from server.schema.permissions import forbidden_field
from server.schema.relay import LoadedNode

if TYPE_CHECKING:
    from server.schema.holds.types import BedHold
    from server.schema.meals.types import DietaryNeedsSummary
    from server.schema.stays.types import Stay

ShelterKind = strawberry.enum(models.ShelterKind)
BedFeature = strawberry.enum(models.BedFeature)
BedStatusType = strawberry.enum(BedStatus, name="BedStatus")


@strawberry.type(description="Beds by state. free = capacity - occupied - held - outOfService.")
class Occupancy:
    figures: strawberry.Private[OccupancyFigures]
    capacity: int
    occupied: int
    held: int
    out_of_service: int
    free: int

    @classmethod
    def of(cls, figures: OccupancyFigures) -> Occupancy:
        return cls(
            figures=figures,
            capacity=figures.capacity,
            occupied=figures.occupied,
            held=figures.held,
            out_of_service=figures.out_of_service,
            free=figures.free,
        )


@strawberry.type
class Region(LoadedNode, relay.Node):
    loader = "region_by_id"
    row: strawberry.Private[models.Region]
    id: relay.NodeID[int]
    code: str
    name: str

    @classmethod
    def from_model(cls, row: models.Region) -> Region:
        return cls(row=row, id=row.id, code=row.code, name=row.name)

    @strawberry.field
    async def shelters(self, info: Info) -> list[Shelter]:
        rows = await info.context.loaders.shelters_by_region.load(self.row.id)
        return [Shelter.from_model(row) for row in rows]


@strawberry.type
class Shelter(LoadedNode, relay.Node):
    loader = "shelter_by_id"
    row: strawberry.Private[models.Shelter]
    id: relay.NodeID[int]
    name: str
    kind: ShelterKind  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, row: models.Shelter) -> Shelter:
        return cls(row=row, id=row.id, name=row.name, kind=row.kind)

    @strawberry.field
    async def region(self, info: Info) -> Region:
        row = await info.context.loaders.region_by_id.load(self.row.region_id)
        assert row is not None
        return Region.from_model(row)

    @strawberry.field(
        description="The shelter's time zone (IANA name, such as Asia/Almaty): the one its days "
        "(arrivals, schedules, reports) are counted in, for a client to show times in."
    )
    def time_zone(self, info: Info) -> str:
        return info.context.settings.timezone

    @strawberry.field(description="Confidential: administrators and the shelter's own staff only.")
    def address(self, info: Info) -> str | None:
        if not may_read_address(info.context.viewer):
            raise forbidden_field("address")
        return self.row.address

    @strawberry.field
    async def rooms(self, info: Info) -> list[Room]:
        rows = await info.context.loaders.rooms_by_shelter.load(self.row.id)
        return [Room.from_model(row) for row in rows]

    @strawberry.field(description="Beds by state right now.")
    async def occupancy(self, info: Info) -> Occupancy:
        return Occupancy.of(await info.context.loaders.occupancy_by_shelter.load(self.row.id))

    @strawberry.field(
        description="Who arrived on a day (today by default, in the shelters' time zone): the "
        "stays begun here, in time order."
    )
    async def arrivals(
        self, info: Info, on: date | None = None
    ) -> list[Annotated[Stay, strawberry.lazy("server.schema.stays.types")]]:
        return await self._stays_on(info, on, ended=False)

    @strawberry.field(
        description="Who left on a day (today by default, in the shelters' time zone): the "
        "stays ended here, in time order."
    )
    async def departures(
        self, info: Info, on: date | None = None
    ) -> list[Annotated[Stay, strawberry.lazy("server.schema.stays.types")]]:
        return await self._stays_on(info, on, ended=True)

    async def _stays_on(self, info: Info, on: date | None, *, ended: bool) -> list[Stay]:
        from server.domain.clock import day_asked
        from server.domain.schedule import day_window
        from server.schema.stays.types import Stay

        zone = info.context.settings.zone
        window = day_window(day_asked(on, zone), zone)
        rows = await info.context.loaders.stays_by_shelter_day.load((self.row.id, window, ended))
        return [Stay.from_model(row) for row in rows]

    @strawberry.field(
        description="How many residents present on a day (today by default) need each diet."
    )
    async def dietary_needs(
        self, info: Info, on: date | None = None
    ) -> Annotated[DietaryNeedsSummary, strawberry.lazy("server.schema.meals.types")] | None:
        from server.domain.clock import day_asked
        from server.schema.meals.types import needs_at

        return await needs_at(info, self.row.id, day_asked(on, info.context.settings.zone))


@strawberry.type
class Room(LoadedNode, relay.Node):
    loader = "room_by_id"
    row: strawberry.Private[models.Room]
    id: relay.NodeID[int]
    name: str
    floor: int

    @classmethod
    def from_model(cls, row: models.Room) -> Room:
        return cls(row=row, id=row.id, name=row.name, floor=row.floor)

    @strawberry.field
    async def shelter(self, info: Info) -> Shelter:
        row = await info.context.loaders.shelter_by_id.load(self.row.shelter_id)
        assert row is not None
        return Shelter.from_model(row)

    @strawberry.field
    async def beds(self, info: Info) -> list[Bed]:
        rows = await info.context.loaders.beds_by_room.load(self.row.id)
        return [Bed.from_model(row) for row in rows]


@strawberry.type
class Bed(LoadedNode, relay.Node):
    loader = "bed_by_id"
    row: strawberry.Private[models.Bed]
    id: relay.NodeID[int]
    label: str
    features: list[BedFeature]  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, row: models.Bed) -> Bed:
        return cls(row=row, id=row.id, label=row.label, features=row.features)

    @strawberry.field
    async def room(self, info: Info) -> Room:
        row = await info.context.loaders.room_by_id.load(self.row.room_id)
        assert row is not None
        return Room.from_model(row)

    @strawberry.field(
        description="Free, occupied, held for an incoming person, or out of service, now."
    )
    async def status(self, info: Info) -> BedStatusType:  # type: ignore[valid-type]
        loaders = info.context.loaders
        return bed_status(
            occupied=await loaders.active_assignment_by_bed.load(self.row.id) is not None,
            out_of_service=await loaders.outage_by_bed.load(self.row.id) is not None,
            held=await loaders.hold_by_bed.load(self.row.id) is not None,
        )

    @strawberry.field(description="Why the bed is out of service, while it is.")
    async def out_of_service_reason(self, info: Info) -> str | None:
        outage = await info.context.loaders.outage_by_bed.load(self.row.id)
        return outage.reason if outage else None

    @strawberry.field(description="The stay sleeping in this bed now.")
    async def current_stay(
        self, info: Info
    ) -> Annotated[Stay, strawberry.lazy("server.schema.stays.types")] | None:
        from server.schema.stays.types import Stay

        assignment = await info.context.loaders.active_assignment_by_bed.load(self.row.id)
        if assignment is None:
            return None
        row = await info.context.loaders.stay_by_id.load(assignment.stay_id)
        return Stay.from_model(row) if row else None

    @strawberry.field(description="The hold keeping this bed for an incoming person, if any now.")
    async def hold(
        self, info: Info
    ) -> Annotated[BedHold, strawberry.lazy("server.schema.holds.types")] | None:
        from server.schema.holds.types import BedHold

        row = await info.context.loaders.hold_by_bed.load(self.row.id)
        return BedHold.from_model(row) if row else None
