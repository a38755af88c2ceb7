"""Subscriptions over graphql-transport-ws, in process: who may connect, what each subscriber
receives (only what they may see, read as themselves), and when a subscription ends.

The module's app sweeps expired holds every 0.1 s and re-checks idle sessions every 0.2 s, so
what happens by itself happens within the test.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from server.domain import events
from server.domain.access import Viewer
from server.domain.accounts import revoke_sessions
from server.domain.clock import now
from server.domain.events import AppointmentChanged, OccupancyChanged, StockLow, publish
from server.domain.holds import HoldRequest, hold_bed
from server.domain.stays import check_in
from server.models import AuditEvent, AuthToken, HoldOutcome, Role
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import GraphQLClient, sign_in
from tests.server.care import book, local, member, tomorrow
from tests.server.network import Network, build_network, new_resident, staff
from tests.server.stock_network import new_item, stocked
from tests.server.websocket import ASGIWebSocket, Subscriber

OCCUPANCY_CHANGED = """
subscription ($shelter: ID, $region: ID) {
  occupancyChanged(shelter: $shelter, region: $region) {
    shelter { name } occupancy { capacity occupied held outOfService free } at
  }
}"""

STOCK_LOW = """
subscription ($shelter: ID) {
  stockLow(shelter: $shelter) { shelter { name } itemId onHand threshold }
}"""

APPOINTMENT_CHANGED = """
subscription ($shelter: ID) {
  appointmentChanged(shelter: $shelter) { shelter { name } appointmentId }
}"""

CHECK_IN = """
mutation ($resident: ID!, $bed: ID!, $key: UUID) {
  checkIn(input: {resident: $resident, bed: $bed}, idempotencyKey: $key) {
    stay { id } errors { code message }
  }
}"""

BED_HOLD = """
mutation ($input: BedHoldInput!) {
  bedHold(input: $input) { bedHold { id } errors { code field message } }
}"""

BED_HOLD_RELEASE = """
mutation ($hold: ID!) {
  bedHoldRelease(input: {hold: $hold}) { bedHold { outcome } errors { code } }
}"""

SET_STATUS = """
mutation ($bed: ID!) {
  bedSetStatus(input: {bed: $bed, status: OUT_OF_SERVICE, reason: "Leak"}) { errors { code } }
}"""

AVAILABLE = """
query ($shelter: ID) { availableBeds(shelter: $shelter, first: 100) { edges { node { id } } } }"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, hold_sweep_seconds=0.1, subscription_recheck_seconds=0.2)


def figures(data: dict[str, Any]) -> tuple[str, dict[str, int]]:
    change = data["occupancyChanged"]
    return change["shelter"]["name"], change["occupancy"]


async def listening(count: int) -> None:
    """Wait until ``count`` subscriptions of this process listen for events."""
    async with asyncio.timeout(5):
        while len(events.hub) < count:
            await asyncio.sleep(0.01)


async def checked_in(gql: GraphQLClient, network: Network, bed: int, **variables: Any) -> None:
    resident = await new_resident(shelter=network.shelters[0])
    result = await gql.data(
        CHECK_IN,
        {
            "resident": encode_id("Resident", resident.id),
            "bed": encode_id("Bed", network.beds[bed].id),
            **variables,
        },
    )
    assert result["checkIn"]["errors"] == []


# --- connecting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [{}, {"authorization": "Bearer not-a-token"}, {"x": 1}])
async def test_a_connection_without_a_live_session_is_closed(
    app: Starlette, payload: dict[str, Any]
) -> None:
    socket = ASGIWebSocket(app)
    assert (await socket.connect())["type"] == "websocket.accept"

    await socket.send_json({"type": "connection_init", "payload": payload})

    closed = await socket.message()
    assert closed["type"] == "websocket.close" and closed["code"] == 4403
    await socket.disconnect()


async def test_a_signed_out_token_cannot_connect(app: Starlette, gql: GraphQLClient) -> None:
    await build_network(shelters=1)
    token = await sign_in(Role.COORDINATOR)
    await gql.as_token(token).data("mutation { logout { errors { code } } }")
    socket = ASGIWebSocket(app)
    await socket.connect()

    await socket.send_json(
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    )

    assert (await socket.message())["code"] == 4403
    await socket.disconnect()


async def test_only_graphql_transport_ws_is_spoken(app: Starlette) -> None:
    socket = ASGIWebSocket(app)

    answer = await socket.connect(subprotocols=("graphql-ws",))

    assert answer["type"] == "websocket.close" or (await socket.message())["code"] == 4406
    await socket.disconnect()


