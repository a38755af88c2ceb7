"""Who may see and do what: the need-to-know rules of DESIGN.md in one place.

Every loader and list narrows its rows with a ``*_scope`` filter; every restricted field asks
a ``may_*`` question; every write asks ``require``. Nothing else decides access.

    rows = await Resident.filter(resident_scope(viewer))
    if may_read_identity(viewer): ...
    require(viewer, Action.CHECK_IN, shelter_id=bed_shelter)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tortoise.expressions import Q, Subquery

from server.domain.errors import DomainError, ErrorCode
from server.models import (
    AppointmentStatusChange,
    CounsellingParticipant,
    CounsellingSession,
    MedicalAppointment,
    MedicalVisit,
    NoteKind,
    Resident,
    Role,
    ServiceKind,
    SessionKind,
    Stay,
    User,
)

#: Roles that see every shelter's beds and anonymous resident facts (code, sex, age, nationality).
NETWORK_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
#: Roles bound to the shelters they work in; they see their residents' identity.
SHELTER_ROLES = frozenset({Role.SHELTER_STAFF, Role.MEDICAL, Role.COUNSELLOR, Role.LEGAL})


@dataclass(frozen=True)
class Viewer:
    """The person making a request, or ``Viewer.anonymous()``."""

    user_id: int | None
    username: str = ""
    role: Role | None = None
    shelter_ids: frozenset[int] = field(default_factory=frozenset)
    #: Where the request came from, for the audit trail.
    client: str = ""

    @classmethod
    def anonymous(cls, client: str = "") -> Viewer:
        return cls(user_id=None, client=client)

    @classmethod
    def operator(cls, name: str) -> Viewer:
        """Someone at the server's console (the ``haven`` command): an administrator."""
        return cls(
            user_id=None, username=f"console:{name}"[:64], role=Role.ADMIN, client="haven cli"
        )

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    @property
    def sees_network(self) -> bool:
        return self.role in NETWORK_ROLES

    @property
    def shelter_bound(self) -> bool:
        return self.role in SHELTER_ROLES


class Action(str, Enum):
    REGISTER_RESIDENT = "register_resident"
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"
    TRANSFER = "transfer"
    SET_BED_STATUS = "set_bed_status"
    WRITE_NOTE = "write_note"
    MANAGE_ACCOUNTS = "manage_accounts"
    READ_AUDIT = "read_audit"
    LOG_SERVICE = "log_service"
    RECORD_MEALS = "record_meals"
    HOLD_BED = "hold_bed"  # realtime: hold a bed for an incoming person, or call the hold off
    REFER = "refer"
    # Care: medical appointments and counselling sessions.
    SCHEDULE_APPOINTMENT = "schedule_appointment"
    SET_APPOINTMENT_STATUS = "set_appointment_status"
    RECORD_VISIT = "record_visit"
    SCHEDULE_SESSION = "schedule_session"
    RECORD_SESSION = "record_session"
    # stock (issue 4)
    MANAGE_ITEMS = "manage_items"
    MOVE_STOCK = "move_stock"
    SET_STOCK_THRESHOLD = "set_stock_threshold"
    # --- reports (issue 6): aggregates for coordinators and donors, small counts hidden ---
    READ_REPORTS = "read_reports"


#: Which roles may take each action; "own" ones only in their shelters (``require`` checks).
ALLOWED: dict[Action, frozenset[Role]] = {
    Action.REGISTER_RESIDENT: frozenset({Role.SHELTER_STAFF}),
    Action.CHECK_IN: frozenset({Role.SHELTER_STAFF}),
    Action.CHECK_OUT: frozenset({Role.SHELTER_STAFF}),
    Action.TRANSFER: frozenset({Role.SHELTER_STAFF, Role.COORDINATOR}),
    Action.SET_BED_STATUS: frozenset({Role.SHELTER_STAFF, Role.ADMIN}),
    Action.WRITE_NOTE: frozenset({Role.MEDICAL, Role.COUNSELLOR, Role.LEGAL}),
    Action.MANAGE_ACCOUNTS: frozenset({Role.ADMIN}),
    Action.READ_AUDIT: frozenset({Role.ADMIN}),
    # Which kinds each of these roles may log: SERVICE_WRITERS below.
    Action.LOG_SERVICE: frozenset({Role.SHELTER_STAFF, Role.LEGAL, Role.COUNSELLOR}),
    Action.RECORD_MEALS: frozenset({Role.SHELTER_STAFF}),
    # realtime: a hotline operator is a coordinator account (network-wide, no identities)
    Action.HOLD_BED: frozenset({Role.SHELTER_STAFF, Role.COORDINATOR}),
    Action.REFER: SHELTER_ROLES,
    # Care. Counsellors and legal advisers schedule, cancel and record only their own sessions.
    Action.SCHEDULE_APPOINTMENT: frozenset({Role.SHELTER_STAFF, Role.MEDICAL}),
    Action.SET_APPOINTMENT_STATUS: frozenset({Role.SHELTER_STAFF, Role.MEDICAL}),
    Action.RECORD_VISIT: frozenset({Role.MEDICAL}),
    Action.SCHEDULE_SESSION: frozenset({Role.SHELTER_STAFF, Role.COUNSELLOR, Role.LEGAL}),
    Action.RECORD_SESSION: frozenset({Role.COUNSELLOR, Role.LEGAL}),
    # stock (issue 4): receive, distribute, transfer (from), count and write off
    Action.MANAGE_ITEMS: frozenset({Role.ADMIN}),
    Action.MOVE_STOCK: frozenset({Role.SHELTER_STAFF}),
    Action.SET_STOCK_THRESHOLD: frozenset({Role.SHELTER_STAFF, Role.ADMIN}),
    # --- reports (issue 6): DESIGN.md "donor reports: admin ✓ coordinator ✓" ---
    Action.READ_REPORTS: frozenset({Role.ADMIN, Role.COORDINATOR}),
}


