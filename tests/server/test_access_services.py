"""Who may see and do what with services, meals, dietary needs and timelines, cell by cell.

The rules are DESIGN.md's "Who may see what" (row "legal/document/court records: staff own (no
notes), legal own"), implemented in the services block of server/domain/access.py. Here they are
written down again as literal tables (``PEOPLE[...].seen_by``, ``SERVICES[...].read_by``,
``ENTRIES``, ``ATTEMPTS[...].allowed``), and every cell asks the API, as one viewer, for one thing,
and asserts exactly what comes back.

The world, built once per module:

* shelters A, B and C; residents ``in_a`` (in A), ``moved`` (A, then moved to B), ``in_b`` (in B),
  ``hidden`` (in A, do-not-disclose-presence);
* services: a document restoration and a transport of ``in_a`` (logged at A); a court case (at A,
  with a hearing) and an interpretation (at B) of ``moved``; legal aid of ``in_b`` (at B); a
  hygiene kit and legal aid of ``hidden`` (at A);
* lunch today at A and at B.

The viewers: an administrator, a coordinator, shelter staff, a medical volunteer, a counsellor and
a legal adviser of A, shelter staff and a legal adviser of B, and nobody. No response to a network
role may show a resident's name, a service's provider or outcome, or anything of the hidden one.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from server.app import create_app
from server.domain.clock import now
from server.domain.meals import MealCount, record_meal
from server.domain.residents import Consents, Registration, register_resident
from server.domain.service_progress import add_hearing, advance_stage, update_status
from server.domain.services import ServiceEntry, log_service
from server.domain.stays import check_in, transfer
from server.models import (
    AuditEvent,
    CourtHearing,
    DocumentStage,
    DocumentStatus,
    DocumentType,
    Meal,
    MealRecord,
    ReferralSource,
    Resident,
    Role,
    ServiceChange,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
    Sex,
    Shelter,
)
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import DATA_KEY, GraphQLClient, empty_tables, sign_in
from tests.server.network import build_network, staff

pytestmark = pytest.mark.asyncio(loop_scope="module")

ZONE = Settings().zone

# --- the viewers ---------------------------------------------------------------------------------

ADMIN, COORDINATOR = "admin", "coordinator"
STAFF, MEDICAL, COUNSELLOR, LEGAL = "staff", "medical", "counsellor", "legal"
STAFF_B, LEGAL_B = "staff-b", "legal-b"
ANONYMOUS = "anonymous"
VIEWERS = [ADMIN, COORDINATOR, STAFF, MEDICAL, COUNSELLOR, LEGAL, STAFF_B, LEGAL_B, ANONYMOUS]
ACCOUNTS: dict[str, tuple[Role, str]] = {
    ADMIN: (Role.ADMIN, ""),
    COORDINATOR: (Role.COORDINATOR, ""),
    STAFF: (Role.SHELTER_STAFF, "A"),
    MEDICAL: (Role.MEDICAL, "A"),
    COUNSELLOR: (Role.COUNSELLOR, "A"),
    LEGAL: (Role.LEGAL, "A"),
    STAFF_B: (Role.SHELTER_STAFF, "B"),
    LEGAL_B: (Role.LEGAL, "B"),
}
NETWORK = frozenset({ADMIN, COORDINATOR})
OF_A = frozenset({STAFF, MEDICAL, COUNSELLOR, LEGAL})
OF_B = frozenset({STAFF_B, LEGAL_B})
SHELTER_BOUND = OF_A | OF_B
NOBODY: frozenset[str] = frozenset()

SHELTER_SEEN_BY = {"A": NETWORK | OF_A, "B": NETWORK | OF_B, "C": NETWORK}

# --- the tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    given: str
    intake: str
    hidden: bool
    halal: bool
    allergies: str
    #: Who sees the person at all; identity (dietary needs) only the shelter roles among them.
    seen_by: frozenset[str]


PEOPLE = {
    "in_a": Person("Dilnoza", "A", False, True, "sesame", NETWORK | OF_A),
    "moved": Person("Gulnora", "A", False, False, "", NETWORK | OF_A | OF_B),
    "in_b": Person("Azizbek", "B", False, True, "", NETWORK | OF_B),
    "hidden": Person("Malika", "A", True, True, "", OF_A),
}


@dataclass(frozen=True)
class Service:
    resident: str
    kind: ServiceKind
    shelter: str
    provider: str
    #: Who reads it: legal kinds staff and legal advisers of the resident's shelters, other
    #: kinds every shelter role there, network roles nobody.
    read_by: frozenset[str]


SERVICES = {
    "papers": Service(
        "in_a",
        ServiceKind.DOCUMENT_RESTORATION,
        "A",
        "Consulate of Uzbekistan",
        frozenset({STAFF, LEGAL}),
    ),
    "ride": Service("in_a", ServiceKind.TRANSPORT, "A", "Driver Serik", OF_A),
    "court": Service(
        "moved",
        ServiceKind.COURT_REPRESENTATION,
        "A",
        "Advocate Nurlan Bekov",
        frozenset({STAFF, LEGAL, STAFF_B, LEGAL_B}),
    ),
    "words": Service("moved", ServiceKind.INTERPRETATION, "B", "Interpreter Zamira", OF_A | OF_B),
    "aid_b": Service("in_b", ServiceKind.LEGAL_AID, "B", "Legal clinic Shymkent", OF_B),
    "kit_hidden": Service("hidden", ServiceKind.HYGIENE_KIT, "A", "Red Crescent", OF_A),
    "aid_hidden": Service(
        "hidden", ServiceKind.LEGAL_AID, "A", "Advocate Saule Omarova", frozenset({STAFF, LEGAL})
    ),
}
OUTCOME = "Witness statement about the recruiter, filed"

STAY_SEEN_BY = {
    "in_a@A": NETWORK | OF_A,
    "moved@A": NETWORK | OF_A,
    "moved@B": NETWORK | OF_B,
    "in_b@B": NETWORK | OF_B,
    "hidden@A": OF_A,
}

#: Each resident's timeline, newest first: (kind, about what, who sees the entry).
ENTRIES: dict[str, list[tuple[str, str, frozenset[str]]]] = {
    "in_a": [
        ("SERVICE_STATUS_CHANGED", "ride", SERVICES["ride"].read_by),
        ("SERVICE_LOGGED", "ride", SERVICES["ride"].read_by),
        ("SERVICE_STAGE_ADVANCED", "papers", SERVICES["papers"].read_by),
        ("SERVICE_LOGGED", "papers", SERVICES["papers"].read_by),
        ("CHECK_IN", "Shelter A", STAY_SEEN_BY["in_a@A"]),
    ],
    "moved": [
        ("SERVICE_LOGGED", "words", SERVICES["words"].read_by),
        ("CHECK_IN", "Shelter B", STAY_SEEN_BY["moved@B"]),
        ("CHECK_OUT", "Shelter A", STAY_SEEN_BY["moved@A"]),
        ("COURT_HEARING", "court", SERVICES["court"].read_by),
        ("SERVICE_LOGGED", "court", SERVICES["court"].read_by),
        ("CHECK_IN", "Shelter A", STAY_SEEN_BY["moved@A"]),
    ],
    "in_b": [
        ("SERVICE_LOGGED", "aid_b", SERVICES["aid_b"].read_by),
        ("CHECK_IN", "Shelter B", STAY_SEEN_BY["in_b@B"]),
    ],
    "hidden": [
        ("SERVICE_LOGGED", "aid_hidden", SERVICES["aid_hidden"].read_by),
        ("SERVICE_LOGGED", "kit_hidden", SERVICES["kit_hidden"].read_by),
        ("CHECK_IN", "Shelter A", STAY_SEEN_BY["hidden@A"]),
    ],
}

#: Lunch today: plates served at each shelter.
LUNCH = {"A": 11, "B": 7}
#: Residents present today in each shelter, and how many of them eat halal (the hidden one
#: counted: a count names nobody).
PRESENT_TODAY = {"A": (2, 2), "B": (2, 1), "C": (0, 0)}

SECRETS = (
    [person.given for person in PEOPLE.values()]
    + [person.allergies for person in PEOPLE.values() if person.allergies]
    + [service.provider for service in SERVICES.values()]
    + [OUTCOME]
)

# --- documents -----------------------------------------------------------------------------------

SERVICE_NODE = """
query ($id: ID!) {
  node(id: $id) {
    id ... on ServiceRecord {
      kind provider shelter { name } resident { code } hearings { date } history { change }
    }
  }
}"""

RESIDENT_SERVICES = "query ($id: ID!) { resident(id: $id) { code services { provider } } }"

SERVICES_LIST = """
query ($shelter: ID) {
  services(shelter: $shelter, first: 100) { totalCount edges { node { provider } } }
}"""

RESIDENT_DIET = """
query ($id: ID!) {
  resident(id: $id) { code dietaryNeeds { halal vegetarian infantFood allergies } }
}"""

SHELTER_DIET = """
query ($id: ID!) { shelter(id: $id) { name dietaryNeeds { present halal } } }"""

MEALS = """
query ($shelter: ID!) {
  meals(shelter: $shelter, first: 100) {
    totalCount edges { node { served shelter { name } dietaryNeeds { present halal } } }
  }
}"""

MEAL_NODE = "query ($id: ID!) { node(id: $id) { id ... on MealRecord { served meal } } }"

TIMELINE = """
query ($id: ID!) {
  resident(id: $id) {
    code
    timeline(first: 50) { edges { node { kind subject {
      __typename
      ... on Stay { shelter { name } }
      ... on ServiceChange { service { provider } }
      ... on CourtHearing { service { provider } }
    } } } }
  }
}"""

SERVICE_LOG = """
mutation ($input: ServiceLogInput!) {
  serviceLog(input: $input) { service { kind shelter { name } } errors { code } }
}"""

UPDATE_STATUS = """
mutation ($input: ServiceUpdateStatusInput!) {
  serviceUpdateStatus(input: $input) { service { status } errors { code } }
}"""

ADVANCE_STAGE = """
mutation ($input: ServiceAdvanceStageInput!) {
  serviceAdvanceStage(input: $input) { service { documentStage } errors { code } }
}"""

HEARING_ADD = """
mutation ($input: CourtHearingAddInput!) {
  courtHearingAdd(input: $input) { hearing { outcome } errors { code } }
}"""

MEAL_RECORD = """
mutation ($input: MealRecordInput!) {
  mealRecord(input: $input) { mealRecord { served } errors { code } }
}"""

MEAL_CORRECT = """
mutation ($input: MealCorrectInput!) {
  mealCorrect(input: $input) { mealRecord { served } errors { code } }
}"""

# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    gql: GraphQLClient
    tokens: dict[str, str | None]
    shelters: dict[str, Shelter]
    residents: dict[str, Resident]
    services: dict[str, ServiceRecord]
    meals: dict[str, MealRecord]
    beds: dict[str, list[int]] = field(default_factory=dict)

    def id(self, kind: str, key: str) -> str:
        rows: dict[str, Any] = {
            "Shelter": self.shelters,
            "Resident": self.residents,
            "ServiceRecord": self.services,
            "MealRecord": self.meals,
        }[kind]
        return encode_id(kind, rows[key].id)

    async def ask(
        self, viewer: str, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body = await self.gql.as_token(self.tokens[viewer]).post(document, variables)
        if viewer in NETWORK:
            text = json.dumps(body, ensure_ascii=False)
            hidden = [self.residents["hidden"].code, self.id("Resident", "hidden")]
            leaked = [secret for secret in [*SECRETS, *hidden] if secret in text]
            assert not leaked, f"{viewer} was shown {leaked} by {document}"
        return body


def ago(days: float) -> datetime:
    return now() - timedelta(days=days)


async def seed(gql: GraphQLClient) -> World:
    await empty_tables()
    network = await build_network(shelters=3, rooms_per_shelter=1, beds_per_room=3)
    shelters = dict(zip("ABC", network.shelters, strict=True))
    for key, shelter in shelters.items():
        shelter.name = f"Shelter {key}"
        await shelter.save(update_fields=["name"])
    beds = {key: [bed.id for bed in network.beds_of(shelter)] for key, shelter in shelters.items()}
    hand = await staff()
    residents = {
        key: await register_resident(
            hand,
            Registration(
                given_name=person.given,
                sex=Sex.FEMALE,
                nationality="UZ",
                referral_source=ReferralSource.NGO,
                document_status=DocumentStatus.CONFISCATED,
                consents=Consents(data_processing=True),
                do_not_disclose_presence=person.hidden,
                diet_halal=person.halal,
                allergies=person.allergies,
            ),
            shelter_id=shelters[person.intake].id,
        )
        for key, person in PEOPLE.items()
    }

    async def log(key: str, days: float, **extra: Any) -> ServiceRecord:
        service = SERVICES[key]
        entry = ServiceEntry(
            residents[service.resident].id,
            service.kind,
            shelter_id=shelters[service.shelter].id,
            provider=service.provider,
            **extra,
        )
        return await log_service(hand, entry, at=ago(days), zone=ZONE)

    rows: dict[str, ServiceRecord] = {}
    await check_in(hand, residents["in_a"].id, beds["A"][0], at=ago(10))
    rows["papers"] = await log("papers", 9, document_type=DocumentType.PASSPORT)
    await advance_stage(hand, rows["papers"].id, DocumentStage.APPLICATION_FILED, at=ago(8))
    rows["ride"] = await log("ride", 7, status=ServiceStatus.IN_PROGRESS)
    await update_status(hand, rows["ride"].id, ServiceStatus.COMPLETED, at=ago(6), zone=ZONE)
    moved = await check_in(hand, residents["moved"].id, beds["A"][1], at=ago(12))
    rows["court"] = await log("court", 11, outcome=OUTCOME)
    await add_hearing(hand, rows["court"].id, on=ago(5).date(), outcome="Adjourned", zone=ZONE)
    await transfer(hand, moved.id, beds["B"][0], at=ago(4))
    rows["words"] = await log("words", 3)
    await check_in(hand, residents["in_b"].id, beds["B"][1], at=ago(6))
    rows["aid_b"] = await log("aid_b", 5)
    await check_in(hand, residents["hidden"].id, beds["A"][2], at=ago(8))
    rows["kit_hidden"] = await log("kit_hidden", 2)
    rows["aid_hidden"] = await log("aid_hidden", 1)
    today = now().astimezone(ZONE).date()
    meals = {
        key: await record_meal(
            hand, shelters[key].id, today, Meal.LUNCH, MealCount(served=served), zone=ZONE
        )
        for key, served in LUNCH.items()
    }
    tokens: dict[str, str | None] = {ANONYMOUS: None}
    for viewer, (role, works_in) in ACCOUNTS.items():
        tokens[viewer] = await sign_in(
            role, [shelters[key] for key in works_in], name=f"services-{viewer}"
        )
    return World(gql, tokens, shelters, residents, rows, meals, beds)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    settings = Settings(
        database_url=database_url,
        environment="test",
        database_pool_size=60,
        data_key=DATA_KEY,
        login_delay_seconds=0.0,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
            yield await seed(GraphQLClient(http))


#: The tables a write here may touch, children first.
WRITTEN = (CourtHearing, ServiceChange, ServiceRecord, MealRecord)


async def _state() -> dict[str, Any]:
    return {model.__name__: await model.all().order_by("id").values() for model in WRITTEN}


@pytest_asyncio.fixture(loop_scope="module")
async def writable(world: World) -> AsyncIterator[World]:
    """The world, for a cell that writes: every row added is removed afterwards."""
    before = {model: await model.all().values_list("id", flat=True) for model in WRITTEN}
    yield world
    for model in WRITTEN:
        await model.exclude(id__in=list(before[model])).delete()


# --- what came back ------------------------------------------------------------------------------


def refusals(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return sorted(
        ((error.get("extensions") or {}).get("code", "?"), tuple(error.get("path") or ()))
        for error in body.get("errors") or []
    )


def assert_unauthenticated(body: dict[str, Any], root: str) -> None:
    assert refusals(body) == [("UNAUTHENTICATED", (root,))], body
    assert (body.get("data") or {}).get(root) is None, body


def assert_ok(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def cells(*axes: list[str]) -> list[Any]:
    return [(a, b) for a in axes[0] for b in axes[1]]


# --- services ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewer", "service"), cells(VIEWERS, list(SERVICES)))
async def test_a_service_by_id(world: World, viewer: str, service: str) -> None:
    # given a service's ID
    spec = SERVICES[service]
    service_id = world.id("ServiceRecord", service)

    # when the viewer asks node(id:) for it, with its shelter, resident, hearings and history
    body = await world.ask(viewer, SERVICE_NODE, {"id": service_id})

    # then whoever reads it gets it (the shelter only if they see that shelter); others null
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
    elif viewer in spec.read_by:
        node = assert_ok(body)["node"]
        assert node["id"] == service_id
        assert (node["kind"], node["provider"]) == (spec.kind.name, spec.provider)
        assert node["resident"] == {"code": world.residents[spec.resident].code}
        seen = viewer in SHELTER_SEEN_BY[spec.shelter]
        assert node["shelter"] == ({"name": f"Shelter {spec.shelter}"} if seen else None)
        assert len(node["hearings"]) == (1 if service == "court" else 0)
        assert node["history"][0] == {"change": "LOGGED"}
    else:
        assert assert_ok(body) == {"node": None}


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, list(PEOPLE)))
async def test_a_residents_services(world: World, viewer: str, resident: str) -> None:
    # given a resident with services of legal and other kinds
    # when the viewer asks for the resident's services
    body = await world.ask(viewer, RESIDENT_SERVICES, {"id": world.id("Resident", resident)})

    # then exactly those they read, in the order logged; a resident they do not see is null
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
    elif viewer in PEOPLE[resident].seen_by:
        assert assert_ok(body)["resident"] == {
            "code": world.residents[resident].code,
            "services": [
                {"provider": spec.provider}
                for spec in SERVICES.values()
                if spec.resident == resident and viewer in spec.read_by
            ],
        }
    else:
        assert assert_ok(body) == {"resident": None}


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["any", "A", "B", "C"]))
async def test_the_services_list(world: World, viewer: str, shelter: str) -> None:
    # given services logged at A and B
    variables = {} if shelter == "any" else {"shelter": world.id("Shelter", shelter)}

    # when the viewer lists services, of any shelter or of one
    body = await world.ask(viewer, SERVICES_LIST, variables)

    # then those they read, and by shelter only those logged at a shelter they see
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "services")
        return
    expected = [
        spec.provider
        for spec in SERVICES.values()
        if viewer in spec.read_by
        and (shelter == "any" or (spec.shelter == shelter and viewer in SHELTER_SEEN_BY[shelter]))
    ]
    connection = assert_ok(body)["services"]
    assert [edge["node"]["provider"] for edge in connection["edges"]] == expected
    assert connection["totalCount"] == len(expected)


# --- the timeline --------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, list(PEOPLE)))
async def test_a_residents_timeline(world: World, viewer: str, resident: str) -> None:
    # given a resident's stays and services
    # when the viewer asks for their timeline
    body = await world.ask(viewer, TIMELINE, {"id": world.id("Resident", resident)})

    # then exactly the entries about what the viewer may read, newest first
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
        return
    if viewer not in PEOPLE[resident].seen_by:
        assert assert_ok(body) == {"resident": None}
        return

    def about(node: dict[str, Any]) -> str:
        subject = node["subject"]
        if subject["__typename"] == "Stay":
            name: str = subject["shelter"]["name"]
            return name
        provider = subject["service"]["provider"]
        return next(key for key, spec in SERVICES.items() if spec.provider == provider)

    edges = assert_ok(body)["resident"]["timeline"]["edges"]
    shown = [(edge["node"]["kind"], about(edge["node"])) for edge in edges]
    assert shown == [(kind, what) for kind, what, seen in ENTRIES[resident] if viewer in seen]


# --- dietary needs and meals ---------------------------------------------------------------------


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, list(PEOPLE)))
async def test_a_residents_dietary_needs(world: World, viewer: str, resident: str) -> None:
    # given a resident's dietary needs
    person = PEOPLE[resident]

    # when the viewer asks for them
    body = await world.ask(viewer, RESIDENT_DIET, {"id": world.id("Resident", resident)})

    # then shelter roles who see the person read them (identity); network roles get null and
    # FORBIDDEN; anyone else no resident
    code = world.residents[resident].code
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
    elif viewer in person.seen_by & SHELTER_BOUND:
        assert assert_ok(body)["resident"] == {
            "code": code,
            "dietaryNeeds": {
                "halal": person.halal,
                "vegetarian": False,
                "infantFood": False,
                "allergies": person.allergies,
            },
        }
    elif viewer in person.seen_by:
        assert body["data"]["resident"] == {"code": code, "dietaryNeeds": None}
        assert refusals(body) == [("FORBIDDEN", ("resident", "dietaryNeeds"))]
    else:
        assert assert_ok(body) == {"resident": None}


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B", "C"]))
async def test_a_shelters_dietary_needs(world: World, viewer: str, shelter: str) -> None:
    # given residents present in A (one hidden) and B
    # when the viewer asks a shelter for today's needs
    body = await world.ask(viewer, SHELTER_DIET, {"id": world.id("Shelter", shelter)})

    # then whoever sees the shelter gets the counts, the hidden resident counted
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "shelter")
    elif viewer in SHELTER_SEEN_BY[shelter]:
        present, halal = PRESENT_TODAY[shelter]
        assert assert_ok(body)["shelter"] == {
            "name": f"Shelter {shelter}",
            "dietaryNeeds": {"present": present, "halal": halal},
        }
    else:
        assert assert_ok(body) == {"shelter": None}


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B", "C"]))
async def test_a_shelters_meals(world: World, viewer: str, shelter: str) -> None:
    # given lunch today at A and at B
    # when the viewer lists a shelter's meals
    body = await world.ask(viewer, MEALS, {"shelter": world.id("Shelter", shelter)})

    # then whoever sees the shelter gets its counts with the needs present; others nothing
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "meals")
        return
    expected = []
    if viewer in SHELTER_SEEN_BY[shelter] and shelter in LUNCH:
        present, halal = PRESENT_TODAY[shelter]
        expected = [
            {
                "served": LUNCH[shelter],
                "shelter": {"name": f"Shelter {shelter}"},
                "dietaryNeeds": {"present": present, "halal": halal},
            }
        ]
    connection = assert_ok(body)["meals"]
    assert [edge["node"] for edge in connection["edges"]] == expected
    assert connection["totalCount"] == len(expected)


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B"]))
async def test_a_meal_by_id(world: World, viewer: str, shelter: str) -> None:
    # given a meal's ID
    meal_id = world.id("MealRecord", shelter)

    # when the viewer asks node(id:) for it
    body = await world.ask(viewer, MEAL_NODE, {"id": meal_id})

    # then whoever sees its shelter gets it
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
    elif viewer in SHELTER_SEEN_BY[shelter]:
        assert assert_ok(body)["node"] == {"id": meal_id, "served": LUNCH[shelter], "meal": "LUNCH"}
    else:
        assert assert_ok(body) == {"node": None}


# --- mutations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One mutation on objects made for it: who may, and who is told there is nothing."""

    name: str
    document: str
    #: Makes what the mutation acts on (as setup staff), and returns its input.
    given: Callable[[World], Awaitable[dict[str, Any]]]
    allowed: frozenset[str]
    #: Who is refused NOT_FOUND (the object is not theirs to see); others signed in FORBIDDEN.
    not_found: frozenset[str] = NOBODY

    @property
    def root(self) -> str:
        return self.document.split("{", 2)[1].split("(")[0].strip()


