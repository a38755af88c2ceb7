"""Who may see and do what, cell by cell: every viewer × every query, mutation and resident field.

The rules are DESIGN.md's "Who may see what", implemented in server/domain/access.py. Here they
are written down again as literal tables (``SHELTER_SEEN_BY``, ``PEOPLE[...].seen_by``,
``STAYS[...].seen_by``, ``NOTES[...].read_by``, ``ATTEMPTS[...].allowed``) and every cell asks the
API, as one viewer, for one thing, by one route, and asserts exactly what comes back: the data
where the table allows it; elsewhere nothing (null, an empty list, not listed), or null with a
FORBIDDEN error where the viewer sees the object but not the field.

The world, built once per run:

* regions R0 and R1; shelters A (R0), B (R1) and C (R0), each 2 rooms of 2 beds;
* residents: ``in_a`` (in A), ``moved`` (A, then transferred to B), ``in_b`` (only B), ``hidden``
  (in A, flagged do-not-disclose-presence), ``waiting`` (registered at A, never checked in);
* notes: on ``in_a`` one of each kind by the matching role of A and a second counselling note by
  another counsellor of A; a medical note on ``moved`` and a legal note on ``hidden``.

The viewers: an administrator, a coordinator, one of each shelter role working in A only, a second
counsellor of A, staff of B, staff of both A and B, and nobody (no token). Every response to an
administrator or a coordinator is also searched, as raw text, for any resident's name, phone,
trusted contact, known threats or note text (and, for a coordinator, any shelter's address): none
may appear, whatever the cell asked for.

Tests that may write (mutations, sign-outs) use ``writable``: it checks what they wrote and puts
the rows back afterwards, so the world is built once per run.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from server.app import create_app
from server.domain.access import Viewer
from server.domain.accounts import authenticate, create_user, login
from server.domain.clock import now
from server.domain.notes import write_note
from server.domain.residents import Consents, Registration, age_band, register_resident
from server.domain.stays import check_in, transfer
from server.models import (
    AuditEvent,
    AuthToken,
    Bed,
    BedAssignment,
    BedHold,
    BedOutage,
    CaseNote,
    DocumentStatus,
    ExploitationType,
    NoteKind,
    ReferralSource,
    Region,
    Resident,
    Role,
    Room,
    Sex,
    Shelter,
    Stay,
    User,
)
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import DATA_KEY, PASSWORD, GraphQLClient, empty_tables, sign_in
from tests.server.network import build_network, staff

pytestmark = pytest.mark.asyncio(loop_scope="module")

# --- the viewers ---------------------------------------------------------------------------------

ADMIN = "admin"
COORDINATOR = "coordinator"
STAFF = "staff"
MEDICAL = "medical"
COUNSELLOR = "counsellor"
LEGAL = "legal"
#: A second counsellor of A: sees A's residents, but not the first counsellor's notes.
COUNSELLOR_2 = "counsellor-2"
#: Shelter staff of B: sees the person who moved from A to B, but only the stay in B.
STAFF_B = "staff-b"
#: Shelter staff working in both A and B: may move a person from one to the other.
STAFF_AB = "staff-ab"
ANONYMOUS = "anonymous"

VIEWERS = [
    ADMIN,
    COORDINATOR,
    STAFF,
    MEDICAL,
    COUNSELLOR,
    LEGAL,
    COUNSELLOR_2,
    STAFF_B,
    STAFF_AB,
    ANONYMOUS,
]
SIGNED_IN = [viewer for viewer in VIEWERS if viewer != ANONYMOUS]

#: Each account: its role and the shelters it works in.
ACCOUNTS: dict[str, tuple[Role, str]] = {
    ADMIN: (Role.ADMIN, ""),
    COORDINATOR: (Role.COORDINATOR, ""),
    STAFF: (Role.SHELTER_STAFF, "A"),
    MEDICAL: (Role.MEDICAL, "A"),
    COUNSELLOR: (Role.COUNSELLOR, "A"),
    LEGAL: (Role.LEGAL, "A"),
    COUNSELLOR_2: (Role.COUNSELLOR, "A"),
    STAFF_B: (Role.SHELTER_STAFF, "B"),
    STAFF_AB: (Role.SHELTER_STAFF, "AB"),
}

NETWORK = frozenset({ADMIN, COORDINATOR})
OF_A = frozenset({STAFF, MEDICAL, COUNSELLOR, LEGAL, COUNSELLOR_2, STAFF_AB})
OF_B = frozenset({STAFF_B, STAFF_AB})
SHELTER_BOUND = OF_A | OF_B
NOBODY: frozenset[str] = frozenset()

# --- the tables: who sees what -------------------------------------------------------------------

#: Who sees each shelter, its rooms, beds, free beds and occupancy.
SHELTER_SEEN_BY = {"A": NETWORK | OF_A, "B": NETWORK | OF_B, "C": NETWORK}
#: Who reads each shelter's address; a coordinator gets null with FORBIDDEN.
ADDRESS_READ_BY = {"A": {ADMIN} | OF_A, "B": {ADMIN} | OF_B, "C": {ADMIN}}
ADDRESSES = {
    "A": "7 Quiet Lane, Almaty",
    "B": "19 Poplar Yard, Shymkent",
    "C": "3 Orchard Row, Taraz",
}
REGION_OF = {"A": "Region 0", "B": "Region 1", "C": "Region 0"}


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    sex: Sex
    nationality: str
    birth: date | None
    intake: str
    phone: str
    contact: str
    exploitation: tuple[ExploitationType, ...]
    referral: ReferralSource
    document: DocumentStatus
    share_consulate: bool
    hidden: bool
    threats: str
    #: Who sees the person at all (code, sex, age band, nationality); identity goes to the
    #: shelter roles among them, and network roles get null with FORBIDDEN.
    seen_by: frozenset[str]

    def registration(self) -> Registration:
        return Registration(
            given_name=self.given,
            family_name=self.family,
            birth_date=self.birth,
            sex=self.sex,
            nationality=self.nationality,
            languages=("uz", "ru"),
            preferred_language="uz",
            phone=self.phone,
            trusted_contact=self.contact,
            exploitation_types=self.exploitation,
            referral_source=self.referral,
            document_status=self.document,
            consents=Consents(data_processing=True, share_consulate=self.share_consulate),
            do_not_disclose_presence=self.hidden,
            known_threats=self.threats,
        )

    @property
    def identity_read_by(self) -> frozenset[str]:
        return self.seen_by & SHELTER_BOUND

    def identity(self) -> dict[str, Any]:
        """Every identity and case field, as the API writes it."""
        return {
            "givenName": self.given,
            "familyName": self.family,
            "birthDate": self.birth.isoformat() if self.birth else None,
            "languages": ["uz", "ru"],
            "preferredLanguage": "uz",
            "phone": self.phone,
            "trustedContact": self.contact,
            "exploitationTypes": [
                kind.name for kind in sorted(self.exploitation, key=lambda k: k.value)
            ],
            "referralSource": self.referral.name,
            "documentStatus": self.document.name,
            "consents": {
                "dataProcessing": True,
                "sharePolice": False,
                "shareConsulate": self.share_consulate,
                "sharePartnerNgo": False,
            },
            "safety": {"doNotDisclosePresence": self.hidden, "knownThreats": self.threats},
        }

    @property
    def secrets(self) -> list[str]:
        return [
            text
            for text in (self.given, self.family, self.phone, self.contact, self.threats)
            if text
        ]


PEOPLE: dict[str, Person] = {
    "in_a": Person(
        "Dilnoza",
        "Karimova",
        Sex.FEMALE,
        "UZ",
        date(1999, 3, 14),
        "A",
        "+998 90 111 2233",
        "Sister Feruza +998 90 444 5566",
        (ExploitationType.SEXUAL, ExploitationType.LABOUR),
        ReferralSource.HOTLINE,
        DocumentStatus.CONFISCATED,
        True,
        False,
        "",
        seen_by=NETWORK | OF_A,
    ),
    "moved": Person(
        "Gulnora",
        "Tosheva",
        Sex.FEMALE,
        "KG",
        date(1988, 7, 2),
        "A",
        "+996 555 010 203",
        "Brother Bakyt in Osh",
        (ExploitationType.DOMESTIC_SERVITUDE,),
        ReferralSource.NGO,
        DocumentStatus.LOST,
        False,
        False,
        "",
        seen_by=NETWORK | OF_A | OF_B,
    ),
    "in_b": Person(
        "Azizbek",
        "Rahimov",
        Sex.MALE,
        "TJ",
        date(1979, 11, 30),
        "B",
        "+992 93 777 8899",
        "Wife Shahnoza, Khujand",
        (ExploitationType.LABOUR,),
        ReferralSource.POLICE,
        DocumentStatus.HOLDS,
        False,
        False,
        "",
        seen_by=NETWORK | OF_B,
    ),
    "hidden": Person(
        "Malika",
        "Yusupova",
        Sex.FEMALE,
        "UZ",
        date(2004, 1, 9),
        "A",
        "+998 93 246 8024",
        "Aunt Lobar, Fergana",
        (ExploitationType.SEXUAL,),
        ReferralSource.EMBASSY,
        DocumentStatus.RESTORATION_IN_PROGRESS,
        False,
        True,
        "Recruiter Rustam Nazarov watches the bus station",
        seen_by=OF_A,
    ),
    "waiting": Person(
        "Timurlan",
        "Saidov",
        Sex.MALE,
        "UZ",
        None,
        "A",
        "+998 97 135 7913",
        "Mother Dildora, Samarkand",
        (ExploitationType.BEGGING,),
        ReferralSource.SELF,
        DocumentStatus.HOLDS,
        False,
        False,
        "",
        seen_by=NETWORK | OF_A,
    ),
}
RESIDENTS = list(PEOPLE)


@dataclass(frozen=True)
class Visit:
    """A stay: whose, where, in which beds (oldest first), whether still going on."""

    resident: str
    shelter: str
    beds: tuple[str, ...]
    active: bool
    seen_by: frozenset[str]


#: Every stay, in check-in order. Shelter roles see the stays in their shelters only; network
#: roles every stay of a person they see.
STAYS: dict[str, Visit] = {
    "in_a@A": Visit("in_a", "A", ("A0",), True, NETWORK | OF_A),
    "moved@A": Visit("moved", "A", ("A1",), False, NETWORK | OF_A),
    "hidden@A": Visit("hidden", "A", ("A2",), True, OF_A),
    "in_b@B": Visit("in_b", "B", ("B0",), True, NETWORK | OF_B),
    "moved@B": Visit("moved", "B", ("B1",), True, NETWORK | OF_B),
}
#: How many days ago each stay began (the order above).
CHECKED_IN_DAYS_AGO = {"in_a@A": 10, "moved@A": 5, "hidden@A": 4, "in_b@B": 3}
#: Beds taken now, by which stay; every other bed is free.
OCCUPIED = {stay.beds[-1]: key for key, stay in STAYS.items() if stay.active}
BEDS = [f"{shelter}{number}" for shelter in "ABC" for number in range(4)]


@dataclass(frozen=True)
class Note:
    resident: str
    kind: NoteKind
    author: str
    text: str
    read_by: frozenset[str]


#: Written in this order. Medical: medical role; legal: legal role; counselling: its author only.
NOTES = [
    Note(
        "in_a",
        NoteKind.MEDICAL,
        MEDICAL,
        "BP 110/70; sleeps badly; follow-up in a week",
        frozenset({MEDICAL}),
    ),
    Note(
        "in_a",
        NoteKind.COUNSELLING,
        COUNSELLOR,
        "Session 1: talks about the farm, flashbacks",
        frozenset({COUNSELLOR}),
    ),
    Note(
        "in_a",
        NoteKind.COUNSELLING,
        COUNSELLOR_2,
        "Group session: quiet, left early",
        frozenset({COUNSELLOR_2}),
    ),
    Note(
        "in_a",
        NoteKind.LEGAL,
        LEGAL,
        "Passport held by the employer; statement drafted",
        frozenset({LEGAL}),
    ),
    Note("moved", NoteKind.MEDICAL, MEDICAL, "Sprained wrist, bandaged", frozenset({MEDICAL})),
    Note(
        "hidden",
        NoteKind.LEGAL,
        LEGAL,
        "Court date set; witness protection requested",
        frozenset({LEGAL}),
    ),
]

#: What no administrator or coordinator may ever be shown.
SECRETS = [secret for person in PEOPLE.values() for secret in person.secrets] + [
    note.text for note in NOTES
]
#: What a coordinator may not be shown either.
COORDINATOR_SECRETS = SECRETS + list(ADDRESSES.values())

# --- GraphQL documents ---------------------------------------------------------------------------

SHELTER = """
query ($id: ID!) {
  shelter(id: $id) {
    id name occupancy { capacity occupied free } rooms { name beds { id status } }
  }
}"""

ADDRESS = "query ($id: ID!) { shelter(id: $id) { name address } }"

NODE = """
query ($id: ID!) {
  node(id: $id) {
    id
    ... on Region { name }
    ... on Shelter { name }
    ... on Room { name shelter { name } }
    ... on Bed { label room { shelter { name } } }
  }
}"""

SHELTERS = "{ shelters(first: 100) { totalCount edges { node { name } } } }"

SHELTERS_OF_REGION = """
query ($region: ID!) {
  shelters(region: $region, first: 100) { totalCount edges { node { name } } }
}"""

REGIONS = """
{ regions { name shelters { name rooms { beds { id currentStay { resident { code } } } } } } }"""

AVAILABLE_BEDS = """
query ($shelter: ID) {
  availableBeds(shelter: $shelter, first: 100) {
    totalCount edges { node { id status room { shelter { name } } } }
  }
}"""

OCCUPANCY = """
query ($shelter: ID) {
  occupancy(shelter: $shelter) {
    total { capacity occupied held outOfService free }
    regions { region { name } shelters { shelter { name } occupancy { capacity occupied free } } }
  }
}"""

BED_WALK = """
{
  shelters(first: 100) {
    edges { node { name rooms { name beds { id status currentStay { id resident {
      code givenName stays { shelter { name } } notes { kind text }
    } } } } } }
  }
}"""

BED_NOW = """
query ($id: ID!) {
  node(id: $id) { ... on Bed { id status currentStay { id resident { code givenName } } } }
}"""

RESIDENT = "query ($id: ID!) { resident(id: $id) { id code sex nationality ageBand } }"

RESIDENT_NODE = (
    "query ($id: ID!) { node(id: $id) { id ... on Resident { code sex nationality ageBand } } }"
)

#: The selection of each identity and case field.
IDENTITY_SELECTIONS = {
    "givenName": "givenName",
    "familyName": "familyName",
    "birthDate": "birthDate",
    "languages": "languages",
    "preferredLanguage": "preferredLanguage",
    "phone": "phone",
    "trustedContact": "trustedContact",
    "exploitationTypes": "exploitationTypes",
    "referralSource": "referralSource",
    "documentStatus": "documentStatus",
    "consents": "consents { dataProcessing sharePolice shareConsulate sharePartnerNgo }",
    "safety": "safety { doNotDisclosePresence knownThreats }",
}
IDENTITY_FIELD = {
    name: f"query ($id: ID!) {{ resident(id: $id) {{ code {selection} }} }}"
    for name, selection in IDENTITY_SELECTIONS.items()
}
IDENTITY_ALL = (
    "query ($id: ID!) { resident(id: $id) { code " + " ".join(IDENTITY_SELECTIONS.values()) + " } }"
)

RESIDENTS_LIST = "{ residents(first: 100) { totalCount edges { node { code } } } }"

RESIDENTS_SEARCH = """
query ($search: String!) {
  residents(search: $search, first: 100) { totalCount edges { node { code } } }
}"""

RESIDENTS_OF_SHELTER = """
query ($shelter: ID!) {
  residents(shelter: $shelter, first: 100) { totalCount edges { node { code } } }
}"""

RESIDENT_STAYS = """
query ($id: ID!) {
  resident(id: $id) {
    code
    currentStay { id shelter { name } bed { id } }
    stays { id active shelter { name } bedHistory { bed { id room { shelter { name } } } } }
  }
}"""

STAY_NODE = """
query ($id: ID!) {
  node(id: $id) {
    id ... on Stay { active shelter { name } bed { id } resident { code givenName } }
  }
}"""

RESIDENT_NOTES = "query ($id: ID!) { resident(id: $id) { code notes { kind text } } }"

VIEWER = "{ viewer { username role shelters { name } } }"

USERS = "{ users(first: 100) { totalCount edges { node { username role } } } }"

USER_NODE = (
    "query ($id: ID!) { node(id: $id) { id ... on User { username role shelters { name } } } }"
)

AUDIT_EVENTS = """
query ($resident: ID) {
  auditEvents(resident: $resident, first: 100) {
    totalCount edges { node { action recordType recordId residentId detail } }
  }
}"""

RESIDENT_REGISTER = """
mutation ($input: ResidentRegisterInput!) {
  residentRegister(input: $input) { resident { code givenName } errors { code } }
}"""

CHECK_IN = """
mutation ($input: CheckInInput!) {
  checkIn(input: $input) {
    stay { active shelter { name } bed { id } resident { code givenName } } errors { code }
  }
}"""

CHECK_OUT = """
mutation ($input: CheckOutInput!) {
  checkOut(input: $input) { stay { active exitDestination shelter { name } } errors { code } }
}"""

TRANSFER = """
mutation ($input: TransferInput!) {
  transfer(input: $input) {
    stay { active shelter { name } bed { id } resident { code givenName } } errors { code }
  }
}"""

BED_SET_STATUS = """
mutation ($input: BedSetStatusInput!) {
  bedSetStatus(input: $input) { bed { id status outOfServiceReason } errors { code } }
}"""

CASE_NOTE_ADD = """
mutation ($input: CaseNoteAddInput!) {
  caseNoteAdd(input: $input) { note { kind text } errors { code } }
}"""

USER_CREATE = """
mutation ($input: UserCreateInput!) {
  userCreate(input: $input) { user { username role active } errors { code } }
}"""

USER_DEACTIVATE = """
mutation ($input: UserInput!) {
  userDeactivate(input: $input) { user { username active } errors { code } }
}"""

USER_REVOKE_SESSIONS = """
mutation ($input: UserInput!) { userRevokeSessions(input: $input) { revoked errors { code } } }"""

TRANSFER_WORD_FOR_WORD = """
mutation ($input: TransferInput!) {
  transfer(input: $input) { stay { id } errors { code field message } }
}"""

LOGOUT = "mutation { logout { errors { code } } }"

# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    gql: GraphQLClient
    settings: Settings
    tokens: dict[str, str | None]
    users: dict[str, int]
    regions: dict[str, Region]
    shelters: dict[str, Shelter]
    rooms: dict[str, list[Room]]
    beds: dict[str, Bed]
    residents: dict[str, Resident]
    stays: dict[str, Stay]

    def id(self, kind: str, key: str) -> str:
        """The global ID of a named object: ("Bed", "A2"), ("User", STAFF)."""
        rows: dict[str, Any] = {
            "Shelter": self.shelters,
            "Bed": self.beds,
            "Resident": self.residents,
            "Stay": self.stays,
            "Region": self.regions,
        }.get(kind, {})
        number = self.users[key] if kind == "User" else rows[key].id
        return encode_id(kind, number)

    def code(self, resident: str) -> str:
        return self.residents[resident].code

    async def ask(
        self, viewer: str, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The response body to ``document`` as ``viewer``; a network role's must name nobody."""
        body = await self.gql.as_token(self.tokens[viewer]).post(document, variables)
        if viewer in NETWORK:
            text = json.dumps(body, ensure_ascii=False)
            secrets = COORDINATOR_SECRETS if viewer == COORDINATOR else SECRETS
            leaked = [secret for secret in secrets if secret in text]
            assert not leaked, f"{viewer} was shown {leaked} by {document}"
        return body