async def test_queries_go_over_http_and_subscriptions_over_the_socket(
    app: Starlette, gql: GraphQLClient
) -> None:
    await build_network(shelters=1)
    token = await sign_in(Role.COORDINATOR)

    over_http = await gql.as_token(token).post(OCCUPANCY_CHANGED)
    async with Subscriber.open(app, token) as subscriber:
        await subscriber.subscribe("{ regions { name } }")
        over_socket = await subscriber.next()

    assert over_http["data"] is None
    assert "over a WebSocket" in over_http["errors"][0]["message"]
    assert over_socket["type"] == "error"
    assert "over a WebSocket" in over_socket["payload"][0]["message"]


# --- occupancyChanged ----------------------------------------------------------------------------


async def test_occupancy_comes_first_then_each_change_only_to_who_sees_the_shelter(
    app: Starlette, gql: GraphQLClient
) -> None:
    # given shelters 0 and 2 in region 0, shelter 1 in region 1, each of 6 beds
    network = await build_network(shelters=3, regions=2)
    a, b, c = network.shelters
    coordinator = await sign_in(Role.COORDINATOR)
    staff_a = await sign_in(Role.SHELTER_STAFF, [a])
    staff_b = await sign_in(Role.SHELTER_STAFF, [b])
    region_0 = {"region": encode_id("Region", network.regions[0].id)}

    async with (
        Subscriber.open(app, coordinator) as everywhere,
        Subscriber.open(app, coordinator) as in_region_0,
        Subscriber.open(app, staff_a) as own,
        Subscriber.open(app, staff_b) as other,
    ):
        await everywhere.subscribe(OCCUPANCY_CHANGED)
        await in_region_0.subscribe(OCCUPANCY_CHANGED, region_0)
        await own.subscribe(OCCUPANCY_CHANGED)
        await other.subscribe(OCCUPANCY_CHANGED)
        # the current figures first, of every shelter each one covers, by name
        assert [figures(await everywhere.data())[0] for _ in range(3)] == [
            "Shelter 0",
            "Shelter 1",
            "Shelter 2",
        ]
        assert [figures(await in_region_0.data())[0] for _ in range(2)] == [
            "Shelter 0",
            "Shelter 2",
        ]
        assert figures(await own.data()) == (
            "Shelter 0",
            {"capacity": 6, "occupied": 0, "held": 0, "outOfService": 0, "free": 6},
        )
        assert figures(await other.data())[0] == "Shelter 1"

        # when a resident is checked into shelter 0
        await checked_in(gql.as_token(staff_a), network, bed=0)

        # then those who see shelter 0 get its new figures, and staff of shelter 1 nothing
        changed = ("Shelter 0", {"capacity": 6, "occupied": 1, "held": 0, "outOfService": 0})
        for subscriber in (everywhere, in_region_0, own):
            name, counts = figures(await subscriber.data())
            assert (name, {k: v for k, v in counts.items() if k != "free"}) == changed
        await other.silent()
        await everywhere.silent(0.05)


async def test_a_shelter_not_yours_is_not_found(app: Starlette) -> None:
    network = await build_network(shelters=2)
    staff_b = await sign_in(Role.SHELTER_STAFF, [network.shelters[1]])

    async with Subscriber.open(app, staff_b) as subscriber:
        await subscriber.subscribe(
            OCCUPANCY_CHANGED, {"shelter": encode_id("Shelter", network.shelters[0].id)}
        )
        refused = await subscriber.next()

    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_holds_check_ins_and_bed_status_are_announced(
    app: Starlette, gql: GraphQLClient
) -> None:
    network = await build_network(shelters=1)
    shelter = {"shelter": encode_id("Shelter", network.shelters[0].id)}
    coordinator = await sign_in(Role.COORDINATOR)
    staff = await sign_in(Role.SHELTER_STAFF, network.shelters)

    async with Subscriber.open(app, coordinator) as subscriber:
        await subscriber.subscribe(OCCUPANCY_CHANGED, shelter)
        assert figures(await subscriber.data())[1]["free"] == 6

        held = await gql.as_token(coordinator).data(
            BED_HOLD,
            {
                "input": {
                    "bed": encode_id("Bed", network.beds[0].id),
                    "reason": "Hotline referral",
                    "expiresAt": (now() + timedelta(hours=6)).isoformat(),
                }
            },
        )
        assert figures(await subscriber.data())[1]["held"] == 1
        await gql.as_token(coordinator).data(
            BED_HOLD_RELEASE, {"hold": held["bedHold"]["bedHold"]["id"]}
        )
        assert figures(await subscriber.data())[1]["held"] == 0
        await gql.as_token(staff).data(SET_STATUS, {"bed": encode_id("Bed", network.beds[1].id)})
        assert figures(await subscriber.data())[1]["outOfService"] == 1
        await checked_in(gql.as_token(staff), network, bed=2, key=str(uuid.uuid4()))
        # published once the idempotency key's transaction committed: the figures show it
        assert figures(await subscriber.data())[1]["occupied"] == 1