def require_signed_in(viewer: Viewer) -> None:
    if not viewer.signed_in:
        raise DomainError(ErrorCode.UNAUTHENTICATED, [], "Sign in first.")


def require(viewer: Viewer, action: Action, *, shelter_ids: tuple[int, ...] = ()) -> None:
    """Refuse unless the viewer's role may take ``action`` in each of ``shelter_ids``."""
    require_signed_in(viewer)
    if viewer.role not in ALLOWED[action]:
        raise DomainError(ErrorCode.FORBIDDEN, [], "Your role may not do this.")
    if viewer.shelter_bound and not set(shelter_ids) <= viewer.shelter_ids:
        raise DomainError(ErrorCode.FORBIDDEN, [], "You do not work in that shelter.")


def shelter_scope(viewer: Viewer, path: str = "id") -> Q:
    """Shelters (or rows under one, via ``path`` such as ``room__shelter_id``) the viewer sees."""
    if viewer.sees_network:
        return Q()
    if viewer.shelter_bound:
        return Q(**{f"{path}__in": sorted(viewer.shelter_ids)})
    return Q(**{f"{path}__in": []})


def account_scope(viewer: Viewer) -> Q:
    """Accounts the viewer sees: administrators all, everyone else only their own."""
    if viewer.role is Role.ADMIN:
        return Q()
    return Q(id=viewer.user_id if viewer.user_id is not None else 0)


def sees_shelter(viewer: Viewer, shelter_id: int) -> bool:
    """The one-row form of ``shelter_scope``, for a row already locked by id."""
    return viewer.sees_network or (viewer.shelter_bound and shelter_id in viewer.shelter_ids)


def resident_scope(viewer: Viewer, relation: str = "") -> Q:
    """Residents the viewer sees at all (or rows whose ``relation`` is such a resident).
    Shelter roles: those registered at, staying or who stayed in their shelters. Network
    roles: everyone but residents whose presence must not be disclosed."""
    if viewer.sees_network:
        flag = f"{relation}__do_not_disclose_presence" if relation else "do_not_disclose_presence"
        return Q(**{flag: False})
    key = f"{relation}_id__in" if relation else "id__in"
    if viewer.shelter_bound:
        # Two indexed look-ups side by side (migration 0016), not one subquery with an OR
        # inside: that made PostgreSQL filter every resident for each list or row asked.
        shelters = sorted(viewer.shelter_ids)
        stayed = Stay.filter(shelter_id__in=shelters).order_by("resident_id").values("resident_id")
        if not relation:
            return Q(intake_shelter_id__in=shelters) | Q(id__in=Subquery(stayed))
        registered = Resident.filter(intake_shelter_id__in=shelters).values("id")
        return Q(**{key: Subquery(registered)}) | Q(**{key: Subquery(stayed)})
    return Q(**{key: []})


def stay_scope(viewer: Viewer) -> Q:
    """Stays the viewer sees: shelter roles only their shelters' stays (where else a person
    went is not theirs to know); network roles every stay of a resident they may see."""
    if viewer.shelter_bound:
        return Q(shelter_id__in=sorted(viewer.shelter_ids))
    return resident_scope(viewer, "resident")


def may_read_address(viewer: Viewer) -> bool:
    """A shelter's address: administrators, and the people who work there (the shelter itself
    is only visible to them). Coordinators place people by region, not by street."""
    return viewer.role is Role.ADMIN or viewer.shelter_bound


def may_read_identity(viewer: Viewer) -> bool:
    """Names, birth date, contacts, case data: shelter roles only (their rows are already own)."""
    return viewer.shelter_bound


