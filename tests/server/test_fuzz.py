"""No request makes the server fail.

Three fuzzers, each over every query and mutation of the schema:

* Schemathesis (``test_no_operation_makes_the_server_fail``). ``fuzzed_api`` empties the tables
  and seeds a small network through the domain functions: regions, shelters, rooms and beds;
  residents in a shelter, moved within and between shelters, checked out, never checked in; a bed
  out of service, a bed held. It then loads the schema by introspection from the app, in process
  (``schemathesis.graphql.from_asgi``). Schemathesis' ASGI client runs the app's lifespan, which
  opens the database, on its own event-loop thread and serves every request there; its pytest
  plugin ends that lifespan, closing Tortoise, when the test tears down. Schemathesis writes one
  query or mutation per root field with literal arguments, positive and negative. Dictionaries put
  the seeded rows' IDs and cursors, and names to search for, into the arguments that take them, 60 %
  of the time, so cases reach real rows; otherwise the values are schemathesis' own (any text,
  NUL included) or IDs and cursors that are well formed but wrong. Each root field is a sub-test
  (all reported as ``[POST /graphql]``; a failure shows the query).
* Variables (``test_variables_never_make_the_server_fail``): the same operations with their
  values sent as JSON variables, which take another path (JSON decoding, ``parse_value``) and can
  carry what a literal cannot, such as a lone surrogate.
* Malformed HTTP requests (``test_malformed_requests_are_refused_not_failed``): bodies that are
  not a GraphQL request, limits exceeded, wrong methods and content types.

Every response must have a status below 500 and no stack trace in its body, and no error but the
API's own refusals. Strawberry logs each error of a response with the exception behind it: one
raised while resolving that is not a ``DomainError`` (what production would mask as an unexpected
error) is a server error. Schemathesis also checks each response keeps the schema's promises
(``response_schema_conformance``: valid JSON, no null in a non-null field).

    HAVEN_FUZZ_EXAMPLES=300 pytest tests/server/test_fuzz.py     # a longer hunt
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, NamedTuple

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.graphql import nodes
from starlette.testclient import TestClient

from server.app import create_app
from server.database import open_database
from server.domain.accounts import authenticate
from server.domain.beds import set_bed_status
from server.domain.clock import now
from server.domain.counselling import SessionBooking, record_session, schedule_session
from server.domain.errors import DomainError
from server.domain.holds import HoldRequest, hold_bed, release_hold
from server.domain.meals import MealCount, record_meal
from server.domain.medical import Booking, Visit, record_visit, schedule_appointment
from server.domain.notes import write_note
from server.domain.referrals import NewReferral, refer
from server.domain.service_progress import add_hearing, advance_stage
from server.domain.services import ServiceEntry, log_service
from server.domain.stays import check_in, check_out, transfer
from server.domain.timeline import SOURCES, Position
from server.models import (
    AppointmentKind,
    BedHold,
    CounsellingSession,
    DocumentStage,
    DocumentType,
    ExitDestination,
    Meal,
    MealRecord,
    MedicalAppointment,
    NoteKind,
    PartnerKind,
    Referral,
    ReferralDirection,
    Role,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
    SessionFormat,
    SessionKind,
    Stay,
    User,
)
from server.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, sdl
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import empty_tables, sign_in
from tests.server.fuzz_stock import (
    STOCK_BINDINGS,
    STOCK_NODE_TYPES,
    seed_stock,
    stock_variable_cases,
)
from tests.server.network import BEDS_SINCE, build_network, new_resident, staff

#: Cases per operation, for schemathesis and for variables (failures replay from .hypothesis/).
MAX_EXAMPLES = int(os.environ.get("HAVEN_FUZZ_EXAMPLES", "40"))

#: How often schemathesis gives an argument taking an ID, a cursor or a search a seeded value.
SEEDED = 0.6

NODE_TYPES = (
    "Region",
    "Shelter",
    "Room",
    "Bed",
    "Resident",
    "Stay",
    "User",
    "Referral",
    "ServiceRecord",
    "MealRecord",
    "BedHold",
    "MedicalAppointment",
    "CounsellingSession",
    *STOCK_NODE_TYPES,
)

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        # The seeded app is made once per test and shared by its examples, on purpose.
        HealthCheck.function_scoped_fixture,
    ],
)


# --- values --------------------------------------------------------------------------------------


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def cursor(row_id: int) -> str:
    """A row's cursor, as the API writes it (``server.schema.relay``)."""
    return _b64(f"cursor:{row_id}")


def odd_ids(type_name: str) -> list[str]:
    """IDs naming no row: well formed but out of range or of another type, a node part that is
    not a plain number, or not an ID at all."""
    return [
        encode_id(type_name, "0"),
        encode_id(type_name, "-1"),
        encode_id(type_name, str(2**31)),
        encode_id(type_name, "99999999999"),
        encode_id(type_name, "1.5"),
        encode_id(type_name, "²"),
        encode_id(type_name, "١"),
        encode_id(type_name, ""),
        encode_id(type_name, "1\x00"),
        encode_id("Nope", "1"),
        _b64(type_name),
        _b64("cursor:1"),
        base64.b64encode(b"\xff\xfe:1").decode(),
        "1",
        "",
        " ",
        "\x00",
        "é",
        "!!!",
    ]


def odd_cursors() -> list[str]:
    return [
        _b64("cursor:0"),
        _b64("cursor:-1"),
        _b64("cursor:99999999999"),
        _b64("cursor:²"),
        _b64("cursor:"),
        _b64("cursor:1\x00"),
        _b64("Bed:1"),
        base64.b64encode(b"\xff\xfe").decode(),
        "Y3Vyc29yOjE",  # unpadded
        "====",
        "",
        "é",
        "\x00",
    ]


ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=5)),
        timezone(timedelta(hours=-12)),
        timezone(timedelta(hours=14)),
    ]
)

#: Instants at the ends of the calendar and of the clock, or not quite right.
EDGE_INSTANTS = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-12:00",
    "9999-12-31T23:59:59.999999-12:00",
    "9999-12-31T23:59:59.999999+14:00",
    "1970-01-01T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "2025-01-01T00:00:00",
]


