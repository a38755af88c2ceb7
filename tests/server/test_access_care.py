"""Who may see and do what with appointments, visits and counselling sessions, cell by cell:
every viewer × every new query, type, field and mutation.

The rules (DESIGN.md "Who may see what", server/domain/access.py) written down again as literal
tables: ``APPOINTMENTS[...].seen_by``, ``SESSIONS[...].seen_by`` and ``.notes_read_by``,
``FINDINGS_READ_BY``, ``ATTEMPTS[...].allowed``. In short:

* schedules (time, kind, status, place, provider, resident code): the shelter roles of the
  resident's shelters, that is of a shelter the resident stays or stayed in;
* administrators and coordinators: nothing of any appointment or session (empty lists, null nodes);
* a visit's findings and notes: medical volunteers of the resident's shelters; other shelter
  roles who see the appointment get null with FORBIDDEN;
* a session's notes: their author alone; anyone else who sees the session: null with FORBIDDEN.

The world, built once per run: shelters A, B, C; residents ``in_a`` (in A), ``moved`` (A, then
B), ``in_b`` (in B), ``hidden`` (in A, do-not-disclose-presence); appointments and sessions in A
and B, some completed or recorded (moved into the past after booking, as a clock would),
others scheduled. Viewers: admin, coordinator, staff / medic / counsellor / legal adviser of A,
a second counsellor of A, staff and a medic of B, and nobody.

Every response to a network role is searched for any resident's name, findings, or notes: none
may appear. Cells that write put the world back afterwards.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from tortoise.models import Model
from tortoise.transactions import in_transaction

from server.app import create_app
from server.domain.clock import now
from server.domain.counselling import record_session
from server.domain.medical import Visit, record_visit
from server.domain.residents import Consents, Registration, register_resident
from server.domain.stays import check_in, transfer
from server.models import (
    AppointmentStatusChange,
    AuditEvent,
    CounsellingParticipant,
    CounsellingSession,
    DocumentStatus,
    MedicalAppointment,
    MedicalVisit,
    ReferralSource,
    Resident,
    Role,
    SessionKind,
    Sex,
    Stay,
)
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import DATA_KEY, GraphQLClient, empty_tables
from tests.server.care import Member, book, book_session, local, member, tomorrow
from tests.server.network import build_network, staff

pytestmark = pytest.mark.asyncio(loop_scope="module")

MIGRATIONS = Path(__file__).parents[2] / "server" / "migrations"

ADMIN, COORDINATOR, ANONYMOUS = "admin", "coordinator", "anonymous"
STAFF, MEDICAL, COUNSELLOR, LEGAL, COUNSELLOR_2 = (
    "staff",
    "medical",
    "counsellor",
    "legal",
    "counsellor-2",
)
STAFF_B, MEDICAL_B = "staff-b", "medical-b"
VIEWERS = [ADMIN, COORDINATOR, STAFF, MEDICAL, COUNSELLOR, LEGAL, COUNSELLOR_2, STAFF_B, MEDICAL_B]
VIEWERS.append(ANONYMOUS)
ACCOUNTS = {
    ADMIN: (Role.ADMIN, ""),
    COORDINATOR: (Role.COORDINATOR, ""),
    STAFF: (Role.SHELTER_STAFF, "A"),
    MEDICAL: (Role.MEDICAL, "A"),
    COUNSELLOR: (Role.COUNSELLOR, "A"),
    LEGAL: (Role.LEGAL, "A"),
    COUNSELLOR_2: (Role.COUNSELLOR, "A"),
    STAFF_B: (Role.SHELTER_STAFF, "B"),
    MEDICAL_B: (Role.MEDICAL, "B"),
}
NETWORK = frozenset({ADMIN, COORDINATOR})
OF_A = frozenset({STAFF, MEDICAL, COUNSELLOR, LEGAL, COUNSELLOR_2})
OF_B = frozenset({STAFF_B, MEDICAL_B})
NOBODY: frozenset[str] = frozenset()

#: Residents: their given name, shelters in order, and who sees them (shelter roles only here).
PEOPLE = {
    "in_a": ("Dilnoza", "A", OF_A),
    "moved": ("Gulnora", "AB", OF_A | OF_B),
    "in_b": ("Azizbek", "B", OF_B),
    "hidden": ("Malika", "A", OF_A),
}


@dataclass(frozen=True)
class Appointment:
    resident: str
    provider: str
    #: Hours from tomorrow 00:00 local, or None for one that is due (began an hour ago).
    hour: int | None
    status: str
    #: Where it was booked.
    shelter: str
    seen_by: frozenset[str]


#: In start-time order. ``done`` ones have a visit; ``due`` ones began an hour ago.
APPOINTMENTS = {
    "a_done": Appointment("in_a", MEDICAL, None, "COMPLETED", "A", OF_A),
    "moved_done": Appointment("moved", MEDICAL, None, "COMPLETED", "A", OF_A | OF_B),
    "a_due": Appointment("in_a", MEDICAL, None, "SCHEDULED", "A", OF_A),
    "a_next": Appointment("in_a", MEDICAL, 10, "SCHEDULED", "A", OF_A),
    "b_next": Appointment("in_b", MEDICAL_B, 10, "SCHEDULED", "B", OF_B),
    "hidden_next": Appointment("hidden", MEDICAL, 11, "SCHEDULED", "A", OF_A),
    "moved_next": Appointment("moved", MEDICAL, 12, "SCHEDULED", "A", OF_A | OF_B),
}
#: How long ago each past one began, in hours (order matters: the schedule is by start time).
PAST_HOURS = {"a_done": 30, "moved_done": 28, "a_due": 1}
FINDINGS = {
    "a_done": ("Anaemia, iron prescribed", "Scar on the left forearm"),
    "moved_done": ("Sprained wrist", "Asked for a female doctor next time"),
}
#: Who reads a visit's findings and notes: medical volunteers who see the appointment.
FINDINGS_READ_BY = {key: APPOINTMENTS[key].seen_by & {MEDICAL, MEDICAL_B} for key in FINDINGS}


@dataclass(frozen=True)
class Session:
    residents: tuple[str, ...]
    counsellor: str
    kind: SessionKind
    hour: int | None
    status: str
    notes: str | None
    seen_by: frozenset[str]

    @property
    def notes_read_by(self) -> frozenset[str]:
        return frozenset({self.counsellor})


SESSIONS = {
    "s_ind": Session(
        ("in_a",),
        COUNSELLOR,
        SessionKind.PSYCHOLOGICAL,
        None,
        "RECORDED",
        "Flashbacks of the farm; sleeps four hours",
        OF_A,
    ),
    "s_group": Session(
        ("in_a", "hidden"),
        COUNSELLOR_2,
        SessionKind.SOCIAL,
        None,
        "RECORDED",
        "Group: both spoke of the recruiter Rustam",
        OF_A,
    ),
    "s_legal": Session(
        ("in_a",),
        LEGAL,
        SessionKind.LEGAL,
        None,
        "RECORDED",
        "Statement to police drafted; employer kept passport",
        OF_A,
    ),
    "s_due": Session(
        ("hidden",), COUNSELLOR, SessionKind.PSYCHOLOGICAL, None, "SCHEDULED", None, OF_A
    ),
    "s_next": Session(
        ("in_a",), COUNSELLOR, SessionKind.PSYCHOLOGICAL, 15, "SCHEDULED", None, OF_A
    ),
    "s_moved": Session(
        ("moved",), COUNSELLOR, SessionKind.SOCIAL, 16, "SCHEDULED", None, OF_A | OF_B
    ),
}
SESSION_PAST_HOURS = {"s_ind": 30, "s_group": 29, "s_legal": 27, "s_due": 1}

#: What no network role may ever be shown.
SECRETS = (
    [name for name, _, _ in PEOPLE.values()]
    + [text for pair in FINDINGS.values() for text in pair]
    + [session.notes for session in SESSIONS.values() if session.notes]
)

# --- documents -----------------------------------------------------------------------------------

APPOINTMENTS_LIST = """
query ($shelter: ID) {
  appointments(shelter: $shelter, first: 100) {
    totalCount edges { node { id kind status place resident { code } provider { username } } }
  }
}"""

APPOINTMENT_NODE = """
query ($id: ID!) {
  node(id: $id) { ... on MedicalAppointment { id status shelter { name }
    provider { username } history { status by { username } } } }
}"""

VISIT = """
query ($id: ID!) {
  node(id: $id) { ... on MedicalAppointment { visit { referredToHospital hospital findings notes
    recordedBy { username } } } }
}"""

RESIDENT_CARE = """
query ($id: ID!) {
  resident(id: $id) { code appointments { id status } counsellingSessions { id status } }
}"""

SESSIONS_LIST = """
{ counsellingSessions(first: 100) { totalCount edges { node { id kind status
    counsellor { username } } } } }"""

SESSION_NODE = """
query ($id: ID!) {
  node(id: $id) { ... on CounsellingSession { id status shelter { name }
    participants { resident { code } } } }
}"""

SESSION_NOTES = "query ($id: ID!) { node(id: $id) { ... on CounsellingSession { id notes } } }"

CARE_WORKERS = "query ($shelter: ID!) { careWorkers(shelter: $shelter) { username role } }"

# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    gql: GraphQLClient
    members: dict[str, Member]
    shelters: dict[str, int]
    residents: dict[str, Resident]
    appointments: dict[str, int]
    sessions: dict[str, int]

    def id(self, kind: str, key: str) -> str:
        number = {
            "Shelter": self.shelters,
            "Resident": {k: r.id for k, r in self.residents.items()},
            "MedicalAppointment": self.appointments,
            "CounsellingSession": self.sessions,
        }[kind][key]
        return encode_id(kind, number)

    def code(self, resident: str) -> str:
        return self.residents[resident].code

    async def ask(
        self, viewer: str, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        token = None if viewer == ANONYMOUS else self.members[viewer].token
        body = await self.gql.as_token(token).post(document, variables)
        if viewer in NETWORK:
            text = json.dumps(body, ensure_ascii=False)
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, f"{viewer} was shown {leaked} by {document}"
        return body


async def _shift(model: type[Model], row_id: int, hours_ago: int) -> None:
    """Move a booking into the past, keeping its length: the world's clock has run on."""
    row = await model.get(id=row_id)
    length = row.ends_at - row.starts_at  # type: ignore[attr-defined]
    start = now() - timedelta(hours=hours_ago)
    await model.filter(id=row_id).update(starts_at=start, ends_at=start + length)