def _log(resident: str, kind: str, **extra: Any) -> Callable[[World], Awaitable[dict[str, Any]]]:
    async def given(world: World) -> dict[str, Any]:
        return {"resident": world.id("Resident", resident), "kind": kind, **extra}

    return given


async def _fresh(world: World, resident: str, kind: ServiceKind, **extra: Any) -> str:
    """A new planned service of ``resident``, logged at A."""
    entry = ServiceEntry(
        world.residents[resident].id, kind, shelter_id=world.shelters["A"].id, **extra
    )
    return encode_id("ServiceRecord", (await log_service(await staff(), entry)).id)


def _on_fresh(
    resident: str, kind: ServiceKind, change: dict[str, Any], **extra: Any
) -> Callable[[World], Awaitable[dict[str, Any]]]:
    async def given(world: World) -> dict[str, Any]:
        return {"service": await _fresh(world, resident, kind, **extra), **change}

    return given


async def _meal_today(world: World) -> dict[str, Any]:
    return {
        "shelter": world.id("Shelter", "A"),
        "day": now().astimezone(ZONE).date().isoformat(),
        "meal": "SNACK",
        "served": 4,
    }


async def _meal_to_correct(world: World) -> dict[str, Any]:
    day = now().astimezone(ZONE).date() - timedelta(days=1)
    row = await record_meal(
        await staff(), world.shelters["A"].id, day, Meal.DINNER, MealCount(served=9), zone=ZONE
    )
    return {"mealRecord": encode_id("MealRecord", row.id), "served": 10}