def instants() -> st.SearchStrategy[str]:
    """DateTime text: mostly around the seeded history and now, in several offsets; also naive,
    at the ends of the calendar, anywhen, or not a date at all."""
    recent = st.datetimes(
        min_value=datetime(2024, 12, 1), max_value=datetime(2027, 1, 1), timezones=ZONES
    )
    extreme = st.datetimes(max_value=datetime(1, 1, 2), timezones=ZONES) | st.datetimes(
        min_value=datetime(9999, 12, 30), timezones=ZONES
    )
    anywhen = st.datetimes(timezones=st.none() | ZONES)
    return st.one_of(
        recent.map(datetime.isoformat),
        extreme.map(datetime.isoformat),
        st.sampled_from(EDGE_INSTANTS),
        anywhen.map(datetime.isoformat),
        st.builds(lambda: now().isoformat()),
        st.text(max_size=30),
    )


def days() -> st.SearchStrategy[str]:
    recent = st.dates(min_value=date(2024, 12, 1), max_value=date(2027, 1, 1))
    return st.one_of(
        recent.map(date.isoformat), st.dates().map(date.isoformat), st.text(max_size=12)
    )


# The app's own scalars; schemathesis has strategies for the built-in ones (ID, String, Int, ...).
# Registered for the process: nothing else here runs schemathesis.
schemathesis.graphql.scalar("DateTime", instants().map(nodes.String))
schemathesis.graphql.scalar("Date", days().map(nodes.String))

#: Characters that break servers: NUL, lone surrogates (a JSON string may escape them:
#: "\ud800"), digits int() refuses, non-ASCII where ASCII is expected, line separators, BOM.
ODD_CHARACTERS = ["\x00", "\ud800", "\udfff", "²", "١", "é", "\u2028", "\ufeff", "\n", "%", "'"]

#: Any text: any code point, surrogates included, and the odd ones above often. (Joined from a
#: list: ``st.text`` over this alphabet never draws a surrogate.)
ANY_TEXT = st.lists(
    st.characters(codec=None, exclude_categories=()) | st.sampled_from(ODD_CHARACTERS),
    max_size=40,
).map("".join)

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3)
    ),
    max_leaves=6,
)


def mostly(valid: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The valid value four times in five, else the odd one."""
    return st.integers(0, 4).flatmap(lambda n: odd if n == 0 else valid)


def loose(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The expected shape nine times in ten, else any JSON value."""
    return st.integers(0, 9).flatmap(lambda n: ANY_JSON if n == 0 else strategy)


def text_or(*values: str) -> st.SearchStrategy[str]:
    """One of ``values`` or any text, half and half."""
    return st.sampled_from(values) | ANY_TEXT


# --- the seeded network --------------------------------------------------------------------------


@dataclass
class Seed:
    ids: dict[str, list[str]] = field(default_factory=dict)
    cursors: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    #: A signed-in session for each role, by role.
    tokens: dict[Role, str] = field(default_factory=dict)
    #: Every resident's given and family name, which no network role may ever be shown.
    names: list[str] = field(default_factory=list)

    def headers(self, role: Role) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}

    def ids_of(self, type_name: str) -> list[str]:
        """The seeded rows' IDs and odd ones."""
        return [*self.ids[type_name], *odd_ids(type_name)]

    def any_ids(self) -> list[str]:
        return [*(value for values in self.ids.values() for value in values), *odd_ids("Bed")]


async def seed_network(settings: Settings) -> Seed:
    """Empty tables, then a network with every kind of bed and stay the API can show."""
    async with open_database(settings):
        await empty_tables()
        network = await build_network(shelters=3, rooms_per_shelter=2, beds_per_room=3, regions=2)
        beds = network.beds
        residents = [
            await new_resident(given, family)
            for given, family in [
                ("Dilnoza", "Karimova"),
                ("Gulnora", "Tosheva"),
                ("Aziz", "Rahimov"),
                ("Malika", "Yusupova"),
                ("Timur", "Saidov"),
                ("Zarina", "O'Neil"),
            ]
        ]
        hand = await staff()
        # In a shelter since a back-dated check-in.
        await check_in(hand, residents[0].id, beds[0].id, at=BEDS_SINCE + timedelta(days=10))
        # Moved within a shelter: one stay, two beds.
        moved = await check_in(hand, residents[1].id, beds[1].id, at=now() - timedelta(days=3))
        await transfer(hand, moved.id, beds[2].id, at=now() - timedelta(days=1))
        # Moved to another shelter: a stay ended, a new one begun.
        first = await check_in(hand, residents[2].id, beds[6].id, at=now() - timedelta(days=5))
        await transfer(hand, first.id, beds[12].id)
        # Left.
        left = await check_in(hand, residents[3].id, beds[3].id, at=now() - timedelta(days=20))
        await check_out(hand, left.id, ExitDestination.RETURNED_HOME, at=now() - timedelta(days=2))
        # Residents 4 and 5 never came in. One bed is out of service, one held.
        await set_bed_status(hand, beds[7].id, in_service=False, reason="Broken frame")
        await BedHold.create(
            bed=beds[13],
            reason="Referral from the hotline",
            started_at=now() - timedelta(hours=1),
            expires_at=now() + timedelta(days=1),
        )
        # realtime: a hold naming a resident, one called off, one expired but not yet swept.
        soon = now() + timedelta(hours=6)
        await hold_bed(
            hand,
            beds[14].id,
            HoldRequest("Police", soon, now() + timedelta(hours=1), residents[4].id),
        )
        await release_hold(hand, (await hold_bed(hand, beds[15].id, HoldRequest("x", soon))).id)
        await BedHold.create(
            bed=beds[16],
            reason="No-show",
            started_at=now() - timedelta(hours=3),
            expires_at=now() - timedelta(hours=1),
        )

        # One person per role; the shelter roles work in the first two shelters.
        tokens: dict[Role, str] = {}
        for role in Role:
            shelters = [] if role in (Role.ADMIN, Role.COORDINATOR) else network.shelters[:2]
            tokens[role] = await sign_in(role, shelters)
        for role, kind in (
            (Role.MEDICAL, NoteKind.MEDICAL),
            (Role.COUNSELLOR, NoteKind.COUNSELLING),
            (Role.LEGAL, NoteKind.LEGAL),
        ):
            author = await authenticate(tokens[role], client="fuzz", settings=settings)
            await write_note(
                author, resident_id=residents[0].id, kind=kind, text=f"{kind.value} note"
            )
        await refer(
            hand,
            NewReferral(
                resident_id=residents[0].id,
                direction=ReferralDirection.OUTGOING,
                partner=PartnerKind.HOSPITAL,
                organisation="City hospital",
            ),
        )
        # Services: a court case with a hearing, a document restoration under way, a return
        # home completed; and lunch counted today.
        court = await log_service(
            hand,
            ServiceEntry(
                residents[0].id, ServiceKind.COURT_REPRESENTATION, status=ServiceStatus.IN_PROGRESS
            ),
            at=now() - timedelta(days=4),
        )
        await add_hearing(
            hand, court.id, on=(now() - timedelta(days=2)).date(), outcome="Adjourned"
        )
        papers = await log_service(
            hand,
            ServiceEntry(
                residents[1].id,
                ServiceKind.DOCUMENT_RESTORATION,
                document_type=DocumentType.PASSPORT,
            ),
        )
        await advance_stage(hand, papers.id, DocumentStage.APPLICATION_FILED)
        await log_service(
            hand,
            ServiceEntry(residents[3].id, ServiceKind.RETURN_HOME, status=ServiceStatus.COMPLETED),
        )
        await record_meal(
            hand, network.shelters[0].id, now().date(), Meal.LUNCH, MealCount(served=4, halal=2)
        )
        await seed_care(settings, tokens, [resident.id for resident in residents])
        users = await User.all()

        rows: dict[str, list[Any]] = {
            "User": users,
            "Region": network.regions,
            "Shelter": network.shelters,
            "Room": network.rooms,
            "Bed": beds,
            "Resident": residents,
            "Stay": await Stay.all(),
            "Referral": await Referral.all(),
            "ServiceRecord": await ServiceRecord.all(),
            "MealRecord": await MealRecord.all(),
            "MedicalAppointment": await MedicalAppointment.all(),
            "CounsellingSession": await CounsellingSession.all(),
            "BedHold": await BedHold.all(),
            **await seed_stock(network.shelters, residents),
        }
        return Seed(
            tokens=tokens,
            names=[name for row in residents for name in (row.given_name, row.family_name)],
            ids={name: [encode_id(name, row.id) for row in found] for name, found in rows.items()},
            cursors=[cursor(row.id) for found in rows.values() for row in found],
            words=[
                *(row.code for row in residents),
                *(row.given_name for row in residents),
                "karimova",
                "HV-",
                "Dilnoza Karimova",
                "%",
                "_",
                "\\",
                "'",
                "  ",
                "Dil\x00noza",
                "x" * 101,
            ],
        )