#: The role that writes, and reads, each kind of note.
NOTE_ROLE = {
    NoteKind.MEDICAL: Role.MEDICAL,
    NoteKind.COUNSELLING: Role.COUNSELLOR,
    NoteKind.LEGAL: Role.LEGAL,
}


def may_read_note(viewer: Viewer, kind: NoteKind, author_id: int | None) -> bool:
    """Medical notes: medical volunteers; legal: legal advisers; counselling: its author only."""
    if viewer.role is not NOTE_ROLE[kind]:
        return False
    return kind is not NoteKind.COUNSELLING or author_id == viewer.user_id


class SharingPurpose(str, Enum):
    """Who a person's data may be shared with, each needing its own consent."""

    POLICE = "police"
    CONSULATE = "consulate"
    PARTNER_NGO = "partner_ngo"


def require_consent(resident: Resident, purpose: SharingPurpose) -> None:
    """Refuse a sharing operation (a referral, an export naming the person) without the
    matching consent; every such operation calls this before it shares anything."""
    given = {
        SharingPurpose.POLICE: resident.consent_share_police,
        SharingPurpose.CONSULATE: resident.consent_share_consulate,
        SharingPurpose.PARTNER_NGO: resident.consent_share_partner_ngo,
    }[purpose]
    if not given:
        raise DomainError(
            ErrorCode.CONSENT_REQUIRED,
            ["resident"],
            f"{resident.code} has not consented to sharing with {purpose.value.replace('_', ' ')}.",
        )


# --- services (issue 4) --------------------------------------------------------------------------
#
# DESIGN.md, "legal/document/court records: staff own (no notes), legal own":
#
# * Legal kinds (legal aid, document restoration, court representation, police-statement
#   accompaniment): read by shelter staff and legal advisers of the resident's shelters. Staff
#   read the record (kind, stage, status, provider, outcome, hearings), never the legal notes
#   (CaseNote of kind legal, legal advisers only). Medical volunteers and counsellors: nothing.
# * Every other kind: read by every shelter role of the resident's shelters.
# * Administrators and coordinators: no individual record, of any kind (aggregates come with the
#   donor reports).
# * "The resident's shelters" are those of ``resident_scope``: the record follows the person, so
#   a legal adviser where they stay now continues a case begun where they stayed before. The
#   shelter that logged a record is shown only to who sees that shelter.
# * Writes: a record is logged at a shelter the writer works in that is one of the resident's
#   (``require`` with that shelter), by a role ``SERVICE_WRITERS`` allows for its kind: legal kinds
#   staff or legal advisers, the others staff, legal advisers or counsellors. Status and stage
#   changes and hearings: the same roles, on a record they may read.

LEGAL_SERVICE_KINDS = frozenset(
    {
        ServiceKind.LEGAL_AID,
        ServiceKind.DOCUMENT_RESTORATION,
        ServiceKind.COURT_REPRESENTATION,
        ServiceKind.POLICE_STATEMENT,
    }
)
_ALL_KINDS = frozenset(ServiceKind)
_OTHER_KINDS = _ALL_KINDS - LEGAL_SERVICE_KINDS

#: The kinds of service each role reads, for the residents it sees.
SERVICE_READERS: dict[Role, frozenset[ServiceKind]] = {
    Role.SHELTER_STAFF: _ALL_KINDS,
    Role.LEGAL: _ALL_KINDS,
    Role.MEDICAL: _OTHER_KINDS,
    Role.COUNSELLOR: _OTHER_KINDS,
}
#: The kinds of service each role logs and updates.
SERVICE_WRITERS: dict[Role, frozenset[ServiceKind]] = {
    Role.SHELTER_STAFF: _ALL_KINDS,
    Role.LEGAL: _ALL_KINDS,
    Role.COUNSELLOR: _OTHER_KINDS,
}


def service_scope(viewer: Viewer, relation: str = "") -> Q:
    """Service records the viewer reads (or rows whose ``relation`` is such a record).

    >>> await ServiceRecord.filter(service_scope(viewer))
    >>> await CourtHearing.filter(service_scope(viewer, "service"))
    """
    prefix = f"{relation}__" if relation else ""
    kinds = SERVICE_READERS.get(viewer.role, frozenset()) if viewer.role else frozenset()
    if not viewer.shelter_bound or not kinds:
        return Q(**{f"{prefix}id__in": []})
    return Q(**{f"{prefix}kind__in": sorted(kinds)}) & resident_scope(viewer, f"{prefix}resident")


def require_service_writer(viewer: Viewer, kind: ServiceKind) -> None:
    """Refuse unless the viewer's role logs and updates services of ``kind``."""
    require(viewer, Action.LOG_SERVICE)
    assert viewer.role is not None
    if kind not in SERVICE_WRITERS.get(viewer.role, frozenset()):
        raise DomainError(
            ErrorCode.FORBIDDEN, ["kind"], f"Your role may not log {kind.value.replace('_', ' ')}."
        )