async def seed(gql: GraphQLClient) -> World:
    network = await build_network(shelters=3, rooms_per_shelter=1, beds_per_room=3, regions=2)
    shelters = dict(zip("ABC", network.shelters, strict=True))
    members = {
        viewer: await member(role, [shelters[key] for key in works_in], f"care-{viewer}")
        for viewer, (role, works_in) in ACCOUNTS.items()
    }
    hand = await staff()
    residents: dict[str, Resident] = {}
    for key, (given, path, _) in PEOPLE.items():
        resident = await register_resident(
            hand,
            Registration(
                given_name=given,
                family_name="Karimova",
                sex=Sex.FEMALE,
                nationality="UZ",
                referral_source=ReferralSource.HOTLINE,
                document_status=DocumentStatus.CONFISCATED,
                consents=Consents(data_processing=True),
                do_not_disclose_presence=key == "hidden",
            ),
            shelter_id=shelters[path[0]].id,
        )
        taken = sum(1 for other in residents if PEOPLE[other][1][0] == path[0])
        bed = network.beds_of(shelters[path[0]])[taken]
        await check_in(hand, resident.id, bed.id, at=now() - timedelta(days=10))
        residents[key] = resident
    day = tomorrow()
    desk = {"A": members[STAFF], "B": members[STAFF_B]}
    appointments: dict[str, int] = {}
    for number, (key, plan) in enumerate(APPOINTMENTS.items()):
        at = local(day, plan.hour) if plan.hour else local(day, 20) + timedelta(minutes=40 * number)
        row = await book(
            desk[plan.shelter], residents[plan.resident].id, members[plan.provider], at
        )
        appointments[key] = row.id
    sessions: dict[str, int] = {}
    for number, (key, session) in enumerate(SESSIONS.items()):
        at = local(day, session.hour) if session.hour is not None else local(day, 19, 5 * number)
        sessions[key] = await book_session(
            members[STAFF],
            members[session.counsellor],
            [residents[r].id for r in session.residents],
            at,
            minutes=5,
            kind=session.kind,
        )
    # Time runs on: some bookings are now in the past, and get done.
    for key, hours in PAST_HOURS.items():
        await _shift(MedicalAppointment, appointments[key], hours)
    for key, (findings, notes) in FINDINGS.items():
        await record_visit(
            members[MEDICAL].viewer,
            appointments[key],
            Visit(findings, notes, referred_to_hospital=True, hospital="City Hospital No. 1"),
        )
    for key, hours in SESSION_PAST_HOURS.items():
        await _shift(CounsellingSession, sessions[key], hours)
    for key, session in SESSIONS.items():
        if session.notes:
            await record_session(
                members[session.counsellor].viewer,
                sessions[key],
                attended_ids={residents[session.residents[0]].id},
                notes=session.notes,
            )
    # The person who moved goes on to B.
    stay = await check_in_stay(residents["moved"])
    await transfer(hand, stay, network.beds_of(shelters["B"])[1].id)
    return World(
        gql=gql,
        members=members,
        shelters={key: shelter.id for key, shelter in shelters.items()},
        residents=residents,
        appointments=appointments,
        sessions=sessions,
    )