async def seed_care(settings: Settings, tokens: dict[Role, str], residents: list[int]) -> None:
    """An appointment done (with its visit) and one tomorrow; a group session recorded (with
    notes) and one tomorrow: every state the care operations act on."""
    desk, medic, counsellor = [
        await authenticate(tokens[role], client="fuzz", settings=settings)
        for role in (Role.SHELTER_STAFF, Role.MEDICAL, Role.COUNSELLOR)
    ]
    assert medic.user_id is not None and counsellor.user_id is not None
    tomorrow = now() + timedelta(days=1)
    done = await schedule_appointment(
        desk, Booking(residents[0], medic.user_id, AppointmentKind.GENERAL, now(), 30, "Clinic")
    )
    await record_visit(medic, done.id, Visit(findings="Healthy", notes="Fuzz notes"))
    await schedule_appointment(
        desk, Booking(residents[0], medic.user_id, AppointmentKind.DENTAL, tomorrow, 30)
    )
    group = (residents[1], residents[4])
    held = await schedule_session(
        desk,
        SessionBooking(
            SessionKind.SOCIAL, counsellor.user_id, group, now(), 50, SessionFormat.GROUP, "uz"
        ),
    )
    await record_session(counsellor, held.id, attended_ids={residents[1]}, notes="Fuzz notes")
    await schedule_session(
        counsellor,
        SessionBooking(
            SessionKind.PSYCHOLOGICAL,
            counsellor.user_id,
            (residents[0],),
            tomorrow + timedelta(hours=1),
            50,
        ),
    )


# --- what the server did -------------------------------------------------------------------------