# --- Care: medical appointments and counselling sessions -----------------------------------------

#: Who holds each kind of counselling session.
SESSION_ROLE = {
    SessionKind.PSYCHOLOGICAL: Role.COUNSELLOR,
    SessionKind.SOCIAL: Role.COUNSELLOR,
    SessionKind.LEGAL: Role.LEGAL,
}


def appointment_scope(viewer: Viewer) -> Q:
    """Appointments the viewer sees (when, kind, status, place, provider, resident): shelter
    roles those of their own residents, for the front desk and the day's schedule. Network
    roles none: an appointment's kind (gynaecological, mental health) is medical information."""
    if not viewer.shelter_bound:
        return Q(id__in=[])
    return resident_scope(viewer, "resident")


def session_scope(viewer: Viewer) -> Q:
    """Counselling sessions the viewer sees: shelter roles those with one of their own residents
    among the participants. Network roles none."""
    if not viewer.shelter_bound:
        return Q(id__in=[])
    own = CounsellingParticipant.filter(resident_scope(viewer, "resident")).values("session_id")
    return Q(id__in=Subquery(own))


def colleague_scope(viewer: Viewer) -> Q:
    """Accounts a shelter role sees by name beside an appointment or session: the people who
    work in their shelters, and whoever provided, changed or recorded one they see."""
    if not viewer.shelter_bound:
        return Q(id__in=[])
    appointments = MedicalAppointment.filter(appointment_scope(viewer)).values("id")
    sessions = CounsellingSession.filter(session_scope(viewer))
    named = (
        User.filter(shelters__id__in=sorted(viewer.shelter_ids)).values("id"),
        MedicalAppointment.filter(appointment_scope(viewer)).values("provider_id"),
        AppointmentStatusChange.filter(appointment_id__in=Subquery(appointments)).values(
            "changed_by_id"
        ),
        MedicalVisit.filter(appointment_id__in=Subquery(appointments)).values("recorded_by_id"),
        sessions.values("counsellor_id"),
    )
    scope = Q(id__in=[])
    for ids in named:
        scope |= Q(id__in=Subquery(ids))
    return scope


def may_read_visit(viewer: Viewer) -> bool:
    """A visit's findings and notes: medical volunteers, of the resident's shelters (the visit
    is only reached through an appointment in ``appointment_scope``)."""
    return viewer.role is Role.MEDICAL


def may_read_session_notes(viewer: Viewer, author_id: int | None) -> bool:
    """A session's notes: their author, nobody else (not another counsellor, not an admin)."""
    return viewer.user_id is not None and author_id == viewer.user_id


# --- realtime: bed holds and subscriptions ------------------------------------------------------


def hold_scope(viewer: Viewer) -> Q:
    """Bed holds the viewer sees: those on beds the viewer sees."""
    return shelter_scope(viewer, "bed__room__shelter_id")


def may_watch_stock(viewer: Viewer, shelter_id: int) -> bool:
    """Stock alerts of a shelter: whoever sees its stock (network roles all, shelter roles own)."""
    return sees_shelter(viewer, shelter_id)


def may_watch_appointments(viewer: Viewer, shelter_id: int) -> bool:
    """Appointment changes of a shelter: the shelter roles working there. Network roles see no
    individual appointment, so they watch none."""
    return viewer.shelter_bound and shelter_id in viewer.shelter_ids


# --- stock (issue 4) ------------------------------------------------------------------------------


def stock_scope(viewer: Viewer, path: str = "shelter_id") -> Q:
    """Stock levels (or movements, via ``path="level__shelter_id"``) the viewer sees: network
    roles every shelter's, shelter roles their own shelters'. The catalogue is for everyone."""
    return shelter_scope(viewer, path)


def may_read_recipient(viewer: Viewer) -> bool:
    """Who received a distribution: the staff of the shelter (the movement is already theirs
    to see, and so is the resident). Network roles count what went out, not to whom: what a
    person was given (baby formula, sanitary pads) says as much as their case file."""
    return viewer.shelter_bound


#: Records whose audit detail describes a person's care: what kind of medical visit, who the
#: provider was, a referral to hospital or to the police, a counselling session's kind, a legal
#: service, what they were handed out. The trail's readers (administrators) see who did what to
#: which record and when, but not these words, which are not theirs to know (DESIGN.md).
CARE_RECORDS = frozenset(
    {
        "CaseNote",
        "CounsellingSession",
        "CourtHearing",
        "MedicalAppointment",
        "MedicalVisit",
        "Referral",
        "ServiceRecord",
        "StockMovement",
    }
)


def may_read_audit_detail(record_type: str, resident_id: int | None) -> bool:
    """Whether an audit event's detail may be shown: not when it tells of a person's care."""
    return resident_id is None or record_type not in CARE_RECORDS