async def check_in_stay(resident: Resident) -> int:
    stay = await Stay.get(resident_id=resident.id, checked_out_at=None)
    return stay.id


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    settings = Settings(
        database_url=database_url,
        environment="test",
        database_pool_size=20,
        data_key=DATA_KEY,
        login_delay_seconds=0.0,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
            await empty_tables()
            yield await seed(GraphQLClient(http))


# --- what came back ------------------------------------------------------------------------------


def refusals(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return sorted(
        ((error.get("extensions") or {}).get("code", "?"), tuple(error.get("path") or ()))
        for error in body.get("errors") or []
    )


def ok(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def unauthenticated(body: dict[str, Any], root: str) -> None:
    assert refusals(body) == [("UNAUTHENTICATED", (root,))], body
    assert (body.get("data") or {}).get(root) is None


def cells(*axes: list[str]) -> list[Any]:
    return [(a, b) for a in axes[0] for b in axes[1]]


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    assert connection["totalCount"] == len(connection["edges"]), connection
    return [edge["node"] for edge in connection["edges"]]


# --- appointments --------------------------------------------------------------------------------


def expected_appointment(world: World, key: str) -> dict[str, Any]:
    plan = APPOINTMENTS[key]
    return {
        "id": world.id("MedicalAppointment", key),
        "kind": "GENERAL",
        "status": plan.status,
        "place": "Clinic No. 4",
        "resident": {"code": world.code(plan.resident)},
        "provider": {"username": f"care-{plan.provider}"},
    }


def start_order(world: World, keys: list[str]) -> list[str]:
    return sorted(keys, key=list(APPOINTMENTS).index)


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["all", "A", "B", "C"]))
async def test_appointments_schedule(world: World, viewer: str, shelter: str) -> None:
    # given appointments in A and B (one of the person who moved from A to B, booked in A)
    variables = {} if shelter == "all" else {"shelter": world.id("Shelter", shelter)}

    # when the viewer asks for the schedule, of everywhere or of one shelter
    body = await world.ask(viewer, APPOINTMENTS_LIST, variables)

    # then the shelter roles of the resident's shelters see them (a shelter's: only their own
    # shelter's); network roles none
    if viewer == ANONYMOUS:
        unauthenticated(body, "appointments")
        return
    expected = [
        key
        for key, plan in APPOINTMENTS.items()
        if viewer in plan.seen_by
        and (shelter == "all" or (plan.shelter == shelter and viewer in ACCESS_OF[shelter]))
    ]
    got = nodes(ok(body)["appointments"])
    assert [node["id"] for node in got] == [world.id("MedicalAppointment", k) for k in expected]
    assert got == [expected_appointment(world, key) for key in expected]


ACCESS_OF = {"A": OF_A, "B": OF_B, "C": NOBODY}


@pytest.mark.parametrize(("viewer", "key"), cells(VIEWERS, list(APPOINTMENTS)))
async def test_appointment_node_shelter_provider_and_history(
    world: World, viewer: str, key: str
) -> None:
    # given an appointment
    plan = APPOINTMENTS[key]

    # when the viewer asks for it by node(id:)
    body = await world.ask(viewer, APPOINTMENT_NODE, {"id": world.id("MedicalAppointment", key)})

    # then who sees it gets its shelter (null if not theirs), provider and history; others null
    if viewer == ANONYMOUS:
        unauthenticated(body, "node")
        return
    if viewer not in plan.seen_by:
        assert ok(body) == {"node": None}
        return
    desk = "care-staff" if plan.shelter == "A" else "care-staff-b"
    history = [{"status": "SCHEDULED", "by": {"username": desk}}]
    if plan.status == "COMPLETED":
        history.append({"status": "COMPLETED", "by": {"username": "care-medical"}})
    assert ok(body)["node"] == {
        "id": world.id("MedicalAppointment", key),
        "status": plan.status,
        "shelter": (
            {"name": f"Shelter {'ABC'.index(plan.shelter)}"}
            if viewer in ACCESS_OF[plan.shelter]
            else None
        ),
        "provider": {"username": f"care-{plan.provider}"},
        "history": history,
    }


@pytest.mark.parametrize(("viewer", "key"), cells(VIEWERS, list(FINDINGS)))
async def test_visit_findings_and_notes(world: World, viewer: str, key: str) -> None:
    # given a completed appointment with its visit
    plan = APPOINTMENTS[key]
    findings, notes = FINDINGS[key]
    reads_before = await AuditEvent.filter(action="read_visit").count()

    # when the viewer asks for the visit
    body = await world.ask(viewer, VISIT, {"id": world.id("MedicalAppointment", key)})

    # then medical volunteers of the resident's shelters read everything (audited); other
    # shelter roles who see it get the referral, and null with FORBIDDEN for findings and notes
    reads = await AuditEvent.filter(action="read_visit").count() - reads_before
    if viewer == ANONYMOUS:
        unauthenticated(body, "node")
        return
    if viewer not in plan.seen_by:
        assert ok(body) == {"node": None}
        assert reads == 0
        return
    readable = viewer in FINDINGS_READ_BY[key]
    assert body["data"]["node"] == {
        "visit": {
            "referredToHospital": True,
            "hospital": "City Hospital No. 1",
            "findings": findings if readable else None,
            "notes": notes if readable else None,
            "recordedBy": {"username": "care-medical"},
        }
    }
    forbidden = [("FORBIDDEN", ("node", "visit", name)) for name in ("findings", "notes")]
    assert refusals(body) == ([] if readable else forbidden)
    assert reads == (1 if readable else 0)


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, list(PEOPLE)))
async def test_resident_appointments_and_sessions(world: World, viewer: str, resident: str) -> None:
    # given a resident with appointments and sessions
    # when the viewer asks for them on the resident
    body = await world.ask(viewer, RESIDENT_CARE, {"id": world.id("Resident", resident)})

    # then the shelter roles who see the person get them; network roles see the person (not
    # hidden ones) but no appointment or session at all
    if viewer == ANONYMOUS:
        unauthenticated(body, "resident")
        return
    seen = PEOPLE[resident][2] | (NETWORK if resident != "hidden" else NOBODY)
    if viewer not in seen:
        assert ok(body) == {"resident": None}
        return
    appointments = [
        {"id": world.id("MedicalAppointment", key), "status": plan.status}
        for key, plan in APPOINTMENTS.items()
        if plan.resident == resident and viewer in plan.seen_by
    ]
    sessions = [
        {"id": world.id("CounsellingSession", key), "status": session.status}
        for key, session in SESSIONS.items()
        if resident in session.residents and viewer in session.seen_by
    ]
    assert ok(body)["resident"] == {
        "code": world.code(resident),
        "appointments": appointments,
        "counsellingSessions": sessions,
    }
    if viewer in NETWORK:
        assert appointments == sessions == []


