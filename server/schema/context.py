"""What every resolver gets in ``info.context``: the request, the settings, and fresh loaders.

Loaders are made per request: a loader shared between requests would serve one user's rows
to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from server.schema.residents.loaders import ResidentByIdLoader
from server.schema.shelters.loaders import (
    BedByIdLoader,
    BedsByRoomLoader,
    HoldByBedLoader,
    OccupancyByShelterLoader,
    OutageByBedLoader,
    RegionByIdLoader,
    RoomByIdLoader,
    RoomsByShelterLoader,
    ShelterByIdLoader,
    SheltersByRegionLoader,
)
from server.schema.stays.loaders import (
    ActiveAssignmentByBedLoader,
    ActiveAssignmentByStayLoader,
    ActiveStayByResidentLoader,
    AssignmentsByStayLoader,
    StayByIdLoader,
    StaysByResidentLoader,
)
from server.settings import Settings


@dataclass
class Loaders:
    region_by_id: RegionByIdLoader = field(default_factory=RegionByIdLoader)
    shelter_by_id: ShelterByIdLoader = field(default_factory=ShelterByIdLoader)
    shelters_by_region: SheltersByRegionLoader = field(default_factory=SheltersByRegionLoader)
    room_by_id: RoomByIdLoader = field(default_factory=RoomByIdLoader)
    rooms_by_shelter: RoomsByShelterLoader = field(default_factory=RoomsByShelterLoader)
    bed_by_id: BedByIdLoader = field(default_factory=BedByIdLoader)
    beds_by_room: BedsByRoomLoader = field(default_factory=BedsByRoomLoader)
    outage_by_bed: OutageByBedLoader = field(default_factory=OutageByBedLoader)
    hold_by_bed: HoldByBedLoader = field(default_factory=HoldByBedLoader)
    occupancy_by_shelter: OccupancyByShelterLoader = field(default_factory=OccupancyByShelterLoader)
    resident_by_id: ResidentByIdLoader = field(default_factory=ResidentByIdLoader)
    stay_by_id: StayByIdLoader = field(default_factory=StayByIdLoader)
    stays_by_resident: StaysByResidentLoader = field(default_factory=StaysByResidentLoader)
    active_stay_by_resident: ActiveStayByResidentLoader = field(
        default_factory=ActiveStayByResidentLoader
    )
    assignments_by_stay: AssignmentsByStayLoader = field(default_factory=AssignmentsByStayLoader)
    active_assignment_by_stay: ActiveAssignmentByStayLoader = field(
        default_factory=ActiveAssignmentByStayLoader
    )
    active_assignment_by_bed: ActiveAssignmentByBedLoader = field(
        default_factory=ActiveAssignmentByBedLoader
    )


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    settings: Settings
    loaders: Loaders = field(default_factory=Loaders)


Info = StrawberryInfo[Context, None]