class ExecutionErrors(logging.Handler):
    """The errors Strawberry logs for each response, with the exception behind each."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: list[graphql.GraphQLError] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, graphql.GraphQLError):
            self.errors.append(record.msg)

    def crashes(self) -> list[graphql.GraphQLError]:
        """Errors from an exception, raised while resolving, that is not a refusal."""
        return [
            error
            for error in self.errors
            if error.path is not None
            and error.original_error is not None
            and not isinstance(error.original_error, DomainError | graphql.GraphQLError)
        ]


@pytest.fixture
def execution_errors() -> Iterator[ExecutionErrors]:
    handler = ExecutionErrors()
    logger = logging.getLogger("strawberry.execution")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def describe(error: graphql.GraphQLError) -> str:
    """The exception, where it was raised and for which field."""
    original = error.original_error
    trace = original.__traceback__ if original is not None else None
    where = ""
    if trace is not None:
        while trace.tb_next is not None:
            trace = trace.tb_next
        where = f" at {trace.tb_frame.f_code.co_filename}:{trace.tb_lineno}"
    return f"{type(original).__name__}: {error.message} (path {error.path}){where}"


def assert_no_server_error(status: int, text: str, errors: ExecutionErrors, request: str) -> None:
    assert status < 500, f"{status} for\n{request}\n{text}"
    assert "Traceback" not in text and 'File "' not in text, f"stack trace for\n{request}\n{text}"
    crashes = errors.crashes()
    assert not crashes, f"server error for\n{request}\n" + "\n".join(map(describe, crashes))


def schema_operations() -> set[str]:
    """``Query.regions``, ``Mutation.checkIn``, ...: every root field of the schema."""
    schema = graphql.build_schema(sdl())
    assert schema.query_type is not None and schema.mutation_type is not None
    return {f"Query.{name}" for name in schema.query_type.fields} | {
        f"Mutation.{name}" for name in schema.mutation_type.fields
    }


# --- schemathesis --------------------------------------------------------------------------------


def fuzz_config(seed: Seed) -> SchemathesisConfig:
    """Dictionaries binding each ID, cursor and search argument to seeded and odd values."""
    dictionaries: dict[str, Any] = {
        f"{name.lower()}-ids": {"values": seed.ids_of(name)} for name in NODE_TYPES
    }
    dictionaries["any-ids"] = {"values": seed.any_ids()}
    dictionaries["cursors"] = {"values": [*seed.cursors, *odd_cursors()]}
    dictionaries["words"] = {"values": seed.words}
    bindings = {
        "Query.shelters.region": "region-ids",
        "Query.shelters.after": "cursors",
        "Query.shelter.id": "shelter-ids",
        "Query.availableBeds.shelter": "shelter-ids",
        "Query.availableBeds.region": "region-ids",
        "Query.availableBeds.after": "cursors",
        "Query.occupancy.region": "region-ids",
        "Query.occupancy.shelter": "shelter-ids",
        "Query.residents.after": "cursors",
        "Query.residents.search": "words",
        "Query.residents.shelter": "shelter-ids",
        "Query.resident.id": "resident-ids",
        "Query.node.id": "any-ids",
        "Mutation.bedSetStatus.input.bed": "bed-ids",
        "Mutation.checkIn.input.resident": "resident-ids",
        "Mutation.checkIn.input.bed": "bed-ids",
        "Mutation.checkOut.input.stay": "stay-ids",
        "Mutation.transfer.input.stay": "stay-ids",
        "Mutation.transfer.input.bed": "bed-ids",
        "Mutation.caseNoteAdd.input.resident": "resident-ids",
        "Mutation.userRevokeSessions.input.user": "user-ids",
        "Mutation.userDeactivate.input.user": "user-ids",
        "Query.auditEvents.resident": "resident-ids",
        "Query.auditEvents.user": "user-ids",
        "Query.services.shelter": "shelter-ids",
        "Query.services.resident": "resident-ids",
        "Query.services.after": "cursors",
        "Query.meals.shelter": "shelter-ids",
        "Query.meals.after": "cursors",
        "Mutation.serviceLog.input.resident": "resident-ids",
        "Mutation.serviceLog.input.shelter": "shelter-ids",
        "Mutation.serviceUpdateStatus.input.service": "servicerecord-ids",
        "Mutation.serviceAdvanceStage.input.service": "servicerecord-ids",
        "Mutation.courtHearingAdd.input.service": "servicerecord-ids",
        "Mutation.mealRecord.input.shelter": "shelter-ids",
        "Mutation.mealCorrect.input.mealRecord": "mealrecord-ids",
        # Care.
        "Query.appointments.shelter": "shelter-ids",
        "Query.appointments.provider": "user-ids",
        "Query.appointments.resident": "resident-ids",
        "Query.appointments.after": "cursors",
        "Query.counsellingSessions.shelter": "shelter-ids",
        "Query.counsellingSessions.counsellor": "user-ids",
        "Query.counsellingSessions.resident": "resident-ids",
        "Query.counsellingSessions.after": "cursors",
        "Query.careWorkers.shelter": "shelter-ids",
        "Mutation.appointmentSchedule.input.resident": "resident-ids",
        "Mutation.appointmentSchedule.input.provider": "user-ids",
        "Mutation.appointmentCancel.input.appointment": "medicalappointment-ids",
        "Mutation.appointmentMarkNoShow.input.appointment": "medicalappointment-ids",
        "Mutation.visitRecord.input.appointment": "medicalappointment-ids",
        "Mutation.counsellingSessionSchedule.input.counsellor": "user-ids",
        "Mutation.counsellingSessionRecord.input.session": "counsellingsession-ids",
        "Mutation.counsellingSessionCancel.input.session": "counsellingsession-ids",
        # realtime
        "Query.bedHolds.shelter": "shelter-ids",
        "Query.bedHolds.region": "region-ids",
        "Query.bedHolds.after": "cursors",
        "Mutation.bedHold.input.bed": "bed-ids",
        "Mutation.bedHold.input.resident": "resident-ids",
        "Mutation.bedHoldRelease.input.hold": "bedhold-ids",
        "Mutation.checkIn.input.hold": "bedhold-ids",
        **STOCK_BINDINGS,
    }
    parameters = {
        argument: {"dictionary": name, "probability": SEEDED} for argument, name in bindings.items()
    }
    return SchemathesisConfig.from_dict({"dictionaries": dictionaries, "parameters": parameters})


@pytest.fixture
def seed(settings: Settings) -> Seed:
    return asyncio.run(seed_network(settings))


@pytest.fixture
def fuzzed_api(settings: Settings, seed: Seed) -> Any:
    app = create_app(settings)
    return schemathesis.graphql.from_asgi("/graphql", app, config=fuzz_config(seed))


schema = schemathesis.pytest.from_fixture("fuzzed_api")


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_makes_the_server_fail(
    case: Any, execution_errors: ExecutionErrors, seed: Seed
) -> None:
    """Each case is sent as every role and as nobody; network roles never see a name."""
    for role in [*Role, None]:
        execution_errors.errors.clear()

        response = case.call(headers=seed.headers(role) if role else {})

        shown = f"as {role}: {case.body}"
        assert_no_server_error(response.status_code, response.text, execution_errors, shown)
        case.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])
        if role in (Role.ADMIN, Role.COORDINATOR):
            leaked = [name for name in seed.names if name in response.text]
            assert not leaked, f"{role} was shown {leaked}: {shown}"


def test_schemathesis_fuzzes_every_operation(fuzzed_api: Any) -> None:
    fuzzed = {result.ok().label for result in fuzzed_api.get_all_operations()}

    assert fuzzed == schema_operations()


# --- variables -----------------------------------------------------------------------------------

ENUMS = {
    "sex": ["FEMALE", "MALE", "OTHER", "UNDISCLOSED"],
    "referralSource": ["HOTLINE", "POLICE", "NGO", "EMBASSY", "SELF", "OTHER"],
    "documentStatus": ["HOLDS", "LOST", "CONFISCATED", "RESTORATION_IN_PROGRESS", "RESTORED"],
    "exitDestination": ["RETURNED_HOME", "REPATRIATED", "OTHER_SHELTER", "HOSPITAL", "OTHER"],
    "feature": ["ACCESSIBLE", "CRIB", "LOWER_BUNK"],
    "exploitation": ["SEXUAL", "LABOUR", "BEGGING", "CRIMINAL", "FORCED_MARRIAGE", "OTHER"],
    "serviceKind": [kind.name for kind in ServiceKind],
    "serviceStatus": ["PLANNED", "IN_PROGRESS", "COMPLETED", "CANCELLED"],
    "documentStage": ["REQUESTED", "APPLICATION_FILED", "ISSUED", "HANDED_OVER"],
    "returnStage": ["REQUESTED", "DOCUMENTS_READY", "TRAVEL_BOOKED", "DEPARTED", "ARRIVED"],
    "meal": ["BREAKFAST", "LUNCH", "DINNER", "SNACK"],
    "timelineKind": ["CHECK_IN", "TRANSFER", "CHECK_OUT", "SERVICE_LOGGED", "COURT_HEARING"],
}

Cases = dict[str, tuple[str, st.SearchStrategy[Any]]]


def variable_cases(seed: Seed) -> Cases:
    """Per operation (the root field, then what the case is about), a document taking ``$v``
    and the values to send in it."""

    def ids(type_name: str) -> st.SearchStrategy[Any]:
        return mostly(st.sampled_from(seed.ids_of(type_name)), ANY_TEXT)

    at = st.none() | instants() | ANY_TEXT
    registration = st.fixed_dictionaries(
        {
            "givenName": text_or("Dilnoza", " Aziz "),
            "sex": mostly(st.sampled_from(ENUMS["sex"]), ANY_JSON),
            "nationality": mostly(st.sampled_from(["UZ", " kz "]), ANY_TEXT),
            "referralSource": mostly(st.sampled_from(ENUMS["referralSource"]), ANY_JSON),
            "documentStatus": mostly(st.sampled_from(ENUMS["documentStatus"]), ANY_JSON),
            "consents": mostly(
                st.fixed_dictionaries(
                    {"dataProcessing": st.just(True)}, optional={"sharePolice": st.booleans()}
                ),
                st.fixed_dictionaries({"dataProcessing": st.booleans()}),
            ),
        },
        optional={
            "familyName": text_or("Karimova"),
            "birthDate": mostly(st.none() | days(), ANY_TEXT),
            "languages": mostly(
                st.lists(st.sampled_from(["uz", "ru", " EN "]), max_size=3), st.lists(ANY_TEXT)
            ),
            "preferredLanguage": mostly(st.sampled_from(["", "uz"]), ANY_TEXT),
            "phone": text_or("+998 90 123 45 67"),
            "trustedContact": text_or("Sister, +998 90 000 00 00"),
            "exploitationTypes": st.lists(st.sampled_from(ENUMS["exploitation"]), max_size=3),
            "doNotDisclosePresence": st.booleans(),
            "knownThreats": text_or("The recruiter knows the family's address"),
        },
    )
    return {
        "regions": (
            "query($v: Boolean!) { regions @include(if: $v) { name } }",
            loose(st.booleans()),
        ),
        "shelters.first": (
            "query($v: Int) { shelters(first: $v) { totalCount edges { cursor } } }",
            loose(st.integers()),
        ),
        "shelters.after": (
            "query($v: String) { shelters(after: $v) { edges { cursor } } }",
            loose(mostly(st.sampled_from([*seed.cursors, *odd_cursors()]), ANY_TEXT)),
        ),
        "shelter": (
            "query($v: ID!) { shelter(id: $v) { name occupancy { free } } }",
            loose(ids("Shelter")),
        ),
        "availableBeds.features": (
            "query($v: [BedFeature!]) { availableBeds(features: $v) { totalCount } }",
            loose(st.lists(st.sampled_from(ENUMS["feature"]), max_size=3)),
        ),
        "availableBeds.region": (
            "query($v: ID) { availableBeds(region: $v) { edges { node { label } } } }",
            loose(ids("Region")),
        ),
        "occupancy.on": (
            "query($v: Date) { occupancy(on: $v) { at total { free } } }",
            loose(st.none() | days()),
        ),
        "occupancy.shelter": (
            "query($v: ID) { occupancy(shelter: $v) { regions { occupancy { held } } } }",
            loose(ids("Shelter")),
        ),
        "residents.search": (
            "query($v: String) { residents(search: $v) { totalCount edges { node { code } } } }",
            loose(text_or(*seed.words)),
        ),
        "residents.after": (
            "query($v: String) { residents(after: $v, inShelter: true) { edges { cursor } } }",
            loose(mostly(st.sampled_from([*seed.cursors, *odd_cursors()]), ANY_TEXT)),
        ),
        "resident": (
            "query($v: ID!) { resident(id: $v) { code stays { id } } }",
            loose(ids("Resident")),
        ),
        "node": (
            "query($v: ID!) { node(id: $v) { id ... on Bed { status } } }",
            loose(mostly(st.sampled_from(seed.any_ids()), ANY_TEXT)),
        ),
        "residentRegister": (
            "mutation($v: ResidentRegisterInput!) {"
            " residentRegister(input: $v) { resident { code } errors { code field } } }",
            loose(registration),
        ),
        "checkIn": (
            "mutation($v: CheckInInput!) { checkIn(input: $v) { stay { id } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"resident": ids("Resident"), "bed": ids("Bed")}, optional={"at": at}
                )
            ),
        ),
        "checkOut": (
            "mutation($v: CheckOutInput!) { checkOut(input: $v) { stay { id } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "stay": ids("Stay"),
                        "exitDestination": st.sampled_from(ENUMS["exitDestination"]),
                    },
                    optional={"at": at},
                )
            ),
        ),
        "transfer": (
            "mutation($v: TransferInput!) { transfer(input: $v) { stay { id } errors { code } } }",
            loose(
                st.fixed_dictionaries({"stay": ids("Stay"), "bed": ids("Bed")}, optional={"at": at})
            ),
        ),
        "viewer": (
            "query($v: Boolean!) { viewer @include(if: $v) { username role shelters { name } } }",
            loose(st.booleans()),
        ),
        "users": (
            "query($v: Int) { users(first: $v) { totalCount edges { node { username } } } }",
            loose(st.integers()),
        ),
        "auditEvents.resident": (
            "query($v: ID) { auditEvents(resident: $v) { edges { node { action recordId } } } }",
            loose(ids("Resident")),
        ),
        "auditEvents.since": (
            "query($v: DateTime) { auditEvents(since: $v) { totalCount } }",
            loose(st.none() | instants()),
        ),
        "login": (
            "mutation($v: LoginInput!) { login(input: $v) { token errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"username": text_or("admin", "nobody"), "password": text_or("wrong password")}
                )
            ),
        ),
        "logout": (
            "mutation($v: Boolean!) { logout @include(if: $v) { errors { code } } }",
            loose(st.just(False)),
        ),
        "userCreate": (
            "mutation($v: UserCreateInput!) {"
            " userCreate(input: $v) { user { id } errors { code field } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "username": text_or("new.user", "x"),
                        "fullName": text_or("New Person"),
                        "role": st.sampled_from(["ADMIN", "SHELTER_STAFF", "MEDICAL"]),
                        "password": text_or("a long enough password", "short"),
                    },
                    optional={"shelters": st.lists(ids("Shelter"), max_size=2)},
                )
            ),
        ),
        "userDeactivate": (
            "mutation($v: UserInput!) {"
            " userDeactivate(input: $v) { user { active } errors { code } } }",
            loose(
                st.fixed_dictionaries({"user": mostly(st.sampled_from(["VXNlcjo5OTk="]), ANY_TEXT)})
            ),
        ),
        "userRevokeSessions": (
            "mutation($v: UserInput!) {"
            " userRevokeSessions(input: $v) { revoked errors { code } } }",
            loose(st.fixed_dictionaries({"user": ids("User")})),
        ),
        "caseNoteAdd": (
            "mutation($v: CaseNoteAddInput!) {"
            " caseNoteAdd(input: $v) { note { kind } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "resident": ids("Resident"),
                        "kind": st.sampled_from(["MEDICAL", "COUNSELLING", "LEGAL"]),
                        "text": text_or("Follow-up in two weeks"),
                    }
                )
            ),
        ),
        "checkIn.idempotencyKey": (
            'mutation($v: UUID) { checkIn(input: {resident: "UmVzaWRlbnQ6MQ==",'
            ' bed: "QmVkOjE="}, idempotencyKey: $v) { errors { code } } }',
            loose(mostly(st.uuids().map(str), ANY_TEXT)),
        ),
        "referrals": (
            "query($v: PartnerKind) { referrals(partner: $v) { totalCount edges { cursor } } }",
            loose(st.sampled_from(["POLICE", "EMBASSY", "PARTNER_NGO", "HOSPITAL"])),
        ),
        "referralCreate": (
            "mutation($v: ReferralCreateInput!) {"
            " referralCreate(input: $v) { referral { status } errors { code field } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "resident": ids("Resident"),
                        "direction": st.sampled_from(["INCOMING", "OUTGOING"]),
                        "partner": st.sampled_from(
                            ["POLICE", "EMBASSY", "PARTNER_NGO", "HOSPITAL"]
                        ),
                        "organisation": text_or("City hospital", ""),
                    },
                    optional={"reason": text_or("Injury"), "at": at},
                )
            ),
        ),
        "referralSetStatus": (
            "mutation($v: ReferralSetStatusInput!) {"
            " referralSetStatus(input: $v) { referral { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "referral": ids("Referral"),
                        "status": st.sampled_from(["OPEN", "ACCEPTED", "DECLINED", "COMPLETED"]),
                    },
                    optional={"at": at},
                )
            ),
        ),
        **service_cases(ids, at),
        **meal_cases(ids, seed.ids["Shelter"][0]),
        **care_cases(seed, ids),
        "bedSetStatus": (
            "mutation($v: BedSetStatusInput!) {"
            " bedSetStatus(input: $v) { bed { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "bed": ids("Bed"),
                        "status": st.sampled_from(["IN_SERVICE", "OUT_OF_SERVICE"]),
                    },
                    optional={"reason": text_or("Broken frame")},
                )
            ),
        ),
        # realtime
        "bedHolds": (
            "query($v: Boolean) { bedHolds(active: $v) { totalCount edges { node { outcome"
            " releasedAt bed { status } resident { code } } } } }",
            loose(st.none() | st.booleans()),
        ),
        "bedHold": (
            "mutation($v: BedHoldInput!) {"
            " bedHold(input: $v) { bedHold { active bed { hold { id } } } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"bed": ids("Bed"), "reason": text_or("Police referral"), "expiresAt": at},
                    optional={"expectedArrival": at, "resident": ids("Resident")},
                )
            ),
        ),
        "bedHoldRelease": (
            "mutation($v: BedHoldReleaseInput!) {"
            " bedHoldRelease(input: $v) { bedHold { outcome } errors { code } } }",
            loose(st.fixed_dictionaries({"hold": ids("BedHold")})),
        ),
        **stock_variable_cases(seed, ids),
    }


def care_cases(seed: Seed, ids: Callable[[str], st.SearchStrategy[Any]]) -> Cases:
    """The care operations' cases: schedules by day and filter, booking, status changes,
    visit and session records."""
    starts = st.none() | instants() | st.builds(lambda: (now() + timedelta(days=1)).isoformat())
    minutes = mostly(st.integers(5, 480), st.integers())
    return {
        "appointments": (
            "query($v: Date) { appointments(day: $v) { totalCount edges { node { status"
            " visit { findings } } } } }",
            loose(st.none() | days()),
        ),
        "appointments.filters": (
            "query($v: ID) { appointments(provider: $v, resident: $v, shelter: $v) {"
            " edges { cursor } } }",
            loose(mostly(st.sampled_from(seed.any_ids()), ANY_TEXT)),
        ),
        "careWorkers": (
            "query($v: ID!) { careWorkers(shelter: $v) { username } }",
            loose(ids("Shelter")),
        ),
        "counsellingSessions": (
            "query($v: Date) { counsellingSessions(day: $v) { totalCount edges { node { notes"
            " participants { attended } } } } }",
            loose(st.none() | days()),
        ),
        "appointmentSchedule": (
            "mutation($v: AppointmentScheduleInput!) {"
            " appointmentSchedule(input: $v) { appointment { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "resident": ids("Resident"),
                        "provider": ids("User"),
                        "kind": st.sampled_from(["GENERAL", "DENTAL", "MENTAL_HEALTH"]),
                        "startsAt": starts,
                        "durationMinutes": minutes,
                    },
                    optional={"place": text_or("Clinic No. 4")},
                )
            ),
        ),
        "appointmentCancel": (
            "mutation($v: AppointmentCancelInput!) {"
            " appointmentCancel(input: $v) { appointment { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"appointment": ids("MedicalAppointment")},
                    optional={"reason": text_or("Unwell")},
                )
            ),
        ),
        "appointmentMarkNoShow": (
            "mutation($v: AppointmentMarkNoShowInput!) {"
            " appointmentMarkNoShow(input: $v) { appointment { status } errors { code } } }",
            loose(st.fixed_dictionaries({"appointment": ids("MedicalAppointment")})),
        ),
        "visitRecord": (
            "mutation($v: VisitRecordInput!) {"
            " visitRecord(input: $v) { appointment { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"appointment": ids("MedicalAppointment"), "findings": text_or("Healthy")},
                    optional={
                        "notes": text_or("Follow-up"),
                        "followUpOn": st.none() | days(),
                        "referredToHospital": st.booleans(),
                        "hospital": text_or("City Hospital No. 1"),
                    },
                )
            ),
        ),
        "counsellingSessionSchedule": (
            "mutation($v: CounsellingSessionScheduleInput!) {"
            " counsellingSessionSchedule(input: $v) { session { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(["PSYCHOLOGICAL", "SOCIAL", "LEGAL"]),
                        "counsellor": ids("User"),
                        "residents": st.lists(ids("Resident"), max_size=4),
                        "startsAt": starts,
                        "durationMinutes": minutes,
                    },
                    optional={
                        "format": st.sampled_from(["INDIVIDUAL", "GROUP"]),
                        "interpreterLanguage": text_or("uz", "RU", ""),
                    },
                )
            ),
        ),
        "counsellingSessionRecord": (
            "mutation($v: CounsellingSessionRecordInput!) {"
            " counsellingSessionRecord(input: $v) { session { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "session": ids("CounsellingSession"),
                        "attended": st.lists(ids("Resident"), max_size=3),
                    },
                    optional={"notes": text_or("Talked about work")},
                )
            ),
        ),
        "counsellingSessionCancel": (
            "mutation($v: CounsellingSessionCancelInput!) {"
            " counsellingSessionCancel(input: $v) { session { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"session": ids("CounsellingSession")}, optional={"reason": text_or("Ill")}
                )
            ),
        ),
    }


def counts() -> st.SearchStrategy[Any]:
    return mostly(st.integers(0, 30), st.integers() | ANY_JSON)


def timeline_cursors() -> st.SearchStrategy[str]:
    """Cursors as the timeline writes them, anywhen and for any source, or anything."""
    made = st.builds(
        lambda at, rank, row: Position(at, rank, row).cursor(),
        st.datetimes(timezones=st.just(UTC)),
        st.integers(0, len(SOURCES) - 1),
        st.integers(1, 2**31 - 1),
    )
    return mostly(made, ANY_TEXT | st.sampled_from(odd_cursors()))


def service_cases(
    ids: Callable[[str], st.SearchStrategy[Any]], at: st.SearchStrategy[Any]
) -> Cases:
    service = ids("ServiceRecord")
    return {
        "services": (
            "query($v: ServiceKind) { services(kind: $v) { totalCount edges { node {"
            " kind hearings { date } history { change } shelter { name } } } } }",
            loose(st.sampled_from(ENUMS["serviceKind"])),
        ),
        "resident.timeline": (
            "query($v: String) { residents(first: 3) { edges { node { timeline(after: $v) {"
            " edges { cursor node { at kind } } pageInfo { hasNextPage } } } } } }",
            loose(st.none() | timeline_cursors()),
        ),
        "resident.timeline.kinds": (
            "query($v: [TimelineKind!]) { residents(first: 5) { edges { node {"
            " timeline(kinds: $v, first: 2) { edges { node { kind subject { __typename } } } }"
            " } } } }",
            loose(st.none() | st.lists(st.sampled_from(ENUMS["timelineKind"]), max_size=3)),
        ),
        "serviceLog": (
            "mutation($v: ServiceLogInput!) {"
            " serviceLog(input: $v) { service { kind pillar } errors { code field } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "resident": ids("Resident"),
                        "kind": st.sampled_from(ENUMS["serviceKind"]),
                    },
                    optional={
                        "shelter": ids("Shelter"),
                        "status": st.sampled_from(ENUMS["serviceStatus"]),
                        "provider": text_or("IOM"),
                        "outcome": text_or("Passport issued"),
                        "startedOn": days(),
                        "completedOn": days(),
                        "documentType": st.sampled_from(["PASSPORT", "ID_CARD"]),
                        "documentStage": st.sampled_from(ENUMS["documentStage"]),
                        "returnStage": st.sampled_from(ENUMS["returnStage"]),
                        "at": at,
                    },
                )
            ),
        ),
        "serviceUpdateStatus": (
            "mutation($v: ServiceUpdateStatusInput!) {"
            " serviceUpdateStatus(input: $v) { service { status } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"service": service, "status": st.sampled_from(ENUMS["serviceStatus"])},
                    optional={"outcome": text_or("Done"), "at": at},
                )
            ),
        ),
        "serviceAdvanceStage": (
            "mutation($v: ServiceAdvanceStageInput!) {"
            " serviceAdvanceStage(input: $v) { service { documentStage } errors { code } } }",
            loose(
                st.fixed_dictionaries(
                    {"service": service},
                    optional={
                        "documentStage": st.sampled_from(ENUMS["documentStage"]),
                        "returnStage": st.sampled_from(ENUMS["returnStage"]),
                        "at": at,
                    },
                )
            ),
        ),
        "courtHearingAdd": (
            "mutation($v: CourtHearingAddInput!) {"
            " courtHearingAdd(input: $v) { hearing { date } errors { code field } } }",
            loose(
                st.fixed_dictionaries(
                    {"service": service, "date": days()},
                    optional={"outcome": text_or("Adjourned")},
                )
            ),
        ),
    }


def meal_cases(ids: Callable[[str], st.SearchStrategy[Any]], shelter: str) -> Cases:
    """``shelter``: a seeded shelter's ID, for the case that varies the days."""
    diets = {"halal": counts(), "vegetarian": counts(), "allergySafe": counts(), "infant": counts()}
    return {
        "meals": (
            "query($v: ID!) { meals(shelter: $v) { totalCount"
            " edges { node { served dietaryNeeds { present halal } } } } }",
            loose(ids("Shelter")),
        ),
        "meals.from": (
            f"query($v: Date) {{ meals(shelter: {json.dumps(shelter)}, from: $v, to: $v) {{"
            " totalCount edges { node { day dietaryNeeds { present } } } } }",
            loose(st.none() | days()),
        ),
        "shelter.dietaryNeeds": (
            "query($v: Date) { shelters(first: 3) { edges { node {"
            " dietaryNeeds(on: $v) { present infantFood } } } } }",
            loose(st.none() | days()),
        ),
        "mealRecord": (
            "mutation($v: MealRecordInput!) {"
            " mealRecord(input: $v) { mealRecord { served } errors { code field } } }",
            loose(
                st.fixed_dictionaries(
                    {
                        "shelter": ids("Shelter"),
                        "day": days(),
                        "meal": st.sampled_from(ENUMS["meal"]),
                        "served": counts(),
                    },
                    optional=diets,
                )
            ),
        ),
        "mealCorrect": (
            "mutation($v: MealCorrectInput!) {"
            " mealCorrect(input: $v) { mealRecord { served } errors { code field } } }",
            loose(
                st.fixed_dictionaries(
                    {"mealRecord": ids("MealRecord"), "served": counts()}, optional=diets
                )
            ),
        ),
    }