# --- sessions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_sessions_schedule(world: World, viewer: str) -> None:
    body = await world.ask(viewer, SESSIONS_LIST)

    if viewer == ANONYMOUS:
        unauthenticated(body, "counsellingSessions")
        return
    expected = [
        {
            "id": world.id("CounsellingSession", key),
            "kind": session.kind.name,
            "status": session.status,
            "counsellor": {"username": f"care-{session.counsellor}"},
        }
        for key, session in SESSIONS.items()
        if viewer in session.seen_by
    ]
    assert nodes(ok(body)["counsellingSessions"]) == expected


@pytest.mark.parametrize(("viewer", "key"), cells(VIEWERS, list(SESSIONS)))
async def test_session_node_and_participants(world: World, viewer: str, key: str) -> None:
    session = SESSIONS[key]

    body = await world.ask(viewer, SESSION_NODE, {"id": world.id("CounsellingSession", key)})

    if viewer == ANONYMOUS:
        unauthenticated(body, "node")
        return
    if viewer not in session.seen_by:
        assert ok(body) == {"node": None}
        return
    assert ok(body)["node"] == {
        "id": world.id("CounsellingSession", key),
        "status": session.status,
        "shelter": {"name": "Shelter 0"} if viewer in OF_A else None,
        "participants": [
            {"resident": {"code": world.code(resident)}}
            for resident in session.residents
            if viewer in PEOPLE[resident][2]
        ],
    }