ATTEMPTS = [
    Attempt(
        "serviceLog LEGAL_AID for in_a",
        SERVICE_LOG,
        _log("in_a", "LEGAL_AID"),
        allowed=frozenset({STAFF, LEGAL}),
        not_found=OF_B,
    ),
    Attempt(
        "serviceLog TRANSPORT for in_a",
        SERVICE_LOG,
        _log("in_a", "TRANSPORT"),
        allowed=frozenset({STAFF, LEGAL, COUNSELLOR}),
        not_found=OF_B,
    ),
    Attempt(
        "serviceLog TRANSPORT for moved at A",
        SERVICE_LOG,
        _log("moved", "TRANSPORT", shelter="A"),
        allowed=frozenset({STAFF, LEGAL, COUNSELLOR}),
        not_found=OF_B,
    ),
    Attempt(
        "serviceLog LEGAL_AID for hidden",
        SERVICE_LOG,
        _log("hidden", "LEGAL_AID"),
        allowed=frozenset({STAFF, LEGAL}),
        not_found=OF_B,
    ),
    Attempt(
        "serviceUpdateStatus of a legal aid of in_a",
        UPDATE_STATUS,
        _on_fresh("in_a", ServiceKind.LEGAL_AID, {"status": "IN_PROGRESS"}),
        allowed=frozenset({STAFF, LEGAL}),
        not_found=OF_B | {COUNSELLOR},
    ),
    Attempt(
        "serviceUpdateStatus of a transport of in_a",
        UPDATE_STATUS,
        _on_fresh("in_a", ServiceKind.TRANSPORT, {"status": "COMPLETED"}),
        allowed=frozenset({STAFF, LEGAL, COUNSELLOR}),
        not_found=OF_B,
    ),
    Attempt(
        "serviceUpdateStatus of a court case of moved (logged at A)",
        UPDATE_STATUS,
        _on_fresh("moved", ServiceKind.COURT_REPRESENTATION, {"status": "CANCELLED"}),
        allowed=frozenset({STAFF, LEGAL, STAFF_B, LEGAL_B}),
        not_found=frozenset({COUNSELLOR}),
    ),
    Attempt(
        "serviceAdvanceStage of a document restoration of in_a",
        ADVANCE_STAGE,
        _on_fresh(
            "in_a",
            ServiceKind.DOCUMENT_RESTORATION,
            {"documentStage": "ISSUED"},
            document_type=DocumentType.ID_CARD,
        ),
        allowed=frozenset({STAFF, LEGAL}),
        not_found=OF_B | {COUNSELLOR},
    ),
    Attempt(
        "courtHearingAdd to a court case of moved (logged at A)",
        HEARING_ADD,
        _on_fresh("moved", ServiceKind.COURT_REPRESENTATION, {"date": "2026-01-15"}),
        allowed=frozenset({STAFF, LEGAL, STAFF_B, LEGAL_B}),
        not_found=frozenset({COUNSELLOR}),
    ),
    Attempt(
        "mealRecord at A", MEAL_RECORD, _meal_today, allowed=frozenset({STAFF}), not_found={STAFF_B}
    ),
    Attempt(
        "mealCorrect at A",
        MEAL_CORRECT,
        _meal_to_correct,
        allowed=frozenset({STAFF}),
        not_found=frozenset({STAFF_B}),
    ),
]