#: The cases' names, from a stand-in seed.
VARIABLE_CASES = sorted(
    variable_cases(Seed(ids={name: ["x"] for name in NODE_TYPES}, cursors=["x"], words=["x"]))
)


@pytest.fixture
def seeded_client(settings: Settings) -> Iterator[tuple[TestClient, Cases]]:
    """The app in its lifespan over a seeded network, signed in as shelter staff (who may do
    the most), and the cases for that seed."""
    seed = asyncio.run(seed_network(settings))
    with TestClient(
        create_app(settings),
        raise_server_exceptions=False,
        headers=seed.headers(Role.SHELTER_STAFF),
    ) as client:
        yield client, variable_cases(seed)


@pytest.mark.parametrize("name", VARIABLE_CASES)
@FUZZ_SETTINGS
@given(data=st.data())
def test_variables_never_make_the_server_fail(
    seeded_client: tuple[TestClient, Cases],
    execution_errors: ExecutionErrors,
    name: str,
    data: st.DataObject,
) -> None:
    client, cases = seeded_client
    document, values = cases[name]
    # ensure_ascii writes a lone surrogate as a JSON escape, as JSON.stringify would send it.
    body = json.dumps({"query": document, "variables": {"v": data.draw(values, label="v")}})
    execution_errors.errors.clear()

    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})

    assert_no_server_error(response.status_code, response.text, execution_errors, body)
    assert isinstance(response.json(), dict)