@pytest.mark.parametrize(("viewer", "key"), cells(VIEWERS, list(SESSIONS)))
async def test_session_notes(world: World, viewer: str, key: str) -> None:
    # given a session, recorded with notes or not yet
    session = SESSIONS[key]
    reads_before = await AuditEvent.filter(action="read_session_notes").count()

    # when the viewer asks for its notes
    body = await world.ask(viewer, SESSION_NOTES, {"id": world.id("CounsellingSession", key)})

    # then its author reads them (each read audited, per participant); anyone else who sees
    # the session gets null with FORBIDDEN; network roles no session
    reads = await AuditEvent.filter(action="read_session_notes").count() - reads_before
    if viewer == ANONYMOUS:
        unauthenticated(body, "node")
        return
    if viewer not in session.seen_by:
        assert ok(body) == {"node": None}
        return
    node = {"id": world.id("CounsellingSession", key)}
    if viewer in session.notes_read_by:
        assert ok(body)["node"] == {**node, "notes": session.notes}
        assert reads == (len(session.residents) if session.notes else 0)
    else:
        assert body["data"]["node"] == {**node, "notes": None}
        assert refusals(body) == [("FORBIDDEN", ("node", "notes"))]
        assert reads == 0


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B", "C"]))
async def test_care_workers_of_a_shelter(world: World, viewer: str, shelter: str) -> None:
    body = await world.ask(viewer, CARE_WORKERS, {"shelter": world.id("Shelter", shelter)})

    if viewer == ANONYMOUS:
        unauthenticated(body, "careWorkers")
        return
    workers = sorted(ACCESS_OF[shelter] - {STAFF, STAFF_B})
    expected = [{"username": f"care-{w}", "role": ACCOUNTS[w][0].name} for w in workers]
    got = sorted(ok(body)["careWorkers"], key=lambda user: user["username"])
    assert got == (expected if viewer in ACCESS_OF[shelter] else [])


