"""Who may see and do what with bed holds and subscriptions, cell by cell: every role × every new
type, field, query, mutation and subscription, asserting exactly what comes back.

The world, made for each test: shelters A (region R0) and B (R1), each 1 room of 3 beds; a hold
on bed A0 for ``expected`` (registered at A), a hold on A1 for ``hidden`` (registered at A,
do-not-disclose-presence), a hold on B0 for someone not registered yet. The rules written down
here again:

* a hold is seen by whoever sees its bed: network roles everywhere, shelter roles in theirs;
  its resident as any resident (network roles not the hidden one; staff of another shelter not
  at all, since they do not see the hold);
* holding a bed and calling a hold off: coordinators anywhere (a hotline operator is one),
  shelter staff in their shelters; nobody else;
* occupancyChanged and stockLow: the shelters one sees; appointmentChanged: the shelter roles of
  that shelter only (network roles see no individual appointment);
* nobody without a session connects at all.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from server.domain import events
from server.domain.access import Viewer
from server.domain.clock import now
from server.domain.events import AppointmentChanged, StockLow, publish
from server.domain.holds import HoldRequest, hold_bed
from server.models import BedHold, Resident, Role
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import Network, build_network, new_resident, staff
from tests.server.websocket import ASGIWebSocket, Subscriber

ADMIN, COORDINATOR, STAFF, MEDICAL, COUNSELLOR, LEGAL, STAFF_B, ANONYMOUS = (
    "admin",
    "coordinator",
    "staff",
    "medical",
    "counsellor",
    "legal",
    "staff-b",
    "anonymous",
)
VIEWERS = [ADMIN, COORDINATOR, STAFF, MEDICAL, COUNSELLOR, LEGAL, STAFF_B, ANONYMOUS]
ROLES: dict[str, tuple[Role, str]] = {
    ADMIN: (Role.ADMIN, ""),
    COORDINATOR: (Role.COORDINATOR, ""),
    STAFF: (Role.SHELTER_STAFF, "A"),
    MEDICAL: (Role.MEDICAL, "A"),
    COUNSELLOR: (Role.COUNSELLOR, "A"),
    LEGAL: (Role.LEGAL, "A"),
    STAFF_B: (Role.SHELTER_STAFF, "B"),
}
NETWORK = {ADMIN, COORDINATOR}
OF_A = {STAFF, MEDICAL, COUNSELLOR, LEGAL}
#: Who sees each shelter, its beds and their holds.
SEES = {"A": NETWORK | OF_A, "B": NETWORK | {STAFF_B}}
#: Who may hold a bed (and call a hold off) in each shelter.
HOLDS_IN = {"A": {COORDINATOR, STAFF}, "B": {COORDINATOR, STAFF_B}}

HOLD_FIELDS = """
  id reason expectedArrival startedAt expiresAt active releasedAt outcome
  bed { label } resident { code givenName }