async def seed(gql: GraphQLClient, settings: Settings) -> World:
    network = await build_network(shelters=3, rooms_per_shelter=2, beds_per_room=2, regions=2)
    shelters = dict(zip("ABC", network.shelters, strict=True))
    for key, shelter in shelters.items():
        shelter.name, shelter.address = f"Shelter {key}", ADDRESSES[key]
        await shelter.save(update_fields=["name", "address"])
    beds = {
        f"{key}{number}": bed
        for key, shelter in shelters.items()
        for number, bed in enumerate(network.beds_of(shelter))
    }
    rooms = {
        key: [room for room in network.rooms if room.shelter_id == shelter.id]
        for key, shelter in shelters.items()
    }
    hand = await staff()
    residents = {
        key: await register_resident(
            hand, person.registration(), shelter_id=shelters[person.intake].id
        )
        for key, person in PEOPLE.items()
    }
    stays: dict[str, Stay] = {}
    for key, visit in STAYS.items():
        if key == "moved@B":
            stays[key] = await transfer(
                hand, stays["moved@A"].id, beds["B1"].id, at=now() - timedelta(days=2)
            )
            await stays["moved@A"].refresh_from_db()
        else:
            stays[key] = await check_in(
                hand,
                residents[visit.resident].id,
                beds[visit.beds[0]].id,
                at=now() - timedelta(days=CHECKED_IN_DAYS_AGO[key]),
            )
    tokens: dict[str, str | None] = {ANONYMOUS: None}
    users: dict[str, int] = {}
    for viewer, (role, works_in) in ACCOUNTS.items():
        tokens[viewer] = await sign_in(
            role, [shelters[key] for key in works_in], name=f"matrix-{viewer}"
        )
        users[viewer] = (await User.get(username=f"matrix-{viewer}")).id
    spare = await create_user(
        Viewer.operator("tests"),
        "matrix-spare",
        "Spare Account",
        Role.LEGAL,
        PASSWORD,
        [shelters["C"].id],
    )
    users["spare"] = spare.id
    await login("matrix-spare", PASSWORD, client="tests", address="test-spare", settings=settings)
    for note in NOTES:
        author = await authenticate(tokens[note.author] or "", client="tests", settings=settings)
        await write_note(
            author, resident_id=residents[note.resident].id, kind=note.kind, text=note.text
        )
    return World(
        gql=gql,
        settings=settings,
        tokens=tokens,
        users=users,
        regions={region.name: region for region in network.regions},
        shelters=shelters,
        rooms=rooms,
        beds=beds,
        residents=residents,
        stays=stays,
    )