# --- writes --------------------------------------------------------------------------------------

#: Every table a care mutation writes to, children first.
CARE_TABLES: tuple[type[Model], ...] = (
    MedicalVisit,
    AppointmentStatusChange,
    CounsellingParticipant,
    MedicalAppointment,
    CounsellingSession,
)


#: The migration that made the status triggers (its number changes as migrations are added).
care_invariants = importlib.import_module(
    "server.migrations." + next(path.stem for path in MIGRATIONS.glob("*_care_invariants.py"))
)
STATUS_TRIGGERS = tuple(care_invariants.STATUS_ONCE)


async def snapshot() -> dict[str, dict[int, dict[str, Any]]]:
    return {
        model.__name__: {row["id"]: row for row in await model.all().order_by("id").values()}
        for model in CARE_TABLES
    }


async def put_back(before: dict[str, dict[int, dict[str, Any]]]) -> None:
    """The care tables as ``before``: rows added since deleted, rows changed set back (past
    the database's rule that only a scheduled booking changes status, which a test may undo)."""
    after = await snapshot()
    async with in_transaction() as connection:
        sqlite = connection.capabilities.dialect == "sqlite"
        if sqlite:
            for name in STATUS_TRIGGERS:
                await connection.execute_script(f"DROP TRIGGER {name}")
        else:
            await connection.execute_script("SET LOCAL session_replication_role = replica")
        for model in CARE_TABLES:
            await model.exclude(id__in=list(before[model.__name__])).using_db(connection).delete()
        for model in CARE_TABLES:
            for row_id, row in before[model.__name__].items():
                now_row = after[model.__name__][row_id]
                changed = {key: value for key, value in row.items() if now_row[key] != value}
                if changed:
                    await model.filter(id=row_id).using_db(connection).update(**changed)
        if sqlite:
            for statement in care_invariants.statements("sqlite"):
                if any(f"TRIGGER {name} " in statement for name in STATUS_TRIGGERS):
                    await connection.execute_script(statement)