"""
NODE = "query ($id: ID!) { node(id: $id) { ... on BedHold {" + HOLD_FIELDS + "} } }"
BED_HOLD_OF = "query ($id: ID!) { node(id: $id) { ... on Bed { label status hold { id } } } }"
HOLDS = "{ bedHolds(active: null) { edges { node { reason } } } }"
BED_HOLD = """
mutation ($bed: ID!, $expires: DateTime!) {
  bedHold(input: {bed: $bed, reason: "Referral", expiresAt: $expires}) {
    bedHold { bed { label } } errors { code }
  }
}"""
RELEASE = """
mutation ($hold: ID!) {
  bedHoldRelease(input: {hold: $hold}) { bedHold { outcome } errors { code } }
}"""
OCCUPANCY_CHANGED = "subscription { occupancyChanged { shelter { name } occupancy { held } } }"
STOCK_LOW = "subscription { stockLow { shelter { name } itemId } }"
APPOINTMENT_CHANGED = "subscription { appointmentChanged { shelter { name } appointmentId } }"


@dataclass
class World:
    network: Network
    beds: dict[str, int]
    holds: dict[str, int]
    residents: dict[str, Resident]
    tokens: dict[str, str | None]

    def shelter_name(self, shelter: str) -> str:
        return {"A": "Shelter 0", "B": "Shelter 1"}[shelter]


@pytest.fixture
async def world(app: Starlette) -> World:
    network = await build_network(shelters=2, rooms_per_shelter=1, beds_per_room=3, regions=2)
    a, b = network.shelters
    beds = {f"A{n}": bed.id for n, bed in enumerate(network.beds_of(a))}
    beds |= {f"B{n}": bed.id for n, bed in enumerate(network.beds_of(b))}
    expected = await new_resident("Dilnoza", "Karimova", shelter=a)
    hidden = await new_resident("Malika", "Yusupova", shelter=a)
    await Resident.filter(id=hidden.id).update(do_not_disclose_presence=True)
    coordinator = Viewer(user_id=None, username="setup", role=Role.COORDINATOR, client="tests")
    until = now() + timedelta(hours=6)
    holds = {
        "A0": await hold_bed(
            coordinator, beds["A0"], HoldRequest("Police referral", until, resident_id=expected.id)
        ),
        "A1": await hold_bed(  # only A's staff see her, so only they can name her
            await staff(), beds["A1"], HoldRequest("Transfer", until, resident_id=hidden.id)
        ),
        "B0": await hold_bed(coordinator, beds["B0"], HoldRequest("Hotline call", until)),
    }
    tokens: dict[str, str | None] = {ANONYMOUS: None}
    for viewer, (role, shelters) in ROLES.items():
        tokens[viewer] = await sign_in(role, [{"A": a, "B": b}[s] for s in shelters])
    return World(
        network,
        beds,
        {bed: hold.id for bed, hold in holds.items()},
        {"expected": expected, "hidden": hidden},
        tokens,
    )


def shelter_of(key: str) -> str:
    return key[0]


def refusal(viewer: str, shelter: str) -> str | None:
    """Why ``viewer`` may not hold a bed of ``shelter`` (or call its hold off), if not."""
    if viewer in HOLDS_IN[shelter]:
        return None
    if viewer == ANONYMOUS:
        return "UNAUTHENTICATED"
    if ROLES[viewer][0] in (Role.COORDINATOR, Role.SHELTER_STAFF):
        return "NOT_FOUND"  # staff of the other shelter: its beds are not theirs to see
    return "FORBIDDEN"


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_holds_by_id_and_by_bed(gql: GraphQLClient, world: World, viewer: str) -> None:
    client = gql.as_token(world.tokens[viewer])
    for key, hold_id in world.holds.items():
        by_id = await client.post(NODE, {"id": encode_id("BedHold", hold_id)})
        by_bed = await client.post(BED_HOLD_OF, {"id": encode_id("Bed", world.beds[key])})

        if viewer == ANONYMOUS:
            assert by_id["data"] == by_bed["data"] == {"node": None}
            assert by_id["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert by_bed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            continue
        if viewer not in SEES[shelter_of(key)]:
            assert by_id == {"data": {"node": None}} and by_bed == {"data": {"node": None}}
            continue
        hold = by_id["data"]["node"]
        assert hold["id"] == encode_id("BedHold", hold_id)
        assert hold["bed"] == {
            "label": (await BedHold.get(id=hold_id).prefetch_related("bed")).bed.label
        }
        assert (hold["active"], hold["outcome"], hold["releasedAt"]) == (True, None, None)
        assert by_bed["data"]["node"]["status"] == "HELD"
        assert by_bed["data"]["node"]["hold"] == {"id": hold["id"]}
        # the resident the hold names: as the viewer sees that resident
        errors = [error["path"] for error in by_id.get("errors", [])]
        if key == "B0":
            assert hold["resident"] is None and errors == []
        elif key == "A1" and viewer in NETWORK:  # presence not to be disclosed
            assert hold["resident"] is None and errors == []
        elif viewer in NETWORK:
            assert hold["resident"]["code"] == world.residents["expected"].code
            assert hold["resident"]["givenName"] is None
            assert errors == [["node", "resident", "givenName"]]
        else:
            person = world.residents["expected" if key == "A0" else "hidden"]
            assert hold["resident"] == {"code": person.code, "givenName": person.given_name}
        if viewer in NETWORK:
            assert "Karimova" not in str(by_id) and "Yusupova" not in str(by_id)


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_the_list_of_holds(gql: GraphQLClient, world: World, viewer: str) -> None:
    result = await gql.as_token(world.tokens[viewer]).post(HOLDS)

    if viewer == ANONYMOUS:
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        return
    reasons = [edge["node"]["reason"] for edge in result["data"]["bedHolds"]["edges"]]
    expected = {"A0": "Police referral", "A1": "Transfer", "B0": "Hotline call"}
    assert reasons == [reason for key, reason in expected.items() if viewer in SEES[key[0]]]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("shelter", ["A", "B"])
async def test_holding_a_bed(gql: GraphQLClient, world: World, viewer: str, shelter: str) -> None:
    bed = f"{shelter}2"
    result = await gql.as_token(world.tokens[viewer]).data(
        BED_HOLD,
        {
            "bed": encode_id("Bed", world.beds[bed]),
            "expires": (now() + timedelta(hours=1)).isoformat(),
        },
    )

    payload = result["bedHold"]
    code = refusal(viewer, shelter)
    if code is None:
        assert payload == {"bedHold": {"bed": {"label": "0-2"}}, "errors": []}
    else:
        assert payload == {"bedHold": None, "errors": [{"code": code}]}
    held = await BedHold.filter(bed_id=world.beds[bed]).count()
    assert held == (1 if viewer in HOLDS_IN[shelter] else 0)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("key", ["A0", "B0"])
async def test_calling_a_hold_off(gql: GraphQLClient, world: World, viewer: str, key: str) -> None:
    result = await gql.as_token(world.tokens[viewer]).data(
        RELEASE, {"hold": encode_id("BedHold", world.holds[key])}
    )

    payload = result["bedHoldRelease"]
    shelter = shelter_of(key)
    code = refusal(viewer, shelter)
    if code is None:
        assert payload == {"bedHold": {"outcome": "RELEASED"}, "errors": []}
    else:
        assert payload == {"bedHold": None, "errors": [{"code": code}]}
    hold = await BedHold.get(id=world.holds[key])
    assert (hold.released_at is not None) == (viewer in HOLDS_IN[shelter])


# --- subscriptions -------------------------------------------------------------------------------


async def listening(count: int) -> None:
    async with asyncio.timeout(5):
        while len(events.hub) < count:
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_subscriptions(app: Starlette, world: World, viewer: str) -> None:
    token = world.tokens[viewer]
    if token is None:
        socket = ASGIWebSocket(app)
        await socket.connect()
        await socket.send_json({"type": "connection_init", "payload": {}})
        assert (await socket.message())["code"] == 4403
        await socket.disconnect()
        return
    seen = [s for s in "AB" if viewer in SEES[s]]
    async with (
        Subscriber.open(app, token) as occupancy,
        Subscriber.open(app, token) as stock,
        Subscriber.open(app, token) as appointments,
    ):
        await occupancy.subscribe(OCCUPANCY_CHANGED)
        await stock.subscribe(STOCK_LOW)
        await appointments.subscribe(APPOINTMENT_CHANGED)
        first = [await occupancy.data() for _ in seen]
        assert first == [
            {
                "occupancyChanged": {
                    "shelter": {"name": world.shelter_name(s)},
                    "occupancy": {"held": {"A": 2, "B": 1}[s]},
                }
            }
            for s in seen
        ]
        if viewer in NETWORK:
            refused = await appointments.next()
            assert refused["type"] == "error"
            assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        await listening(3 if viewer not in NETWORK else 2)

        a = world.network.shelters[0]
        await publish(StockLow(shelter_id=a.id, item_id=5, on_hand=1, threshold=4))
        await publish(AppointmentChanged(shelter_id=a.id, appointment_id=9))

        if viewer in SEES["A"]:
            assert (await stock.data())["stockLow"]["shelter"] == {"name": "Shelter 0"}
        else:
            await stock.silent()
        if viewer in OF_A:
            assert (await appointments.data())["appointmentChanged"]["shelter"] == {
                "name": "Shelter 0"
            }
        else:
            await appointments.silent(0.2)
        await occupancy.silent(0.05)


def test_every_viewer_has_a_role_or_none() -> None:
    assert set(VIEWERS) == set(ROLES) | {ANONYMOUS}