async def test_an_expired_hold_frees_the_bed_without_anyone_acting(
    app: Starlette, gql: GraphQLClient
) -> None:
    # given a bed held for one more second, and a coordinator watching its shelter
    network = await build_network(shelters=1)
    coordinator = await sign_in(Role.COORDINATOR)
    hold = await hold_bed(
        Viewer(user_id=None, username="tests", role=Role.COORDINATOR),
        network.beds[0].id,
        HoldRequest("Police referral", expires_at=now() + timedelta(seconds=1)),
    )
    shelter = encode_id("Shelter", network.shelters[0].id)
    async with Subscriber.open(app, coordinator) as subscriber:
        await subscriber.subscribe(OCCUPANCY_CHANGED, {"shelter": shelter})
        assert figures(await subscriber.data())[1]["held"] == 1

        # when nobody does anything: the hold expires and the sweeper releases it
        name, counts = figures(await subscriber.data(timeout=5))

    assert (name, counts["held"], counts["free"]) == ("Shelter 0", 0, 6)
    await hold.refresh_from_db()
    assert hold.outcome is HoldOutcome.EXPIRED and hold.released_at == hold.expires_at
    assert await AuditEvent.filter(action="bed_hold_expired", record_id=hold.id).count() == 1
    free = await gql.as_token(coordinator).data(AVAILABLE, {"shelter": shelter})
    assert encode_id("Bed", network.beds[0].id) in {
        edge["node"]["id"] for edge in free["availableBeds"]["edges"]
    }


IDENTITY_IN_EVENTS = """
subscription { occupancyChanged { shelter { rooms { beds { currentStay {
  resident { givenName } } } } } } }"""


async def test_identity_read_in_an_event_is_audited_when_it_is_sent(
    app: Starlette, gql: GraphQLClient
) -> None:
    # given staff of the shelter watching it, asking for the names of who sleeps there
    network = await build_network(shelters=1)
    token = await sign_in(Role.SHELTER_STAFF, network.shelters)
    async with Subscriber.open(app, token) as subscriber:
        await subscriber.subscribe(IDENTITY_IN_EVENTS)
        await subscriber.data()  # nobody there yet

        # when a resident is checked in, then a bed goes out of service
        await checked_in(gql.as_token(token), network, bed=0)
        first = await subscriber.data()
        reads_then = await AuditEvent.filter(action="read_identity").count()
        await gql.as_token(token).data(SET_STATUS, {"bed": encode_id("Bed", network.beds[1].id)})
        second = await subscriber.data()
        reads_after = await AuditEvent.filter(action="read_identity").count()

    # then each event that showed the name is in the audit trail by the time it arrived
    assert "Dilnoza" in str(first) and "Dilnoza" in str(second)
    assert (reads_then, reads_after) == (1, 2)


# --- sessions ------------------------------------------------------------------------------------


async def test_a_revoked_session_ends_its_subscription(app: Starlette) -> None:
    network = await build_network(shelters=1)
    token = await sign_in(Role.SHELTER_STAFF, network.shelters, name="staff-to-revoke")

    async with Subscriber.open(app, token) as subscriber:
        await subscriber.subscribe(OCCUPANCY_CHANGED)
        await subscriber.data()

        # when an administrator ends the account's sessions (a lost tablet)
        user_id = (await AuthToken.all().select_related("user").first()).user.id  # type: ignore[union-attr]
        await revoke_sessions(Viewer.operator("tests"), user_id)

        # then, with no event at all, the subscription ends within the re-check period
        ended = await subscriber.next(timeout=3)
        complete = await subscriber.next()

    assert ended["type"] == "next"
    assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert complete["type"] == "complete"