@pytest.mark.parametrize(
    ("attempt", "viewer"),
    [pytest.param(a, v, id=f"{a.name}-{v}") for a in ATTEMPTS for v in VIEWERS],
)
async def test_mutation(writable: World, attempt: Attempt, viewer: str) -> None:
    world = writable
    # given what the mutation acts on
    values = await attempt.given(world)
    if values.get("shelter") == "A":
        values["shelter"] = world.id("Shelter", "A")
    before = await _state()
    events = await AuditEvent.all().count()

    # when the viewer tries it
    body = await world.ask(viewer, attempt.document, {"input": values})

    # then only the allowed roles succeed (and it is written and audited); anyone else is
    # refused, and nothing is written
    assert "errors" not in body, body["errors"]
    payload = body["data"][attempt.root]
    if viewer in attempt.allowed:
        assert payload["errors"] == [], payload
        assert await _state() != before
        assert await AuditEvent.all().count() > events
        return
    code = (
        "UNAUTHENTICATED"
        if viewer == ANONYMOUS
        else "NOT_FOUND"
        if viewer in attempt.not_found
        else "FORBIDDEN"
    )
    assert payload["errors"] == [{"code": code}], payload
    assert await _state() == before


async def test_every_mutation_of_the_area_has_cells() -> None:
    roots = {attempt.root for attempt in ATTEMPTS}

    assert roots == {
        "serviceLog",
        "serviceUpdateStatus",
        "serviceAdvanceStage",
        "courtHearingAdd",
        "mealRecord",
        "mealCorrect",
    }


async def test_the_world_is_what_the_tables_say(world: World) -> None:
    # the tables above describe the rows seeded: check the few a mistake would hide behind
    assert await ServiceRecord.all().count() == len(SERVICES)
    assert await ServiceRecord.filter(id=world.services["court"].id, outcome=OUTCOME).exists()
    for key, (present, _) in PRESENT_TODAY.items():
        assert (
            await Resident.filter(
                stays__shelter_id=world.shelters[key].id, stays__checked_out_at__isnull=True
            ).count()
            == present
        )