@dataclass
class Stage:
    """The module's app and its world; the world is built anew when a test has changed it and
    could not put it back."""

    gql: GraphQLClient
    settings: Settings
    current: World | None = field(default=None)
    #: The world's rows as the last test that may write left them (``snapshot``). Tests that
    #: only read write nothing but audit events, so the next such test can start from these.
    rows: dict[str, Any] | None = None

    async def world(self) -> World:
        if self.current is None:
            await empty_tables()
            self.current = await seed(self.gql, self.settings)
        return self.current

    def spoil(self) -> None:
        self.current = self.rows = None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(database_url: str) -> AsyncIterator[Stage]:
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
            yield Stage(GraphQLClient(http), settings)


@pytest_asyncio.fixture(loop_scope="module")
async def world(stage: Stage) -> World:
    """The world, for cells that only read (their reads add audit events, nothing else)."""
    return await stage.world()


#: Every table a request could write to, children first, for "nothing was written" (and the
#: audit trail, which is append-only and grows with every read of a name: by its length).
WRITABLE = (
    CaseNote,
    AuthToken,
    BedAssignment,
    BedOutage,
    BedHold,
    Stay,
    Resident,
    User,
    Bed,
    Room,
    Shelter,
    Region,
)


async def snapshot() -> dict[str, Any]:
    tables: dict[str, Any] = {"AuditEvent": await AuditEvent.all().count()}
    for model in WRITABLE:
        rows = await model.all().order_by("id").values()
        tables[model.__name__] = {
            row["id"]: {k: v for k, v in row.items() if k != "last_used_at"} for row in rows
        }
    works_in = await User.all().values_list("id", "shelters__id")
    tables["account_shelter"] = sorted(works_in, key=lambda pair: (pair[0], pair[1] or 0))
    return tables