async def test_an_event_is_not_sent_on_a_session_that_ended(app: Starlette) -> None:
    network = await build_network(shelters=1)
    token = await sign_in(Role.COORDINATOR, name="coordinator-to-revoke")

    async with Subscriber.open(app, token) as subscriber:
        await subscriber.subscribe(OCCUPANCY_CHANGED)
        await subscriber.data()
        user_id = (await AuthToken.all().select_related("user").first()).user.id  # type: ignore[union-attr]
        await revoke_sessions(Viewer.operator("tests"), user_id)

        await publish(OccupancyChanged(shelter_id=network.shelters[0].id))
        ended = await subscriber.next()

    assert "data" not in ended["payload"] or ended["payload"]["data"] is None
    assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_stream_of_other_shelters_events_does_not_delay_the_check(
    app: Starlette,
) -> None:
    # given staff of shelter 1 watching, while shelter 0 is busy
    network = await build_network(shelters=2)
    token = await sign_in(Role.SHELTER_STAFF, [network.shelters[1]], name="busy-revoked")
    async with Subscriber.open(app, token) as subscriber:
        await subscriber.subscribe(OCCUPANCY_CHANGED)
        await subscriber.data()
        user_id = (await AuthToken.all().select_related("user").first()).user.id  # type: ignore[union-attr]
        await revoke_sessions(Viewer.operator("tests"), user_id)

        # when events none of which are theirs keep coming faster than the re-check period
        async def busy() -> None:
            for n in range(60):
                await publish(OccupancyChanged(shelter_id=network.shelters[0].id + n % 2 * 1000))
                await asyncio.sleep(0.02)

        noise = asyncio.create_task(busy())
        ended = await subscriber.next(timeout=1.0)
        await noise

    # then the session is still checked in time, and the subscription ends
    assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_watching_is_not_use_so_an_idle_session_still_ends(app: Starlette) -> None:
    await build_network(shelters=1)
    token = await sign_in(Role.COORDINATOR, name="wallboard")

    async with Subscriber.open(app, token) as subscriber:
        await subscriber.subscribe(OCCUPANCY_CHANGED)
        await subscriber.data()
        # the last request was a while ago (but within the idle limit)
        quiet_since = now() - timedelta(minutes=30)
        await AuthToken.all().update(last_used_at=quiet_since)
        await subscriber.silent(0.7)  # several re-checks meanwhile
        assert (await AuthToken.get()).last_used_at == quiet_since

        # once the session is idle for longer than allowed, the subscription ends
        await AuthToken.all().update(last_used_at=now() - timedelta(hours=3))
        ended = await subscriber.next(timeout=3)

    assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- stockLow and appointmentChanged: events the stock and medical domains publish ---------------


async def test_stock_low_reaches_who_sees_the_shelters_stock(app: Starlette) -> None:
    network = await build_network(shelters=2)
    a, b = network.shelters
    tokens = {
        "coordinator": await sign_in(Role.COORDINATOR),
        "staff of a": await sign_in(Role.SHELTER_STAFF, [a]),
        "medical of a": await sign_in(Role.MEDICAL, [a]),
        "staff of b": await sign_in(Role.SHELTER_STAFF, [b]),
    }
    async with (
        Subscriber.open(app, tokens["coordinator"]) as coordinator,
        Subscriber.open(app, tokens["staff of a"]) as staff_a,
        Subscriber.open(app, tokens["medical of a"]) as medical_a,
        Subscriber.open(app, tokens["staff of b"]) as staff_b,
    ):
        for subscriber in (coordinator, staff_a, medical_a, staff_b):
            await subscriber.subscribe(STOCK_LOW)
        await listening(4)

        await publish(StockLow(shelter_id=a.id, item_id=12, on_hand=2, threshold=10))

        alert = {
            "stockLow": {
                "shelter": {"name": "Shelter 0"},
                "itemId": encode_id("Item", 12),
                "onHand": 2,
                "threshold": 10,
            }
        }
        for subscriber in (coordinator, staff_a, medical_a):
            assert await subscriber.data() == alert
        await staff_b.silent()


async def test_appointment_changes_reach_only_the_shelters_own_roles(app: Starlette) -> None:
    network = await build_network(shelters=2)
    a, b = network.shelters
    async with (
        Subscriber.open(app, await sign_in(Role.COORDINATOR)) as coordinator,
        Subscriber.open(app, await sign_in(Role.ADMIN)) as admin,
        Subscriber.open(app, await sign_in(Role.MEDICAL, [a])) as medical_a,
        Subscriber.open(app, await sign_in(Role.SHELTER_STAFF, [a])) as staff_a,
        Subscriber.open(app, await sign_in(Role.MEDICAL, [b])) as medical_b,
    ):
        for subscriber in (coordinator, admin, medical_a, staff_a, medical_b):
            await subscriber.subscribe(APPOINTMENT_CHANGED)
        refusals = [await coordinator.next(), await admin.next()]
        await listening(3)

        await publish(AppointmentChanged(shelter_id=a.id, appointment_id=41))

        change = {
            "appointmentChanged": {
                "shelter": {"name": "Shelter 0"},
                "appointmentId": encode_id("MedicalAppointment", 41),
            }
        }
        assert await medical_a.data() == change
        assert await staff_a.data() == change
        await medical_b.silent()
    assert [r["type"] for r in refusals] == ["error", "error"]
    assert {r["payload"][0]["extensions"]["code"] for r in refusals} == {"FORBIDDEN"}