@pytest_asyncio.fixture(loop_scope="module")
async def writable(world: World) -> AsyncIterator[World]:
    before = await snapshot()
    yield world
    await put_back(before)
    assert await snapshot() == before


@dataclass(frozen=True)
class Attempt:
    name: str
    document: str
    variables: Callable[[World], dict[str, Any]]
    root: str
    result: str
    allowed: frozenset[str]
    #: Viewers refused as if the target did not exist (they do not see it).
    not_found: frozenset[str] = NOBODY
    #: What the allowed see in the payload.
    expect: Callable[[World], Any] = lambda world: None


def _schedule(world: World) -> dict[str, Any]:
    return {
        "input": {
            "resident": world.id("Resident", "in_a"),
            "provider": world.members[MEDICAL].id,
            "kind": "DENTAL",
            "startsAt": local(tomorrow(), 13).isoformat(),
            "durationMinutes": 30,
        }
    }


def _session(world: World) -> dict[str, Any]:
    return {
        "input": {
            "kind": "PSYCHOLOGICAL",
            "counsellor": world.members[COUNSELLOR].id,
            "residents": [world.id("Resident", "in_a")],
            "startsAt": local(tomorrow(), 17).isoformat(),
            "durationMinutes": 50,
        }
    }


def _target(kind: str, key: str, **more: Any) -> Callable[[World], dict[str, Any]]:
    field = "appointment" if kind == "MedicalAppointment" else "session"
    return lambda world: {"input": {field: world.id(kind, key), **more}}


