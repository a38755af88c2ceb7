"""Tortoise models, one module per domain. No GraphQL here."""

from server.models.accounts import AuthToken, LoginThrottle, Role, User
from server.models.audit import AuditEvent
from server.models.counselling import (
    CounsellingParticipant,
    CounsellingSession,
    SessionFormat,
    SessionKind,
    SessionStatus,
)
from server.models.idempotency import IdempotencyKey
from server.models.meals import Meal, MealRecord
from server.models.medical import (
    AppointmentKind,
    AppointmentStatus,
    AppointmentStatusChange,
    MedicalAppointment,
    MedicalVisit,
)
from server.models.notes import CaseNote, NoteKind
from server.models.referrals import PartnerKind, Referral, ReferralDirection, ReferralStatus
from server.models.residents import (
    DocumentStatus,
    ExploitationType,
    ReferralSource,
    Resident,
    Sex,
)
from server.models.services import (
    ChangeKind,
    CourtHearing,
    DocumentStage,
    DocumentType,
    Pillar,
    ReturnStage,
    ServiceChange,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
)
from server.models.shelters import (
    Bed,
    BedFeature,
    BedHold,
    BedOutage,
    HoldOutcome,
    Region,
    Room,
    Shelter,
    ShelterKind,
)
from server.models.stays import BedAssignment, ExitDestination, Stay
from server.models.stock import (
    Item,
    ItemCategory,
    ItemUnit,
    MovementKind,
    Season,
    StockLevel,
    StockMovement,
    WriteOffReason,
)

__all__ = [
    "AuditEvent",
    "AuthToken",
    "CaseNote",
    "IdempotencyKey",
    "LoginThrottle",
    "NoteKind",
    "PartnerKind",
    "Referral",
    "ReferralDirection",
    "ReferralStatus",
    "Role",
    "User",
    "Bed",
    "BedAssignment",
    "BedFeature",
    "BedHold",
    "BedOutage",
    "DocumentStatus",
    "ExitDestination",
    "ExploitationType",
    "HoldOutcome",
    "ReferralSource",
    "Region",
    "Resident",
    "Room",
    "Sex",
    "Shelter",
    "ShelterKind",
    "Stay",
    "ChangeKind",
    "CourtHearing",
    "DocumentStage",
    "DocumentType",
    "Meal",
    "MealRecord",
    "Pillar",
    "ReturnStage",
    "ServiceChange",
    "ServiceKind",
    "ServiceRecord",
    "ServiceStatus",
    # Care.
    "AppointmentKind",
    "AppointmentStatus",
    "AppointmentStatusChange",
    "CounsellingParticipant",
    "CounsellingSession",
    "MedicalAppointment",
    "MedicalVisit",
    "SessionFormat",
    "SessionKind",
    "SessionStatus",
    "Item",
    "ItemCategory",
    "ItemUnit",
    "MovementKind",
    "Season",
    "StockLevel",
    "StockMovement",
    "WriteOffReason",
]