APPOINTMENT_DETAIL = """
subscription { appointmentChanged { shelter { name } appointment { kind status } } }"""

CANCEL_APPOINTMENT = """
mutation ($appointment: ID!) {
  appointmentCancel(input: {appointment: $appointment, reason: "Moved"}) { errors { code } }
}"""


async def test_booking_and_cancelling_an_appointment_are_announced(
    app: Starlette, gql: GraphQLClient
) -> None:
    # given a medic subscribed in shelter 0, and one in shelter 1
    network = await build_network(shelters=2)
    a, b = network.shelters
    medic = await member(Role.MEDICAL, [a])
    desk = await member(Role.SHELTER_STAFF, [a])
    resident = await new_resident(shelter=a)
    async with (
        Subscriber.open(app, medic.token) as medic_a,
        Subscriber.open(app, await sign_in(Role.MEDICAL, [b])) as medic_b,
    ):
        await medic_a.subscribe(APPOINTMENT_DETAIL)
        await medic_b.subscribe(APPOINTMENT_DETAIL)
        await listening(2)

        # when the front desk books, then cancels, an appointment in shelter 0
        appointment = await book(desk, resident.id, medic, local(tomorrow(), 10))

        # then shelter 0's medic hears of each change, with the appointment as it is now
        booked = {
            "shelter": {"name": "Shelter 0"},
            "appointment": {"kind": "GENERAL", "status": "SCHEDULED"},
        }
        assert await medic_a.data() == {"appointmentChanged": booked}
        await desk.client(gql).data(
            CANCEL_APPOINTMENT, {"appointment": encode_id("MedicalAppointment", appointment.id)}
        )
        cancelled = {**booked, "appointment": {"kind": "GENERAL", "status": "CANCELLED"}}
        assert await medic_a.data() == {"appointmentChanged": cancelled}
        await medic_b.silent()


DISTRIBUTE = """
mutation ($input: StockDistributeInput!) { stockDistribute(input: $input) { errors { code } } }"""

STOCK_THRESHOLD = """
mutation ($input: StockThresholdSetInput!) { stockThresholdSet(input: $input) { errors { code } } }
"""


async def test_a_hand_out_that_takes_stock_to_its_threshold_is_announced_once(
    app: Starlette, gql: GraphQLClient
) -> None:
    # given 5 packs of rice at shelter 0, its threshold 3, and a resident staying there
    network = await build_network(shelters=2)
    a, b = network.shelters
    rice = await new_item("Rice")
    await stocked(a, rice, 5)
    resident = await new_resident(shelter=a)
    await check_in(await staff(), resident.id, network.beds_of(a)[0].id)
    desk = gql.as_token(await sign_in(Role.SHELTER_STAFF, [a]))
    shelter_a, item = encode_id("Shelter", a.id), encode_id("Item", rice.id)
    await desk.data(
        STOCK_THRESHOLD, {"input": {"shelter": shelter_a, "item": item, "threshold": 3}}
    )
    hand_out = {
        "input": {
            "shelter": shelter_a,
            "item": item,
            "resident": encode_id("Resident", resident.id),
            "quantity": 1,
        }
    }
    async with (
        Subscriber.open(app, await sign_in(Role.COORDINATOR)) as coordinator,
        Subscriber.open(app, await sign_in(Role.SHELTER_STAFF, [b])) as staff_b,
    ):
        await coordinator.subscribe(STOCK_LOW)
        await staff_b.subscribe(STOCK_LOW)
        await listening(2)

        # when three packs go out, one by one (5 → 4 → 3 → 2)
        for _ in range(3):
            assert (await desk.data(DISTRIBUTE, hand_out))["stockDistribute"]["errors"] == []

        # then the coordinator hears once, when it reached 3, and shelter 1's staff never
        assert await coordinator.data() == {
            "stockLow": {
                "shelter": {"name": "Shelter 0"},
                "itemId": item,
                "onHand": 3,
                "threshold": 3,
            }
        }
        await coordinator.silent()
        await staff_b.silent()
