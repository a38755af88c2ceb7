"""What every resolver gets in ``info.context``: the request, the settings, who is asking,
and loaders made for them.

Loaders are made per request and per viewer: a loader shared between requests would serve
one user's rows to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from server.domain.access import Viewer
from server.domain.audit import ReadLog
from server.schema.accounts.loaders import ShelterIdsByUserLoader, UserByIdLoader
from server.schema.counselling.loaders import (
    ParticipantsBySessionLoader,
    SessionByIdLoader,
    SessionsByResidentLoader,
)
from server.schema.holds.loaders import HoldByIdLoader
from server.schema.meals.loaders import DietaryNeedsLoader, MealRecordByIdLoader
from server.schema.medical.loaders import (
    AppointmentByIdLoader,
    AppointmentsByResidentLoader,
    ColleagueByIdLoader,
    StatusChangesByAppointmentLoader,
    VisitByAppointmentLoader,
)
from server.schema.notes.loaders import NotesByResidentLoader
from server.schema.referrals.loaders import ReferralByIdLoader, ReferralsByResidentLoader
from server.schema.residents.loaders import ResidentByIdLoader
from server.schema.services.loaders import (
    ChangesByServiceLoader,
    HearingsByServiceLoader,
    ServiceByIdLoader,
    ServicesByResidentLoader,
)
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
    StaysByShelterDayLoader,
)
from server.schema.stock.loaders import (
    DistributionsByResidentLoader,
    ItemByIdLoader,
    StockLevelByIdLoader,
    StockMovementByIdLoader,
    TransferInByOutLoader,
)
from server.schema.timeline.loaders import TimelineLoader
from server.settings import Settings


class Loaders:
    """Every loader of one request, each narrowed to what ``viewer`` may see."""

    def __init__(self, viewer: Viewer) -> None:
        self.region_by_id = RegionByIdLoader(viewer)
        self.shelter_by_id = ShelterByIdLoader(viewer)
        self.shelters_by_region = SheltersByRegionLoader(viewer)
        self.room_by_id = RoomByIdLoader(viewer)
        self.rooms_by_shelter = RoomsByShelterLoader(viewer)
        self.bed_by_id = BedByIdLoader(viewer)
        self.beds_by_room = BedsByRoomLoader(viewer)
        self.outage_by_bed = OutageByBedLoader(viewer)
        self.hold_by_bed = HoldByBedLoader(viewer)
        self.occupancy_by_shelter = OccupancyByShelterLoader(viewer)
        self.resident_by_id = ResidentByIdLoader(viewer)
        self.stay_by_id = StayByIdLoader(viewer)
        self.stays_by_resident = StaysByResidentLoader(viewer)
        self.stays_by_shelter_day = StaysByShelterDayLoader(viewer)
        self.active_stay_by_resident = ActiveStayByResidentLoader(viewer)
        self.assignments_by_stay = AssignmentsByStayLoader(viewer)
        self.active_assignment_by_stay = ActiveAssignmentByStayLoader(viewer)
        self.active_assignment_by_bed = ActiveAssignmentByBedLoader(viewer)
        self.user_by_id = UserByIdLoader(viewer)
        self.shelter_ids_by_user = ShelterIdsByUserLoader(viewer)
        self.notes_by_resident = NotesByResidentLoader(viewer)
        # Services, meals and the timeline.
        self.service_by_id = ServiceByIdLoader(viewer)
        self.services_by_resident = ServicesByResidentLoader(viewer)
        self.hearings_by_service = HearingsByServiceLoader(viewer)
        self.changes_by_service = ChangesByServiceLoader(viewer)
        self.meal_record_by_id = MealRecordByIdLoader(viewer)
        self.dietary_needs = DietaryNeedsLoader(viewer)
        self.timeline = TimelineLoader(viewer)
        self.hold_by_id = HoldByIdLoader(viewer)
        self.referral_by_id = ReferralByIdLoader(viewer)
        self.referrals_by_resident = ReferralsByResidentLoader(viewer)
        # Care: medical appointments and counselling sessions.
        self.appointment_by_id = AppointmentByIdLoader(viewer)
        self.appointments_by_resident = AppointmentsByResidentLoader(viewer)
        self.visit_by_appointment = VisitByAppointmentLoader(viewer)
        self.status_changes_by_appointment = StatusChangesByAppointmentLoader(viewer)
        self.colleague_by_id = ColleagueByIdLoader(viewer)
        self.session_by_id = SessionByIdLoader(viewer)
        self.participants_by_session = ParticipantsBySessionLoader(viewer)
        self.sessions_by_resident = SessionsByResidentLoader(viewer)
        # stock (issue 4)
        self.item_by_id = ItemByIdLoader(viewer)
        self.stock_level_by_id = StockLevelByIdLoader(viewer)
        self.stock_movement_by_id = StockMovementByIdLoader(viewer)
        self.transfer_in_by_out = TransferInByOutLoader(viewer)
        self.distributions_by_resident = DistributionsByResidentLoader(viewer)


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    settings: Settings
    viewer: Viewer
    #: The bearer token of this request ("" when none), for sign-out.
    token: str = ""
    #: The client's network address, for sign-in throttling.
    address: str = ""
    #: A WebSocket's ``connection_init`` payload (strawberry sets it), where its token is.
    connection_params: dict[str, object] = field(default_factory=dict)
    loaders: Loaders = field(init=False)
    #: Sensitive reads of this request, written to the audit trail when it ends.
    reads: ReadLog = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.viewer)
        self.reads = ReadLog(self.viewer)

    def signed_in_as(self, viewer: Viewer) -> None:
        """After ``login``: the rest of this response is for the person who signed in."""
        self.viewer = viewer
        self.loaders = Loaders(viewer)
        self.reads = ReadLog(viewer)


Info = StrawberryInfo[Context, None]
