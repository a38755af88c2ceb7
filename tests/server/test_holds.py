"""Bed holds through the API: holding a bed for an incoming person, calling it off, the person
arriving, expiry by itself, and each refusal (with nothing written)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from server.domain.access import Viewer
from server.domain.clock import now
from server.domain.holds import HoldRequest, expire_holds, hold_bed
from server.domain.stays import check_in
from server.models import AuditEvent, BedHold, BedOutage, HoldOutcome, Role, Stay
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import Network, build_network, new_resident, staff

BED_HOLD = """
mutation ($input: BedHoldInput!, $key: UUID) {
  bedHold(input: $input, idempotencyKey: $key) {
    bedHold {
      id reason expectedArrival expiresAt active outcome releasedAt
      bed { label status hold { id } } resident { code }
    }
    errors { code field message }
  }
}"""

RELEASE = """
mutation ($hold: ID!) {
  bedHoldRelease(input: {hold: $hold}) {
    bedHold { active outcome releasedAt bed { status } } errors { code field message }
  }
}"""

CHECK_IN = """
mutation ($resident: ID!, $bed: ID!, $hold: ID) {
  checkIn(input: {resident: $resident, bed: $bed, hold: $hold}) {
    stay { id bed { status hold { id } } } errors { code field message }
  }
}"""

TRANSFER = """
mutation ($stay: ID!, $bed: ID!) {
  transfer(input: {stay: $stay, bed: $bed}) { stay { id } errors { code field message } }
}"""

OCCUPANCY = "{ occupancy { total { capacity occupied held free } } }"

HOLDS = """
query ($shelter: ID, $region: ID, $active: Boolean) {
  bedHolds(shelter: $shelter, region: $region, active: $active) {
    totalCount edges { node { id reason active outcome } }
  }
}"""

COORDINATOR = Viewer(user_id=None, username="tests", role=Role.COORDINATOR, client="tests")


def later(**delta: float) -> str:
    return (now() + timedelta(**delta)).isoformat()


def hold_input(network: Network, bed: int = 0, **fields: Any) -> dict[str, Any]:
    return {
        "input": {
            "bed": encode_id("Bed", network.beds[bed].id),
            "reason": "Police referral, woman with a child",
            "expiresAt": later(hours=6),
            **fields,
        }
    }


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in payload["errors"]]


async def test_a_held_bed_is_not_offered_and_counts_as_held(gql: GraphQLClient) -> None:
    # given a coordinator (a hotline operator's account) and a free bed
    network = await build_network(shelters=1)
    coordinator = gql.as_token(await sign_in(Role.COORDINATOR))
    arrival = later(hours=2)

    # when the coordinator holds it
    result = (await coordinator.data(BED_HOLD, hold_input(network, expectedArrival=arrival)))[
        "bedHold"
    ]

    # then
    assert result["errors"] == []
    hold = result["bedHold"]
    assert hold["active"] is True and hold["outcome"] is None and hold["releasedAt"] is None
    assert hold["bed"] == {
        "label": network.beds[0].label,
        "status": "HELD",
        "hold": {"id": hold["id"]},
    }
    assert datetime.fromisoformat(hold["expectedArrival"]) == datetime.fromisoformat(arrival)
    total = (await coordinator.data(OCCUPANCY))["occupancy"]["total"]
    assert total == {"capacity": 6, "occupied": 0, "held": 1, "free": 5}
    row = await BedHold.get()
    assert (row.bed_id, row.released_at, row.outcome) == (network.beds[0].id, None, None)
    assert await AuditEvent.filter(action="bed_hold", record_id=row.id).count() == 1
    # and nobody else gets the bed: another hold, a check-in, out of service
    again = (await coordinator.data(BED_HOLD, hold_input(network)))["bedHold"]
    assert codes(again) == [("BED_HELD", ["input", "bed"])]
    resident = await new_resident()
    refused = await gql.data(
        CHECK_IN,
        {
            "resident": encode_id("Resident", resident.id),
            "bed": encode_id("Bed", network.beds[0].id),
        },
    )
    assert codes(refused["checkIn"]) == [("BED_HELD", ["input", "bed"])]
    assert await BedHold.all().count() == 1 and await Stay.all().count() == 0


async def test_calling_a_hold_off_frees_the_bed(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    hold = (await gql.data(BED_HOLD, hold_input(network)))["bedHold"]["bedHold"]

    released = (await gql.data(RELEASE, {"hold": hold["id"]}))["bedHoldRelease"]
    twice = (await gql.data(RELEASE, {"hold": hold["id"]}))["bedHoldRelease"]

    assert released["errors"] == []
    assert released["bedHold"]["active"] is False and released["bedHold"]["outcome"] == "RELEASED"
    assert released["bedHold"]["bed"] == {"status": "FREE"}
    assert codes(twice) == [("HOLD_NOT_ACTIVE", ["input", "hold"])]
    row = await BedHold.get()
    assert row.outcome is HoldOutcome.RELEASED and row.released_at is not None
    assert await AuditEvent.filter(action="bed_hold_release").count() == 1


async def test_the_person_named_in_the_hold_takes_the_bed_and_no_one_else(
    gql: GraphQLClient,
) -> None:
    network = await build_network(shelters=1)
    expected, other = await new_resident("Aziza"), await new_resident("Malika")
    hold = (
        await gql.data(BED_HOLD, hold_input(network, resident=encode_id("Resident", expected.id)))
    )["bedHold"]["bedHold"]
    bed = encode_id("Bed", network.beds[0].id)

    someone_else = await gql.data(
        CHECK_IN, {"resident": encode_id("Resident", other.id), "bed": bed}
    )
    with_the_hold = await gql.data(
        CHECK_IN, {"resident": encode_id("Resident", other.id), "bed": bed, "hold": hold["id"]}
    )
    arrived = await gql.data(CHECK_IN, {"resident": encode_id("Resident", expected.id), "bed": bed})

    assert hold["resident"] == {"code": expected.code}
    assert codes(someone_else["checkIn"]) == [("BED_HELD", ["input", "bed"])]
    assert codes(with_the_hold["checkIn"]) == [("BED_HELD", ["input", "hold"])]
    assert arrived["checkIn"]["errors"] == []
    assert arrived["checkIn"]["stay"]["bed"] == {"status": "OCCUPIED", "hold": None}
    row = await BedHold.get()
    assert row.outcome is HoldOutcome.CHECKED_IN and row.released_at is not None
    stay = await Stay.get()
    assert stay.resident_id == expected.id  # type: ignore[attr-defined]
    assert await AuditEvent.filter(action="bed_hold_checked_in", record_id=row.id).count() == 1


async def test_a_hold_for_someone_unregistered_is_taken_with_its_id(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    hold = (await gql.data(BED_HOLD, hold_input(network)))["bedHold"]["bedHold"]
    other_hold = (await gql.data(BED_HOLD, hold_input(network, bed=1)))["bedHold"]["bedHold"]
    newcomer = encode_id("Resident", (await new_resident("Nodira")).id)
    bed = encode_id("Bed", network.beds[0].id)

    wrong_hold = await gql.data(
        CHECK_IN, {"resident": newcomer, "bed": bed, "hold": other_hold["id"]}
    )
    arrived = await gql.data(CHECK_IN, {"resident": newcomer, "bed": bed, "hold": hold["id"]})

    assert codes(wrong_hold["checkIn"]) == [("HOLD_NOT_ACTIVE", ["input", "hold"])]
    assert arrived["checkIn"]["errors"] == []
    outcomes = {row.id: row.outcome for row in await BedHold.all()}
    assert sorted(outcomes.values(), key=str) == [HoldOutcome.CHECKED_IN, None]


async def test_a_transfer_takes_a_bed_held_for_that_resident(gql: GraphQLClient) -> None:
    # given a resident in shelter 0, and a bed of shelter 1 held for them by a coordinator
    network = await build_network(shelters=2)
    resident = await new_resident()
    stay = await check_in(await staff(), resident.id, network.beds[0].id)
    target = network.beds_of(network.shelters[1])[0]
    await hold_bed(
        COORDINATOR,
        target.id,
        HoldRequest("Safer shelter", now() + timedelta(days=1), resident_id=resident.id),
    )
    coordinator = gql.as_token(await sign_in(Role.COORDINATOR))

    moved = await coordinator.data(
        TRANSFER, {"stay": encode_id("Stay", stay.id), "bed": encode_id("Bed", target.id)}
    )

    assert moved["transfer"]["errors"] == []
    assert (await BedHold.get()).outcome is HoldOutcome.CHECKED_IN


async def test_an_expired_hold_holds_nothing_and_is_released_once(gql: GraphQLClient) -> None:
    # given a hold that expired an hour ago and was never marked released
    network = await build_network(shelters=1)
    started = now() - timedelta(hours=7)
    expired = await BedHold.create(
        bed=network.beds[0],
        reason="No-show",
        started_at=started,
        expires_at=now() - timedelta(hours=1),
    )

    # then the bed is free already, for readers and for a new hold
    status = await gql.data(
        "query ($id: ID!) { node(id: $id) { ... on Bed { status hold { id } } } }",
        {"id": encode_id("Bed", network.beds[0].id)},
    )
    listed = await gql.data(HOLDS, {"active": False})
    renewed = (await gql.data(BED_HOLD, hold_input(network)))["bedHold"]

    assert status["node"] == {"status": "FREE", "hold": None}
    assert listed["bedHolds"]["edges"][0]["node"] == {
        "id": encode_id("BedHold", expired.id),
        "reason": "No-show",
        "active": False,
        "outcome": "EXPIRED",
    }
    assert renewed["errors"] == []
    await expired.refresh_from_db()
    assert expired.outcome is HoldOutcome.EXPIRED and expired.released_at == expired.expires_at
    assert await expire_holds() == 0  # the new hold released it already: nothing left
    assert await AuditEvent.filter(action="bed_hold_expired").count() == 1


async def test_the_sweeper_releases_expired_holds_only(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    expired = await BedHold.create(
        bed=network.beds[0],
        reason="Late",
        started_at=now() - timedelta(hours=3),
        expires_at=now() - timedelta(seconds=1),
    )
    live = await hold_bed(COORDINATOR, network.beds[1].id, HoldRequest("Soon", later_dt(hours=1)))

    assert await expire_holds() == 1
    assert await expire_holds() == 0

    await expired.refresh_from_db()
    await live.refresh_from_db()
    assert expired.outcome is HoldOutcome.EXPIRED and expired.released_at == expired.expires_at
    assert live.outcome is None and live.released_at is None


def later_dt(**delta: float) -> datetime:
    return now() + timedelta(**delta)


async def test_refusals_write_nothing(gql: GraphQLClient) -> None:
    network = await build_network(shelters=2)
    await check_in(await staff(), (await new_resident()).id, network.beds[2].id)
    await BedOutage.create(bed=network.beds[3], reason="Mould", started_at=now())
    other_shelter = network.beds_of(network.shelters[1])[0]
    own_staff = gql.as_token(await sign_in(Role.SHELTER_STAFF, [network.shelters[0]]))
    medical = gql.as_token(await sign_in(Role.MEDICAL, [network.shelters[0]]))
    admin = gql.as_token(await sign_in(Role.ADMIN))
    naive = datetime.now().replace(tzinfo=None).isoformat()
    cases = [
        (gql, hold_input(network, reason="  "), ("REQUIRED", ["input", "reason"])),
        (gql, hold_input(network, reason="x" * 201), ("TOO_LONG", ["input", "reason"])),
        (gql, hold_input(network, reason="a\x00b"), ("INVALID_VALUE", ["input", "reason"])),
        (
            gql,
            hold_input(network, expiresAt=later(minutes=-1)),
            ("INVALID_VALUE", ["input", "expiresAt"]),
        ),
        (
            gql,
            hold_input(network, expiresAt=later(days=8)),
            ("INVALID_VALUE", ["input", "expiresAt"]),
        ),
        (gql, hold_input(network, expiresAt=naive), ("INVALID_VALUE", ["input", "expiresAt"])),
        (
            gql,
            hold_input(network, expectedArrival=later(hours=7)),
            ("INVALID_VALUE", ["input", "expectedArrival"]),
        ),
        (
            gql,
            hold_input(network, expectedArrival=later(hours=-2)),
            ("INVALID_VALUE", ["input", "expectedArrival"]),
        ),
        (gql, hold_input(network, bed=2), ("BED_OCCUPIED", ["input", "bed"])),
        (gql, hold_input(network, bed=3), ("BED_OUT_OF_SERVICE", ["input", "bed"])),
        (
            gql,
            {"input": {**hold_input(network)["input"], "bed": encode_id("Bed", 999999)}},
            ("NOT_FOUND", ["input", "bed"]),
        ),
        (
            gql,
            {"input": {**hold_input(network)["input"], "bed": encode_id("Room", 1)}},
            ("INVALID_ID", ["input", "bed"]),
        ),
        (
            own_staff,
            {"input": {**hold_input(network)["input"], "bed": encode_id("Bed", other_shelter.id)}},
            ("NOT_FOUND", ["input", "bed"]),
        ),
        (
            gql,
            hold_input(network, resident=encode_id("Resident", 999999)),
            ("NOT_FOUND", ["input", "resident"]),
        ),
        (medical, hold_input(network), ("FORBIDDEN", None)),
        (admin, hold_input(network), ("FORBIDDEN", None)),
        (gql.as_token(None), hold_input(network), ("UNAUTHENTICATED", None)),
    ]

    for client, variables, expected in cases:
        result = (await client.data(BED_HOLD, variables))["bedHold"]
        assert (result["bedHold"], codes(result)) == (None, [expected]), variables

    assert await BedHold.all().count() == 0
    assert await AuditEvent.filter(action="bed_hold").count() == 0


async def test_release_refusals(gql: GraphQLClient) -> None:
    network = await build_network(shelters=2)
    hold = await hold_bed(COORDINATOR, network.beds[0].id, HoldRequest("x", later_dt(hours=1)))
    staff_b = gql.as_token(await sign_in(Role.SHELTER_STAFF, [network.shelters[1]]))
    medical = gql.as_token(await sign_in(Role.MEDICAL, network.shelters))
    hold_id = encode_id("BedHold", hold.id)

    assert codes((await staff_b.data(RELEASE, {"hold": hold_id}))["bedHoldRelease"]) == [
        ("NOT_FOUND", ["input", "hold"])
    ]
    assert codes((await medical.data(RELEASE, {"hold": hold_id}))["bedHoldRelease"]) == [
        ("FORBIDDEN", None)
    ]
    assert codes(
        (await gql.data(RELEASE, {"hold": encode_id("BedHold", 999)}))["bedHoldRelease"]
    ) == [("NOT_FOUND", ["input", "hold"])]
    await hold.refresh_from_db()
    assert hold.released_at is None


async def test_a_hold_replayed_with_its_key_holds_once(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    key = str(uuid.uuid4())
    variables = {**hold_input(network), "key": key}

    first = (await gql.data(BED_HOLD, variables))["bedHold"]
    replay = (await gql.data(BED_HOLD, variables))["bedHold"]

    assert first["errors"] == [] and replay["errors"] == []
    assert replay["bedHold"]["id"] == first["bedHold"]["id"]
    assert await BedHold.all().count() == 1


async def test_holds_are_listed_by_shelter_region_and_state(gql: GraphQLClient) -> None:
    network = await build_network(shelters=2, regions=2)
    a, b = network.shelters
    await hold_bed(COORDINATOR, network.beds_of(a)[0].id, HoldRequest("in a", later_dt(hours=1)))
    await hold_bed(COORDINATOR, network.beds_of(b)[0].id, HoldRequest("in b", later_dt(hours=1)))
    ended = await hold_bed(
        COORDINATOR, network.beds_of(b)[1].id, HoldRequest("b", later_dt(hours=1))
    )
    await release_through_api(gql, ended.id)

    async def reasons(**variables: Any) -> list[str]:
        result = (await gql.data(HOLDS, variables))["bedHolds"]
        assert result["totalCount"] == len(result["edges"])
        return [edge["node"]["reason"] for edge in result["edges"]]

    assert await reasons() == ["in a", "in b"]
    assert await reasons(active=False) == ["b"]
    assert await reasons(active=None) == ["in a", "in b", "b"]
    assert await reasons(shelter=encode_id("Shelter", a.id)) == ["in a"]
    assert await reasons(region=encode_id("Region", network.regions[1].id), active=None) == [
        "in b",
        "b",
    ]
    staff_b = gql.as_token(await sign_in(Role.SHELTER_STAFF, [b]))
    assert [e["node"]["reason"] for e in (await staff_b.data(HOLDS))["bedHolds"]["edges"]] == [
        "in b"
    ]


async def release_through_api(gql: GraphQLClient, hold_id: int) -> None:
    result = await gql.data(RELEASE, {"hold": encode_id("BedHold", hold_id)})
    assert result["bedHoldRelease"]["errors"] == []


async def test_hold_times_are_stored_in_utc(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    almaty = timezone(timedelta(hours=5))
    expires = (now() + timedelta(hours=3)).astimezone(almaty).replace(microsecond=0)

    result = await gql.data(BED_HOLD, hold_input(network, expiresAt=expires.isoformat()))

    assert result["bedHold"]["errors"] == []
    assert (await BedHold.get()).expires_at == expires