STAFF_OR_MEDIC_OF_A = frozenset({STAFF, MEDICAL})
ATTEMPTS = [
    Attempt(
        "appointmentSchedule",
        "mutation ($input: AppointmentScheduleInput!) { appointmentSchedule(input: $input) "
        "{ appointment { kind status } errors { code } } }",
        _schedule,
        "appointmentSchedule",
        "appointment",
        allowed=STAFF_OR_MEDIC_OF_A,
        not_found=OF_B,
        expect=lambda world: {"kind": "DENTAL", "status": "SCHEDULED"},
    ),
    Attempt(
        "appointmentCancel",
        "mutation ($input: AppointmentCancelInput!) { appointmentCancel(input: $input) "
        "{ appointment { status } errors { code } } }",
        _target("MedicalAppointment", "a_next", reason="Unwell"),
        "appointmentCancel",
        "appointment",
        allowed=STAFF_OR_MEDIC_OF_A,
        not_found=OF_B,
        expect=lambda world: {"status": "CANCELLED"},
    ),
    Attempt(
        "appointmentCancel of the person now in B, booked in A",
        "mutation ($input: AppointmentCancelInput!) { appointmentCancel(input: $input) "
        "{ appointment { status } errors { code } } }",
        _target("MedicalAppointment", "moved_next"),
        "appointmentCancel",
        "appointment",
        allowed=STAFF_OR_MEDIC_OF_A,
        expect=lambda world: {"status": "CANCELLED"},
    ),
    Attempt(
        "appointmentMarkNoShow",
        "mutation ($input: AppointmentMarkNoShowInput!) { appointmentMarkNoShow(input: $input) "
        "{ appointment { status } errors { code } } }",
        _target("MedicalAppointment", "a_due"),
        "appointmentMarkNoShow",
        "appointment",
        allowed=STAFF_OR_MEDIC_OF_A,
        not_found=OF_B,
        expect=lambda world: {"status": "NO_SHOW"},
    ),
    Attempt(
        "visitRecord",
        "mutation ($input: VisitRecordInput!) { visitRecord(input: $input) "
        "{ appointment { status visit { findings } } errors { code } } }",
        _target("MedicalAppointment", "a_due", findings="Healthy"),
        "visitRecord",
        "appointment",
        allowed=frozenset({MEDICAL}),
        not_found=frozenset({MEDICAL_B}),
        expect=lambda world: {"status": "COMPLETED", "visit": {"findings": "Healthy"}},
    ),
    Attempt(
        "counsellingSessionSchedule",
        "mutation ($input: CounsellingSessionScheduleInput!) { counsellingSessionSchedule("
        "input: $input) { session { kind status } errors { code } } }",
        _session,
        "counsellingSessionSchedule",
        "session",
        allowed=frozenset({STAFF, COUNSELLOR}),
        not_found=frozenset({STAFF_B}),
        expect=lambda world: {"kind": "PSYCHOLOGICAL", "status": "SCHEDULED"},
    ),
    Attempt(
        "counsellingSessionRecord",
        "mutation ($input: CounsellingSessionRecordInput!) { counsellingSessionRecord("
        "input: $input) { session { status notes } errors { code } } }",
        lambda world: {
            "input": {
                "session": world.id("CounsellingSession", "s_due"),
                "attended": [world.id("Resident", "hidden")],
                "notes": "Calmer today",
            }
        },
        "counsellingSessionRecord",
        "session",
        allowed=frozenset({COUNSELLOR}),
        expect=lambda world: {"status": "RECORDED", "notes": "Calmer today"},
    ),
    Attempt(
        "counsellingSessionCancel",
        "mutation ($input: CounsellingSessionCancelInput!) { counsellingSessionCancel("
        "input: $input) { session { status } errors { code } } }",
        _target("CounsellingSession", "s_next"),
        "counsellingSessionCancel",
        "session",
        allowed=frozenset({STAFF, COUNSELLOR}),
        not_found=frozenset({STAFF_B}),
        expect=lambda world: {"status": "CANCELLED"},
    ),
]


@pytest.mark.parametrize(
    ("attempt", "viewer"),
    [pytest.param(a, v, id=f"{a.name}-{v}") for a in ATTEMPTS for v in VIEWERS],
)
async def test_mutation(writable: World, attempt: Attempt, viewer: str) -> None:
    world = writable
    before = await snapshot()

    # when the viewer tries it
    body = await world.ask(viewer, attempt.document, attempt.variables(world))

    # then only the allowed succeed; anyone else is refused and nothing is written
    payload = ok(body)[attempt.root]
    if viewer in attempt.allowed:
        assert payload == {attempt.result: attempt.expect(world), "errors": []}
        assert await snapshot() != before
        return
    code = (
        "UNAUTHENTICATED"
        if viewer == ANONYMOUS
        else "NOT_FOUND"
        if viewer in attempt.not_found
        else "FORBIDDEN"
    )
    assert payload == {attempt.result: None, "errors": [{"code": code}]}
    assert await snapshot() == before