def test_variables_reach_every_operation() -> None:
    fuzzed = {name.split(".")[0] for name in VARIABLE_CASES}

    assert fuzzed == {label.split(".")[1] for label in schema_operations()}


# --- malformed requests --------------------------------------------------------------------------

JSON = "application/json"
REGIONS = "{ regions { name } }"


class Raw(NamedTuple):
    method: str
    body: bytes = b""
    content_type: str = JSON
    url: str = "/graphql"


def posted(payload: Any) -> Raw:
    return Raw("POST", json.dumps(payload).encode())


def nested(levels: int) -> str:
    """A query ``levels`` times as deep as shelters → rooms → beds → room → shelter."""
    return (
        "{ regions { "
        + "shelters { rooms { beds { room { shelter { " * levels
        + "name"
        + " } } } } }" * levels
        + " } }"
    )


MULTIPART = "multipart/form-data; boundary=x"
OPERATIONS_PART = (
    b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
    b'{"query": "{ regions { name } }"}\r\n--x--\r\n'
)

MALFORMED = {
    "JSON string": posted(REGIONS),
    "JSON number": Raw("POST", b"1"),
    "JSON null": Raw("POST", b"null"),
    "JSON true": Raw("POST", b"true"),
    "JSON list (a batch)": posted([{"query": REGIONS}]),
    "empty list": posted([]),
    "empty object": posted({}),
    "empty body": Raw("POST"),
    "truncated JSON": Raw("POST", b'{"query": "{ regions'),
    "not UTF-8": Raw("POST", b"\xff\xfe{}"),
    "lone surrogate in the query": Raw("POST", b'{"query": "{ regions { name } } #\\ud800"}'),
    "query a number": posted({"query": 1}),
    "query a list": posted({"query": [REGIONS]}),
    "variables a list": posted({"query": REGIONS, "variables": []}),
    "variables a string": posted({"query": REGIONS, "variables": "{}"}),
    "operationName a number": posted({"query": REGIONS, "operationName": 5}),
    "operationName unknown": posted({"query": REGIONS, "operationName": "Nope"}),
    "two operations, no name": posted(
        {"query": "query A { regions { name } } query B { regions { code } }"}
    ),
    "extensions a string": posted({"query": REGIONS, "extensions": "x"}),
    "syntax error": posted({"query": "{ regions { name }"}),
    "unknown field": posted({"query": "{ nope }"}),
    "subscription": posted({"query": "subscription { regions { name } }"}),
    "subscription over HTTP": posted({"query": "subscription { occupancyChanged { at } }"}),
    "too deep": posted({"query": nested(MAX_DEPTH)}),
    "too many aliases": posted(
        {
            "query": "{ "
            + " ".join(f"a{n}: regions {{ name }}" for n in range(MAX_ALIASES + 1))
            + " }"
        }
    ),
    "too many tokens": posted({"query": "{ regions { " + "name " * MAX_TOKENS + "} }"}),
    "a megabyte": posted({"query": REGIONS + " " * 1_000_000}),
    "form body": Raw(
        "POST", b"query=%7B+regions+%7B+name+%7D+%7D", "application/x-www-form-urlencoded"
    ),
    "text body": Raw("POST", REGIONS.encode(), "text/plain"),
    "multipart without map": Raw("POST", OPERATIONS_PART, MULTIPART),
    "broken multipart": Raw("POST", b"--x\r\n", MULTIPART),
    "query over GET": Raw("GET", url="/graphql?query=%7B+regions+%7B+name+%7D+%7D"),
    "mutation over GET": Raw("GET", url="/graphql?query=mutation+%7B+checkIn+%7D"),
    "PUT": Raw("PUT", json.dumps({"query": REGIONS}).encode()),
}


@pytest.fixture
def raw_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_requests_are_refused_not_failed(
    raw_client: TestClient, execution_errors: ExecutionErrors, name: str
) -> None:
    request = MALFORMED[name]
    headers = {"content-type": request.content_type} if request.body else {}

    response = raw_client.request(
        request.method, request.url, content=request.body or None, headers=headers
    )

    shown = f"{request.method} {request.url} {request.body[:300]!r}"
    assert_no_server_error(response.status_code, response.text, execution_errors, shown)