async def undo(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Put the world's rows back as they were ``before`` a test that only added and changed rows
    (the audit trail apart, which nothing may change); whether that worked."""
    for model in WRITABLE:
        old, new = before[model.__name__], after[model.__name__]
        if old.keys() - new.keys():
            return False
        added = sorted(new.keys() - old.keys())
        if model is User:
            for user in await User.filter(id__in=added):
                await user.shelters.clear()
        await model.filter(id__in=added).delete()
    for model in WRITABLE:
        old, new = before[model.__name__], after[model.__name__]
        for row_id, row in old.items():
            if new[row_id] != row:
                await model.filter(id=row_id).update(**{k: v for k, v in row.items() if k != "id"})
    restored = await snapshot()
    return {**restored, "AuditEvent": 0} == {**before, "AuditEvent": 0}


@dataclass
class Writable:
    world: World
    before: dict[str, Any]
    after: dict[str, Any] | None = None

    async def unchanged(self) -> bool:
        """Whether nothing was written since the test began."""
        self.after = await snapshot()
        return self.after == self.before


@pytest_asyncio.fixture(loop_scope="module")
async def writable(stage: Stage) -> AsyncIterator[Writable]:
    """The world, for cells that may write: put back as it was afterwards (or built anew)."""
    world = await stage.world()
    rows = stage.rows if stage.rows is not None else await snapshot()
    cell = Writable(world, {**rows, "AuditEvent": await AuditEvent.all().count()})
    yield cell
    if cell.after is None:
        await cell.unchanged()
    assert cell.after is not None
    if cell.after == cell.before or await undo(cell.before, cell.after):
        stage.rows = cell.before
    else:
        stage.spoil()


# --- what came back ------------------------------------------------------------------------------


def refusals(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    """Each error of a response as (extensions.code, path)."""
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


def codes(connection: dict[str, Any]) -> list[str]:
    assert connection["totalCount"] == len(connection["edges"]), connection
    return [edge["node"]["code"] for edge in connection["edges"]]


def cells(*axes: list[str]) -> list[Any]:
    return list(axes[0]) if len(axes) == 1 else [(a, b) for a in axes[0] for b in axes[1]]


def sees_shelter(viewer: str, shelter: str) -> bool:
    return viewer in SHELTER_SEEN_BY[shelter]


def shelter_of_bed(bed: str) -> str:
    return bed[0]


def visible_stays(viewer: str, resident: str) -> list[str]:
    return [
        key for key, stay in STAYS.items() if stay.resident == resident and viewer in stay.seen_by
    ]


def readable_notes(viewer: str, resident: str) -> list[dict[str, str]]:
    return [
        {"kind": note.kind.name, "text": note.text}
        for note in NOTES
        if note.resident == resident and viewer in note.read_by
    ]


# --- shelters, rooms, beds, occupancy ------------------------------------------------------------


def expected_shelter(world: World, shelter: str) -> dict[str, Any]:
    occupied = [bed for bed in OCCUPIED if shelter_of_bed(bed) == shelter]
    return {
        "id": world.id("Shelter", shelter),
        "name": f"Shelter {shelter}",
        "occupancy": {"capacity": 4, "occupied": len(occupied), "free": 4 - len(occupied)},
        "rooms": [
            {
                "name": room.name,
                "beds": [
                    {
                        "id": encode_id("Bed", bed.id),
                        "status": "OCCUPIED" if key in OCCUPIED else "FREE",
                    }
                    for key, bed in world.beds.items()
                    if bed.room_id == room.id
                ],
            }
            for room in world.rooms[shelter]
        ],
    }


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B", "C"]))
async def test_shelter_by_id_with_rooms_beds_and_occupancy(
    world: World, viewer: str, shelter: str
) -> None:
    # given a shelter's ID
    # when the viewer asks for it
    body = await world.ask(viewer, SHELTER, {"id": world.id("Shelter", shelter)})

    # then whoever sees it gets all of it, counts of hidden residents included; others null
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "shelter")
    elif sees_shelter(viewer, shelter):
        assert assert_ok(body)["shelter"] == expected_shelter(world, shelter)
    else:
        assert assert_ok(body) == {"shelter": None}


@pytest.mark.parametrize(
    ("viewer", "target"),
    cells(VIEWERS, [f"{kind} {key}" for kind in ("Shelter", "Room", "Bed") for key in "ABC"]),
)
async def test_shelter_room_and_bed_through_node(world: World, viewer: str, target: str) -> None:
    # given the global ID of a shelter, one of its rooms or one of its beds
    kind, shelter = target.split()
    name = f"Shelter {shelter}"
    if kind == "Shelter":
        node_id, expected = world.id("Shelter", shelter), {"name": name}
    elif kind == "Room":
        room = world.rooms[shelter][1]
        node_id, expected = (
            encode_id("Room", room.id),
            {"name": room.name, "shelter": {"name": name}},
        )
    else:
        bed = world.beds[f"{shelter}3"]
        node_id, expected = (
            encode_id("Bed", bed.id),
            {"label": bed.label, "room": {"shelter": {"name": name}}},
        )

    # when the viewer asks node(id:)
    body = await world.ask(viewer, NODE, {"id": node_id})

    # then it is there only for who sees the shelter
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
    elif sees_shelter(viewer, shelter):
        assert assert_ok(body)["node"] == {"id": node_id, **expected}
    else:
        assert assert_ok(body) == {"node": None}


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B", "C"]))
async def test_shelter_address(world: World, viewer: str, shelter: str) -> None:
    # given a shelter's ID
    # when the viewer asks for its address
    body = await world.ask(viewer, ADDRESS, {"id": world.id("Shelter", shelter)})

    # then administrators and its own staff read it; a coordinator gets null and FORBIDDEN
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "shelter")
    elif viewer in ADDRESS_READ_BY[shelter]:
        assert assert_ok(body)["shelter"] == {
            "name": f"Shelter {shelter}",
            "address": ADDRESSES[shelter],
        }
    elif sees_shelter(viewer, shelter):
        assert viewer == COORDINATOR
        assert body["data"]["shelter"] == {"name": f"Shelter {shelter}", "address": None}
        assert refusals(body) == [("FORBIDDEN", ("shelter", "address"))]
    else:
        assert assert_ok(body) == {"shelter": None}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_shelters_list(world: World, viewer: str) -> None:
    # given shelters A, B and C
    # when the viewer lists shelters
    body = await world.ask(viewer, SHELTERS)

    # then exactly the ones they see are listed
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "shelters")
        return
    connection = assert_ok(body)["shelters"]
    expected = [f"Shelter {key}" for key in "ABC" if sees_shelter(viewer, key)]
    assert [edge["node"]["name"] for edge in connection["edges"]] == expected
    assert connection["totalCount"] == len(expected)


@pytest.mark.parametrize(("viewer", "region"), cells(VIEWERS, ["Region 0", "Region 1"]))
async def test_shelters_of_a_region(world: World, viewer: str, region: str) -> None:
    # given region 0 (shelters A and C) and region 1 (shelter B)
    # when the viewer lists the shelters of one
    body = await world.ask(viewer, SHELTERS_OF_REGION, {"region": world.id("Region", region)})

    # then only those they see are listed
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "shelters")
        return
    expected = [
        f"Shelter {key}" for key in "ABC" if REGION_OF[key] == region and sees_shelter(viewer, key)
    ]
    edges = assert_ok(body)["shelters"]["edges"]
    assert [edge["node"]["name"] for edge in edges] == expected


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_regions_with_their_shelters_beds_and_occupants(world: World, viewer: str) -> None:
    # given two regions, and residents in beds of A and B
    # when the viewer walks regions → shelters → rooms → beds → current stay → resident code
    body = await world.ask(viewer, REGIONS)

    # then every region is listed, with only the shelters they see, and only the occupants they see
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "regions")
        return

    def occupant(bed: str) -> dict[str, Any] | None:
        stay = OCCUPIED.get(bed)
        if stay is None or viewer not in STAYS[stay].seen_by:
            return None
        return {"resident": {"code": world.code(STAYS[stay].resident)}}

    expected = [
        {
            "name": region,
            "shelters": [
                {
                    "name": f"Shelter {key}",
                    "rooms": [
                        {
                            "beds": [
                                {
                                    "id": world.id("Bed", f"{key}{2 * r + b}"),
                                    "currentStay": occupant(f"{key}{2 * r + b}"),
                                }
                                for b in range(2)
                            ]
                        }
                        for r in range(2)
                    ],
                }
                for key in "ABC"
                if REGION_OF[key] == region and sees_shelter(viewer, key)
            ],
        }
        for region in ("Region 0", "Region 1")
    ]
    assert assert_ok(body)["regions"] == expected


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["all", "A", "B", "C"]))
async def test_available_beds(world: World, viewer: str, shelter: str) -> None:
    # given free beds in every shelter
    variables = {} if shelter == "all" else {"shelter": world.id("Shelter", shelter)}

    # when the viewer lists free beds, everywhere or in one shelter
    body = await world.ask(viewer, AVAILABLE_BEDS, variables)

    # then only free beds of the shelters they see are listed
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "availableBeds")
        return
    expected = [
        {
            "id": world.id("Bed", bed),
            "status": "FREE",
            "room": {"shelter": {"name": f"Shelter {bed[0]}"}},
        }
        for bed in BEDS
        if bed not in OCCUPIED and sees_shelter(viewer, bed[0]) and shelter in ("all", bed[0])
    ]
    connection = assert_ok(body)["availableBeds"]
    assert [edge["node"] for edge in connection["edges"]] == expected
    assert connection["totalCount"] == len(expected)


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["all", "A", "B", "C"]))
async def test_occupancy(world: World, viewer: str, shelter: str) -> None:
    # given 2 beds taken in A (one by a hidden resident), 2 in B, none in C
    variables = {} if shelter == "all" else {"shelter": world.id("Shelter", shelter)}

    # when the viewer asks for occupancy, of the network or of one shelter
    body = await world.ask(viewer, OCCUPANCY, variables)

    # then the figures of the shelters they see, the hidden resident counted as a bed taken
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "occupancy")
        return
    counted = [key for key in "ABC" if sees_shelter(viewer, key) and shelter in ("all", key)]

    def taken(key: str) -> int:
        return sum(1 for bed in OCCUPIED if bed[0] == key)

    regions = [
        {
            "region": {"name": region},
            "shelters": [
                {
                    "shelter": {"name": f"Shelter {key}"},
                    "occupancy": {"capacity": 4, "occupied": taken(key), "free": 4 - taken(key)},
                }
                for key in counted
                if REGION_OF[key] == region
            ],
        }
        for region in ("Region 0", "Region 1")
        if any(REGION_OF[key] == region for key in counted)
    ]
    occupied = sum(taken(key) for key in counted)
    report = assert_ok(body)["occupancy"]
    assert report["regions"] == regions
    assert report["total"] == {
        "capacity": 4 * len(counted),
        "occupied": occupied,
        "held": 0,
        "outOfService": 0,
        "free": 4 * len(counted) - occupied,
    }


@pytest.mark.parametrize(("viewer", "bed"), cells(VIEWERS, sorted(OCCUPIED)))
async def test_who_sleeps_in_a_bed(world: World, viewer: str, bed: str) -> None:
    # given a bed taken by a resident
    # when the viewer asks the bed (by node) for its current stay and the resident in it
    body = await world.ask(viewer, BED_NOW, {"id": world.id("Bed", bed)})

    # then the bed shows occupied to whoever sees the shelter, the stay and the person only to
    # whoever sees the stay, and the name only to shelter roles
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
        return
    if not sees_shelter(viewer, shelter_of_bed(bed)):
        assert assert_ok(body) == {"node": None}
        return
    stay = STAYS[OCCUPIED[bed]]
    person = PEOPLE[stay.resident]
    current = None
    if viewer in stay.seen_by:
        current = {
            "id": world.id("Stay", OCCUPIED[bed]),
            "resident": {
                "code": world.code(stay.resident),
                "givenName": person.given if viewer in SHELTER_BOUND else None,
            },
        }
    assert body["data"]["node"] == {
        "id": world.id("Bed", bed),
        "status": "OCCUPIED",
        "currentStay": current,
    }
    forbidden = [("FORBIDDEN", ("node", "currentStay", "resident", "givenName"))]
    assert refusals(body) == (forbidden if current and viewer in NETWORK else [])


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_walk_from_shelters_to_residents_stays_and_notes(world: World, viewer: str) -> None:
    # given residents in beds of A and B, with notes
    # when the viewer walks shelters → rooms → beds → current stay → resident → name, stays, notes
    body = await world.ask(viewer, BED_WALK)

    # then each bed shows the occupant the viewer may see, with what they may read of them
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "shelters")
        return
    forbidden = []

    def current(bed: str, path: tuple[Any, ...]) -> dict[str, Any] | None:
        key = OCCUPIED.get(bed)
        if key is None or viewer not in STAYS[key].seen_by:
            return None
        resident = STAYS[key].resident
        if viewer in NETWORK:
            forbidden.append(("FORBIDDEN", (*path, "currentStay", "resident", "givenName")))
        return {
            "id": world.id("Stay", key),
            "resident": {
                "code": world.code(resident),
                "givenName": PEOPLE[resident].given if viewer in SHELTER_BOUND else None,
                "stays": [
                    {"shelter": {"name": f"Shelter {STAYS[s].shelter}"}}
                    for s in visible_stays(viewer, resident)
                ],
                "notes": readable_notes(viewer, resident),
            },
        }

    seen = [key for key in "ABC" if sees_shelter(viewer, key)]
    expected = [
        {
            "name": f"Shelter {key}",
            "rooms": [
                {
                    "name": f"Room {r}",
                    "beds": [
                        {
                            "id": world.id("Bed", f"{key}{2 * r + b}"),
                            "status": "OCCUPIED" if f"{key}{2 * r + b}" in OCCUPIED else "FREE",
                            "currentStay": current(
                                f"{key}{2 * r + b}",
                                ("shelters", "edges", s, "node", "rooms", r, "beds", b),
                            ),
                        }
                        for b in range(2)
                    ],
                }
                for r in range(2)
            ],
        }
        for s, key in enumerate(seen)
    ]
    assert [edge["node"] for edge in body["data"]["shelters"]["edges"]] == expected
    assert refusals(body) == sorted(forbidden)


# --- residents -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, RESIDENTS))
@pytest.mark.parametrize("route", ["resident", "node"])
async def test_resident_code_sex_age_band_nationality(
    world: World, viewer: str, resident: str, route: str
) -> None:
    # given a resident's ID
    resident_id = world.id("Resident", resident)
    person = PEOPLE[resident]

    # when the viewer asks for the anonymous facts, by resident(id:) or node(id:)
    body = await world.ask(
        viewer, RESIDENT if route == "resident" else RESIDENT_NODE, {"id": resident_id}
    )

    # then whoever sees the person gets them; anyone else null (a hidden person: network roles too)
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, route)
    elif viewer in person.seen_by:
        assert assert_ok(body)[route] == {
            "id": resident_id,
            "code": world.code(resident),
            "sex": person.sex.name,
            "nationality": person.nationality,
            "ageBand": age_band(person.birth).name,
        }
    else:
        assert assert_ok(body) == {route: None}


@pytest.mark.parametrize(("viewer", "field_name"), cells(VIEWERS, list(IDENTITY_SELECTIONS)))
async def test_each_identity_field_of_a_resident(
    world: World, viewer: str, field_name: str
) -> None:
    # given the resident in A
    person = PEOPLE["in_a"]

    # when the viewer asks for one identity or case field
    body = await world.ask(viewer, IDENTITY_FIELD[field_name], {"id": world.id("Resident", "in_a")})

    # then shelter roles of A read it; network roles get null and FORBIDDEN; others no resident
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
    elif viewer in person.identity_read_by:
        assert assert_ok(body)["resident"] == {
            "code": world.code("in_a"),
            field_name: person.identity()[field_name],
        }
    elif viewer in person.seen_by:
        assert viewer in NETWORK
        assert body["data"]["resident"] == {"code": world.code("in_a"), field_name: None}
        assert refusals(body) == [("FORBIDDEN", ("resident", field_name))]
    else:
        assert assert_ok(body) == {"resident": None}


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, RESIDENTS))
async def test_every_identity_field_of_each_resident(
    world: World, viewer: str, resident: str
) -> None:
    # given a resident
    person = PEOPLE[resident]

    # when the viewer asks for all identity and case fields at once
    body = await world.ask(viewer, IDENTITY_ALL, {"id": world.id("Resident", resident)})

    # then all of them, or all null with one FORBIDDEN each, or no resident
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
    elif viewer in person.identity_read_by:
        assert assert_ok(body)["resident"] == {"code": world.code(resident), **person.identity()}
    elif viewer in person.seen_by:
        assert body["data"]["resident"] == {
            "code": world.code(resident),
            **dict.fromkeys(IDENTITY_SELECTIONS),
        }
        assert refusals(body) == sorted(
            ("FORBIDDEN", ("resident", name)) for name in IDENTITY_SELECTIONS
        )
    else:
        assert assert_ok(body) == {"resident": None}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_residents_list(world: World, viewer: str) -> None:
    # given five residents
    # when the viewer lists residents
    body = await world.ask(viewer, RESIDENTS_LIST)

    # then exactly those they see are listed
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "residents")
        return
    expected = [world.code(key) for key, person in PEOPLE.items() if viewer in person.seen_by]
    assert codes(assert_ok(body)["residents"]) == expected


@pytest.mark.parametrize(("viewer", "shelter"), cells(VIEWERS, ["A", "B", "C"]))
async def test_residents_of_a_shelter(world: World, viewer: str, shelter: str) -> None:
    # given stays in A and B
    # when the viewer lists the residents who stayed in one shelter
    body = await world.ask(viewer, RESIDENTS_OF_SHELTER, {"shelter": world.id("Shelter", shelter)})

    # then only residents of stays the viewer sees there are listed
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "residents")
        return
    expected = [
        world.code(key)
        for key in PEOPLE
        if any(
            s.resident == key and s.shelter == shelter and viewer in s.seen_by
            for s in STAYS.values()
        )
    ]
    assert codes(assert_ok(body)["residents"]) == expected


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, RESIDENTS))
@pytest.mark.parametrize("by", ["given name", "family name", "code"])
async def test_residents_search(world: World, viewer: str, resident: str, by: str) -> None:
    # given a resident
    person = PEOPLE[resident]
    term = {
        "given name": person.given.lower(),
        "family name": person.family.upper(),
        "code": world.code(resident),
    }[by]

    # when the viewer searches residents by their name or code
    body = await world.ask(viewer, RESIDENTS_SEARCH, {"search": term})

    # then a name finds them only for who reads names; a code for whoever sees them
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "residents")
        return
    found = viewer in (person.seen_by if by == "code" else person.identity_read_by)
    assert codes(assert_ok(body)["residents"]) == ([world.code(resident)] if found else [])


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, RESIDENTS))
async def test_resident_stays_current_stay_and_bed_history(
    world: World, viewer: str, resident: str
) -> None:
    # given a resident (one moved from A to B)
    person = PEOPLE[resident]

    # when the viewer asks for their stays, each with its beds, and their current stay
    body = await world.ask(viewer, RESIDENT_STAYS, {"id": world.id("Resident", resident)})

    # then only the stays the viewer sees: staff of A the stay in A, staff of B the one in B
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
        return
    if viewer not in person.seen_by:
        assert assert_ok(body) == {"resident": None}
        return
    stays = [
        {
            "id": world.id("Stay", key),
            "active": STAYS[key].active,
            "shelter": {"name": f"Shelter {STAYS[key].shelter}"},
            "bedHistory": [
                {
                    "bed": {
                        "id": world.id("Bed", bed),
                        "room": {"shelter": {"name": f"Shelter {bed[0]}"}},
                    }
                }
                for bed in STAYS[key].beds
            ],
        }
        for key in visible_stays(viewer, resident)
    ]
    current = [
        {
            "id": world.id("Stay", key),
            "shelter": {"name": f"Shelter {STAYS[key].shelter}"},
            "bed": {"id": world.id("Bed", STAYS[key].beds[-1])},
        }
        for key in visible_stays(viewer, resident)
        if STAYS[key].active
    ]
    assert assert_ok(body)["resident"] == {
        "code": world.code(resident),
        "currentStay": current[0] if current else None,
        "stays": stays,
    }


@pytest.mark.parametrize(("viewer", "stay"), cells(VIEWERS, list(STAYS)))
async def test_stay_through_node_and_its_resident(world: World, viewer: str, stay: str) -> None:
    # given a stay's ID
    visit = STAYS[stay]
    stay_id = world.id("Stay", stay)

    # when the viewer asks node(id:) for it, its bed and its resident
    body = await world.ask(viewer, STAY_NODE, {"id": stay_id})

    # then only who sees the stay gets it; the name only for shelter roles
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
        return
    if viewer not in visit.seen_by:
        assert assert_ok(body) == {"node": None}
        return
    assert body["data"]["node"] == {
        "id": stay_id,
        "active": visit.active,
        "shelter": {"name": f"Shelter {visit.shelter}"},
        "bed": {"id": world.id("Bed", visit.beds[-1])} if visit.active else None,
        "resident": {
            "code": world.code(visit.resident),
            "givenName": PEOPLE[visit.resident].given if viewer in SHELTER_BOUND else None,
        },
    }
    forbidden = [("FORBIDDEN", ("node", "resident", "givenName"))]
    assert refusals(body) == (forbidden if viewer in NETWORK else [])


@pytest.mark.parametrize(("viewer", "resident"), cells(VIEWERS, RESIDENTS))
async def test_resident_notes(world: World, viewer: str, resident: str) -> None:
    # given notes of every kind on the resident in A, a medical one on the one who moved to B,
    # a legal one on the hidden one
    person = PEOPLE[resident]

    # when the viewer asks for the resident's notes
    body = await world.ask(viewer, RESIDENT_NOTES, {"id": world.id("Resident", resident)})

    # then medical notes only to medical, legal only to legal, counselling only to its author;
    # everyone else who sees the resident an empty list
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "resident")
    elif viewer in person.seen_by:
        assert assert_ok(body)["resident"] == {
            "code": world.code(resident),
            "notes": readable_notes(viewer, resident),
        }
    else:
        assert assert_ok(body) == {"resident": None}


# --- accounts and the audit trail ----------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_viewer(world: World, viewer: str) -> None:
    # given a signed-in person, or nobody
    # when they ask who they are
    body = await world.ask(viewer, VIEWER)

    # then their own account with the shelters they work in; nobody: null, and no error
    if viewer == ANONYMOUS:
        assert assert_ok(body) == {"viewer": None}
        return
    role, works_in = ACCOUNTS[viewer]
    assert assert_ok(body)["viewer"] == {
        "username": f"matrix-{viewer}",
        "role": role.name,
        "shelters": [{"name": f"Shelter {key}"} for key in works_in],
    }


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_users_list(world: World, viewer: str) -> None:
    # given nine accounts
    # when the viewer lists accounts
    body = await world.ask(viewer, USERS)

    # then only an administrator gets them; anyone else a FORBIDDEN error and no data
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "users")
    elif viewer == ADMIN:
        connection = assert_ok(body)["users"]
        usernames = sorted(edge["node"]["username"] for edge in connection["edges"])
        assert usernames == sorted([f"matrix-{key}" for key in ACCOUNTS] + ["matrix-spare"])
        assert connection["totalCount"] == len(ACCOUNTS) + 1
    else:
        assert refusals(body) == [("FORBIDDEN", ("users",))]
        assert body["data"] is None


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_another_account_through_node(world: World, viewer: str) -> None:
    # given another person's account (a legal adviser of C)
    user_id = world.id("User", "spare")

    # when the viewer asks node(id:) for it
    body = await world.ask(viewer, USER_NODE, {"id": user_id})

    # then an administrator gets it; anyone else null
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "node")
    elif viewer == ADMIN:
        assert assert_ok(body)["node"] == {
            "id": user_id,
            "username": "matrix-spare",
            "role": "LEGAL",
            "shelters": [{"name": "Shelter C"}],
        }
    else:
        assert assert_ok(body) == {"node": None}


@pytest.mark.parametrize("viewer", SIGNED_IN)
async def test_own_account_through_node(world: World, viewer: str) -> None:
    # given the viewer's own account
    user_id = world.id("User", viewer)

    # when they ask node(id:) for it
    body = await world.ask(viewer, USER_NODE, {"id": user_id})

    # then they get it, with the shelters they work in
    role, works_in = ACCOUNTS[viewer]
    assert assert_ok(body)["node"] == {
        "id": user_id,
        "username": f"matrix-{viewer}",
        "role": role.name,
        "shelters": [{"name": f"Shelter {key}"} for key in works_in],
    }


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_audit_events(world: World, viewer: str) -> None:
    # given an audit trail of registrations, check-ins, notes and sign-ins
    # when the viewer reads it
    body = await world.ask(viewer, AUDIT_EVENTS)

    # then only an administrator may (and sees no name: ``ask`` checks); others FORBIDDEN
    if viewer == ANONYMOUS:
        assert_unauthenticated(body, "auditEvents")
    elif viewer == ADMIN:
        actions = {edge["node"]["action"] for edge in assert_ok(body)["auditEvents"]["edges"]}
        assert {"register_resident", "check_in", "transfer", "write_note", "login"} <= actions
    else:
        assert refusals(body) == [("FORBIDDEN", ("auditEvents",))]
        assert body["data"] is None


async def test_audit_trail_does_not_disclose_a_hidden_resident(world: World) -> None:
    # given a hidden resident, registered and checked in at A, with a legal note
    hidden_id = world.id("Resident", "hidden")
    stay_id = world.id("Stay", "hidden@A")

    # when an administrator reads the whole audit trail, and the trail of that resident
    everything = await world.ask(ADMIN, AUDIT_EVENTS)
    theirs = await world.ask(ADMIN, AUDIT_EVENTS, {"resident": hidden_id})

    # then neither mentions the resident nor their stay (the events stay listed, for
    # accountability: who did what and when, but not to whom or where)
    text = json.dumps(everything)
    assert hidden_id not in text and stay_id not in text
    assert assert_ok(theirs)["auditEvents"]["totalCount"] == 0


# --- nobody signed in ----------------------------------------------------------------------------

ROOT_QUERIES = {
    "regions": "{ regions { name } }",
    "shelters": SHELTERS,
    "shelter": ADDRESS,
    "availableBeds": AVAILABLE_BEDS,
    "occupancy": OCCUPANCY,
    "residents": RESIDENTS_LIST,
    "resident": RESIDENT,
    "node": NODE,
    "users": USERS,
    "auditEvents": AUDIT_EVENTS,
}


@pytest.mark.parametrize("root", list(ROOT_QUERIES))
async def test_nobody_signed_in_gets_nothing_from_any_query(world: World, root: str) -> None:
    # given no token, or a token that is not a session
    variables = {
        "id": world.id("Resident", "in_a") if root == "resident" else world.id("Shelter", "A")
    }
    for token in (None, "not-a-session-token"):
        # when any query but viewer is asked
        body = await world.gql.as_token(token).post(
            ROOT_QUERIES[root], variables if "$id" in ROOT_QUERIES[root] else {}
        )

        # then UNAUTHENTICATED, and no data
        assert_unauthenticated(body, root)


# --- mutations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One mutation on given objects: who may, and what an allowed one returns."""

    name: str
    document: str
    #: The input, from the world.
    input: Callable[[World], dict[str, Any]]
    #: The payload field holding the result (null when refused).
    result: str
    #: Who may; anyone else signed in is refused FORBIDDEN, or NOT_FOUND if in ``not_found``.
    allowed: frozenset[str]
    #: The result an allowed viewer gets.
    expect: Callable[[World, str], Any]
    #: Who is refused NOT_FOUND: the object is not theirs to see at all.
    not_found: frozenset[str] = NOBODY
    #: Where the payload shows a resident's given name (null + FORBIDDEN for network roles).
    name_path: tuple[str, ...] = ()
    #: What an allowed attempt wrote, checked in the database.
    written: Callable[[World, str], Awaitable[bool]] | None = None

    @property
    def root(self) -> str:
        found = re.search(r"\{\s*(\w+)\(input", self.document)
        assert found is not None
        return found.group(1)


def _registration(shelter: str) -> Callable[[World], dict[str, Any]]:
    def build(world: World) -> dict[str, Any]:
        return {
            "givenName": "Nodira",
            "familyName": "Ergasheva",
            "sex": "FEMALE",
            "nationality": "UZ",
            "referralSource": "HOTLINE",
            "documentStatus": "LOST",
            "consents": {"dataProcessing": True},
            "shelter": world.id("Shelter", shelter),
            "doNotDisclosePresence": True,
        }

    return build


def _stay_in(bed: str, resident: str) -> Callable[[World, str], dict[str, Any]]:
    def expect(world: World, viewer: str) -> dict[str, Any]:
        return {
            "active": True,
            "shelter": {"name": f"Shelter {bed[0]}"},
            "bed": {"id": world.id("Bed", bed)},
            "resident": {
                "code": world.code(resident),
                "givenName": PEOPLE[resident].given if viewer in SHELTER_BOUND else None,
            },
        }

    return expect


def _note(resident: str, kind: NoteKind) -> Callable[[World], dict[str, Any]]:
    return lambda world: {
        "resident": world.id("Resident", resident),
        "kind": kind.name,
        "text": f"New {kind.value} note",
    }


async def _note_written(world: World, viewer: str) -> bool:
    written = sum(1 for note in NOTES if note.author == viewer)
    return await CaseNote.filter(author_id=world.users[viewer]).count() == written + 1


async def _registered(world: World, viewer: str) -> bool:
    return await Resident.filter(
        given_name="Nodira", intake_shelter_id=world.shelters["A"].id
    ).exists()


def _stay_moved(stay: str, bed: str) -> Callable[[World, str], Awaitable[bool]]:
    async def written(world: World, viewer: str) -> bool:
        resident = world.residents[STAYS[stay].resident]
        return await BedAssignment.filter(
            stay__resident_id=resident.id, bed_id=world.beds[bed].id, ended_at__isnull=True
        ).exists()

    return written


def _bed_out(bed: str) -> Callable[[World, str], Awaitable[bool]]:
    async def written(world: World, viewer: str) -> bool:
        return await BedOutage.filter(bed_id=world.beds[bed].id, ended_at__isnull=True).exists()

    return written


async def _checked_in(world: World, viewer: str) -> bool:
    return await BedAssignment.filter(
        stay__resident_id=world.residents["waiting"].id,
        bed_id=world.beds["A3"].id,
        ended_at__isnull=True,
    ).exists()


async def _checked_out(world: World, viewer: str) -> bool:
    return await Stay.filter(id=world.stays["in_a@A"].id, checked_out_at__isnull=False).exists()


async def _checked_out_of_b(world: World, viewer: str) -> bool:
    return await Stay.filter(id=world.stays["moved@B"].id, checked_out_at__isnull=False).exists()


async def _user_made(world: World, viewer: str) -> bool:
    return await User.filter(username="matrix-new").exists()


async def _spare_closed(world: World, viewer: str) -> bool:
    return not (await User.get(id=world.users["spare"])).is_active


async def _spare_signed_out(world: World, viewer: str) -> bool:
    return not await AuthToken.filter(
        user_id=world.users["spare"], revoked_at__isnull=True
    ).exists()


class AnyResidentCode:
    """Equal to any resident code: a new resident's is not known in advance."""

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, str)
            and other.startswith("HV-")
            and len(other) == len("HV-2026-000123")
        )

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<a resident code>"


ATTEMPTS = [
    Attempt(
        "residentRegister at A",
        RESIDENT_REGISTER,
        _registration("A"),
        "resident",
        allowed=frozenset({STAFF, STAFF_AB}),
        expect=lambda world, viewer: {"code": AnyResidentCode(), "givenName": "Nodira"},
        written=_registered,
    ),
    Attempt(
        "residentRegister at C",
        RESIDENT_REGISTER,
        _registration("C"),
        "resident",
        allowed=NOBODY,
        expect=lambda world, viewer: None,
    ),
    Attempt(
        "checkIn of the waiting resident to a bed in A",
        CHECK_IN,
        lambda world: {"resident": world.id("Resident", "waiting"), "bed": world.id("Bed", "A3")},
        "stay",
        allowed=frozenset({STAFF, STAFF_AB}),
        not_found=frozenset({STAFF_B}),
        expect=_stay_in("A3", "waiting"),
        name_path=("stay", "resident", "givenName"),
        written=_checked_in,
    ),
    Attempt(
        "checkIn of the waiting resident to a bed in C",
        CHECK_IN,
        lambda world: {"resident": world.id("Resident", "waiting"), "bed": world.id("Bed", "C0")},
        "stay",
        allowed=NOBODY,
        not_found=frozenset({STAFF, STAFF_B, STAFF_AB}),
        expect=lambda world, viewer: None,
    ),
    Attempt(
        "checkOut of the stay in A",
        CHECK_OUT,
        lambda world: {"stay": world.id("Stay", "in_a@A"), "exitDestination": "RETURNED_HOME"},
        "stay",
        allowed=frozenset({STAFF, STAFF_AB}),
        not_found=frozenset({STAFF_B}),
        expect=lambda world, viewer: {
            "active": False,
            "exitDestination": "RETURNED_HOME",
            "shelter": {"name": "Shelter A"},
        },
        written=_checked_out,
    ),
    Attempt(
        "checkOut of the moved resident's stay in B",
        CHECK_OUT,
        lambda world: {"stay": world.id("Stay", "moved@B"), "exitDestination": "HOSPITAL"},
        "stay",
        allowed=frozenset({STAFF_B, STAFF_AB}),
        not_found=frozenset({STAFF}),
        expect=lambda world, viewer: {
            "active": False,
            "exitDestination": "HOSPITAL",
            "shelter": {"name": "Shelter B"},
        },
        written=_checked_out_of_b,
    ),
    Attempt(
        "transfer within A",
        TRANSFER,
        lambda world: {"stay": world.id("Stay", "in_a@A"), "bed": world.id("Bed", "A3")},
        "stay",
        allowed=frozenset({STAFF, COORDINATOR, STAFF_AB}),
        not_found=frozenset({STAFF_B}),
        expect=_stay_in("A3", "in_a"),
        name_path=("stay", "resident", "givenName"),
        written=_stay_moved("in_a@A", "A3"),
    ),
    Attempt(
        "transfer from A to B",
        TRANSFER,
        lambda world: {"stay": world.id("Stay", "in_a@A"), "bed": world.id("Bed", "B2")},
        "stay",
        allowed=frozenset({COORDINATOR, STAFF_AB}),
        not_found=frozenset({STAFF, STAFF_B}),
        expect=_stay_in("B2", "in_a"),
        name_path=("stay", "resident", "givenName"),
        written=_stay_moved("in_a@A", "B2"),
    ),
    Attempt(
        "transfer of the hidden resident within A",
        TRANSFER,
        lambda world: {"stay": world.id("Stay", "hidden@A"), "bed": world.id("Bed", "A3")},
        "stay",
        allowed=frozenset({STAFF, STAFF_AB}),
        not_found=frozenset({COORDINATOR, STAFF_B}),
        expect=_stay_in("A3", "hidden"),
        name_path=("stay", "resident", "givenName"),
        written=_stay_moved("hidden@A", "A3"),
    ),
    Attempt(
        "bedSetStatus of a bed in A",
        BED_SET_STATUS,
        lambda world: {
            "bed": world.id("Bed", "A3"),
            "status": "OUT_OF_SERVICE",
            "reason": "Broken slats",
        },
        "bed",
        allowed=frozenset({STAFF, ADMIN, STAFF_AB}),
        not_found=frozenset({STAFF_B}),
        expect=lambda world, viewer: {
            "id": world.id("Bed", "A3"),
            "status": "OUT_OF_SERVICE",
            "outOfServiceReason": "Broken slats",
        },
        written=_bed_out("A3"),
    ),
    Attempt(
        "bedSetStatus of a bed in C",
        BED_SET_STATUS,
        lambda world: {"bed": world.id("Bed", "C0"), "status": "OUT_OF_SERVICE", "reason": "Mould"},
        "bed",
        allowed=frozenset({ADMIN}),
        not_found=frozenset({STAFF, STAFF_B, STAFF_AB}),
        expect=lambda world, viewer: {
            "id": world.id("Bed", "C0"),
            "status": "OUT_OF_SERVICE",
            "outOfServiceReason": "Mould",
        },
        written=_bed_out("C0"),
    ),
    *[
        Attempt(
            f"caseNoteAdd {kind.name} on the resident in A",
            CASE_NOTE_ADD,
            _note("in_a", kind),
            "note",
            allowed=allowed,
            expect=lambda world, viewer, kind=kind: {
                "kind": kind.name,
                "text": f"New {kind.value} note",
            },
            written=_note_written,
        )
        for kind, allowed in (
            (NoteKind.MEDICAL, frozenset({MEDICAL})),
            (NoteKind.COUNSELLING, frozenset({COUNSELLOR, COUNSELLOR_2})),
            (NoteKind.LEGAL, frozenset({LEGAL})),
        )
    ],
    Attempt(
        "caseNoteAdd LEGAL on the hidden resident",
        CASE_NOTE_ADD,
        _note("hidden", NoteKind.LEGAL),
        "note",
        allowed=frozenset({LEGAL}),
        expect=lambda world, viewer: {"kind": "LEGAL", "text": "New legal note"},
        written=_note_written,
    ),
    Attempt(
        "caseNoteAdd MEDICAL on the resident only in B",
        CASE_NOTE_ADD,
        _note("in_b", NoteKind.MEDICAL),
        "note",
        allowed=NOBODY,
        not_found=frozenset({MEDICAL}),
        expect=lambda world, viewer: None,
    ),
    Attempt(
        "userCreate",
        USER_CREATE,
        lambda world: {
            "username": "matrix-new",
            "fullName": "New Person",
            "role": "MEDICAL",
            "password": "a long enough password",
            "shelters": [world.id("Shelter", "B")],
        },
        "user",
        allowed=frozenset({ADMIN}),
        expect=lambda world, viewer: {"username": "matrix-new", "role": "MEDICAL", "active": True},
        written=_user_made,
    ),
    Attempt(
        "userDeactivate",
        USER_DEACTIVATE,
        lambda world: {"user": world.id("User", "spare")},
        "user",
        allowed=frozenset({ADMIN}),
        expect=lambda world, viewer: {"username": "matrix-spare", "active": False},
        written=_spare_closed,
    ),
    Attempt(
        "userRevokeSessions",
        USER_REVOKE_SESSIONS,
        lambda world: {"user": world.id("User", "spare")},
        "revoked",
        allowed=frozenset({ADMIN}),
        expect=lambda world, viewer: 1,
        written=_spare_signed_out,
    ),
]


ATTEMPT_CELLS = [
    pytest.param(attempt, viewer, id=f"{attempt.name}-{viewer}")
    for attempt in ATTEMPTS
    for viewer in VIEWERS
]


@pytest.mark.parametrize(("attempt", "viewer"), ATTEMPT_CELLS)
async def test_mutation(writable: Writable, attempt: Attempt, viewer: str) -> None:
    world = writable.world
    root = attempt.root

    # given the objects the mutation names
    variables = {"input": attempt.input(world)}

    # when the viewer tries it
    body = await world.ask(viewer, attempt.document, variables)

    # then only the allowed roles succeed; anyone else is refused and nothing is written
    payload = body["data"][root]
    if viewer in attempt.allowed:
        name_hidden = viewer in NETWORK and attempt.name_path
        assert refusals(body) == (
            [("FORBIDDEN", (root, *attempt.name_path))] if name_hidden else []
        ), body
        assert payload == {attempt.result: attempt.expect(world, viewer), "errors": []}
        assert attempt.written is not None and await attempt.written(world, viewer)
        return
    code = (
        "UNAUTHENTICATED"
        if viewer == ANONYMOUS
        else "NOT_FOUND"
        if viewer in attempt.not_found
        else "FORBIDDEN"
    )
    assert "errors" not in body, body["errors"]
    assert payload == {attempt.result: None, "errors": [{"code": code}]}
    assert await writable.unchanged()


@pytest.mark.parametrize("viewer", SIGNED_IN)
async def test_logout_ends_only_that_session(writable: Writable, viewer: str) -> None:
    world = writable.world
    # given a second session of the viewer
    token, _ = await login(
        f"matrix-{viewer}",
        PASSWORD,
        client="tests",
        address=f"second-{viewer}",
        settings=world.settings,
    )

    # when they sign out of it
    body = await world.gql.as_token(token).post(LOGOUT)

    # then it ends, and their first session goes on
    assert assert_ok(body) == {"logout": {"errors": []}}
    assert_unauthenticated(await world.gql.as_token(token).post(SHELTERS), "shelters")
    assert (await world.ask(viewer, VIEWER))["data"]["viewer"]["username"] == f"matrix-{viewer}"


async def test_logout_without_a_session_is_refused_and_writes_nothing(writable: Writable) -> None:
    # given nobody signed in
    # when they sign out
    body = await writable.world.gql.as_token(None).post(LOGOUT)

    # then it is refused, and nothing is written, not even to the audit trail
    assert assert_ok(body) == {"logout": {"errors": [{"code": "UNAUTHENTICATED"}]}}
    assert await writable.unchanged()


# --- nothing leaks to network roles --------------------------------------------------------------


@pytest.mark.parametrize("viewer", [ADMIN, COORDINATOR])
async def test_no_response_to_a_network_role_shows_a_name_or_a_hidden_resident(
    world: World, viewer: str
) -> None:
    # given every read document, over every object the world has
    ids = {
        "Resident": [world.id("Resident", key) for key in PEOPLE],
        "Stay": [world.id("Stay", key) for key in STAYS],
        "Bed": [world.id("Bed", key) for key in BEDS],
        "Shelter": [world.id("Shelter", key) for key in "ABC"],
    }
    by_id = {
        RESIDENT: ids["Resident"],
        RESIDENT_NODE: ids["Resident"],
        IDENTITY_ALL: ids["Resident"],
        RESIDENT_STAYS: ids["Resident"],
        RESIDENT_NOTES: ids["Resident"],
        STAY_NODE: ids["Stay"],
        BED_NOW: ids["Bed"],
        NODE: ids["Shelter"] + ids["Bed"],
        SHELTER: ids["Shelter"],
        ADDRESS: ids["Shelter"],
    }
    hidden = [
        world.code("hidden"),
        world.id("Resident", "hidden"),
        world.id("Stay", "hidden@A"),
        *PEOPLE["hidden"].secrets,
    ]
    responses: list[str] = []

    # when the network role asks every one of them
    for document, values in by_id.items():
        for value in values:
            responses.append(json.dumps(await world.ask(viewer, document, {"id": value})))
    for document in (SHELTERS, REGIONS, AVAILABLE_BEDS, OCCUPANCY, BED_WALK, RESIDENTS_LIST):
        responses.append(json.dumps(await world.ask(viewer, document)))
    for key, person in PEOPLE.items():
        for term in (person.given, person.family, world.code(key)):
            responses.append(
                json.dumps(await world.ask(viewer, RESIDENTS_SEARCH, {"search": term}))
            )

    # then no name, contact, threat or note text appears (``ask`` checks each), and nothing of
    # the hidden resident: not their code, nor their ID, nor their stay's
    shown = [secret for secret in hidden for text in responses if secret in text]
    assert shown == []


async def test_a_hidden_residents_stay_is_refused_like_a_missing_one(writable: Writable) -> None:
    world = writable.world
    # given the hidden resident's stay, and a stay ID that names nothing
    hidden = {"stay": world.id("Stay", "hidden@A"), "bed": world.id("Bed", "A3")}
    missing = {"stay": encode_id("Stay", 999_999), "bed": world.id("Bed", "A3")}

    # when a coordinator tries to move each
    refused = await world.ask(COORDINATOR, TRANSFER_WORD_FOR_WORD, {"input": hidden})
    absent = await world.ask(COORDINATOR, TRANSFER_WORD_FOR_WORD, {"input": missing})

    # then the two refusals are the same, word for word
    assert refused == absent
    assert refused["data"]["transfer"]["errors"][0]["code"] == "NOT_FOUND"
