"""Beds out of service and held, and the search for free beds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain.stays import check_in
from server.models import BedHold, BedOutage
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.network import build_network, new_resident, staff

SET_STATUS = """
mutation ($bed: ID!, $status: BedServiceStatus!, $reason: String! = "") {
  bedSetStatus(input: {bed: $bed, status: $status, reason: $reason}) {
    bed { label status outOfServiceReason }
    errors { code field message }
  }
}"""

CHECK_IN = """
mutation ($resident: ID!, $bed: ID!) {
  checkIn(input: {resident: $resident, bed: $bed}) { stay { id } errors { code field message } }
}"""

AVAILABLE = """
query ($shelter: ID, $region: ID, $kind: ShelterKind, $features: [BedFeature!], $first: Int) {
  availableBeds(
    shelter: $shelter, region: $region, shelterKind: $kind, features: $features, first: $first
  ) {
    totalCount edges { node { id label features status room { shelter { name kind } } } }
  }
}"""


def codes(payload: dict) -> list[str]:  # type: ignore[type-arg]
    return [error["code"] for error in payload["errors"]]


async def test_out_of_service_needs_a_reason_and_comes_back(gql: GraphQLClient) -> None:
    network = await build_network()
    bed = encode_id("Bed", network.beds[0].id)

    no_reason = (await gql.data(SET_STATUS, {"bed": bed, "status": "OUT_OF_SERVICE"}))[
        "bedSetStatus"
    ]
    out = (
        await gql.data(
            SET_STATUS, {"bed": bed, "status": "OUT_OF_SERVICE", "reason": "Broken frame"}
        )
    )["bedSetStatus"]
    twice = (
        await gql.data(SET_STATUS, {"bed": bed, "status": "OUT_OF_SERVICE", "reason": "Again"})
    )["bedSetStatus"]
    back = (await gql.data(SET_STATUS, {"bed": bed, "status": "IN_SERVICE"}))["bedSetStatus"]
    back_again = (await gql.data(SET_STATUS, {"bed": bed, "status": "IN_SERVICE"}))["bedSetStatus"]

    assert codes(no_reason) == ["REQUIRED"] and no_reason["errors"][0]["field"] == [
        "input",
        "reason",
    ]
    assert out["errors"] == []
    assert out["bed"] == {
        "label": network.beds[0].label,
        "status": "OUT_OF_SERVICE",
        "outOfServiceReason": "Broken frame",
    }
    assert codes(twice) == ["BED_STATUS_UNCHANGED"]
    assert back["bed"]["status"] == "FREE" and back["bed"]["outOfServiceReason"] is None
    assert codes(back_again) == ["BED_STATUS_UNCHANGED"]
    outages = await BedOutage.all()
    assert len(outages) == 1 and outages[0].ended_at is not None  # history kept


async def test_occupied_bed_cannot_go_out_of_service(gql: GraphQLClient) -> None:
    network = await build_network()
    await check_in(await staff(), (await new_resident()).id, network.beds[0].id)

    result = await gql.data(
        SET_STATUS,
        {"bed": encode_id("Bed", network.beds[0].id), "status": "OUT_OF_SERVICE", "reason": "Leak"},
    )

    assert codes(result["bedSetStatus"]) == ["BED_OCCUPIED"]
    assert await BedOutage.all().count() == 0


async def test_check_in_refuses_out_of_service_and_held_beds(gql: GraphQLClient) -> None:
    network = await build_network()
    out_bed, held_bed, expired_hold_bed = network.beds[:3]
    now = datetime.now(UTC)
    await BedOutage.create(bed=out_bed, reason="Mould", started_at=now - timedelta(days=1))
    await BedHold.create(
        bed=held_bed,
        reason="Police referral",
        started_at=now - timedelta(hours=1),
        expires_at=now + timedelta(hours=5),
    )
    await BedHold.create(
        bed=expired_hold_bed,
        reason="No-show",
        started_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
    )
    resident = encode_id("Resident", (await new_resident()).id)

    refused_out = await gql.data(
        CHECK_IN, {"resident": resident, "bed": encode_id("Bed", out_bed.id)}
    )
    refused_held = await gql.data(
        CHECK_IN, {"resident": resident, "bed": encode_id("Bed", held_bed.id)}
    )
    accepted = await gql.data(
        CHECK_IN, {"resident": resident, "bed": encode_id("Bed", expired_hold_bed.id)}
    )

    assert codes(refused_out["checkIn"]) == ["BED_OUT_OF_SERVICE"]
    assert codes(refused_held["checkIn"]) == ["BED_HELD"]
    assert accepted["checkIn"]["errors"] == []


async def test_available_beds_filters(gql: GraphQLClient) -> None:
    # given 3 shelters (women's, men's, families') of 6 beds in 2 regions, one bed taken
    network = await build_network(shelters=3, regions=2)
    await check_in(await staff(), (await new_resident()).id, network.beds[0].id)
    await BedOutage.create(bed=network.beds[1], reason="Broken", started_at=datetime.now(UTC))

    async def labels(**variables: object) -> list[str]:
        result = (await gql.data(AVAILABLE, dict(variables)))["availableBeds"]
        if "first" not in variables:
            assert result["totalCount"] == len(result["edges"])
        assert all(edge["node"]["status"] == "FREE" for edge in result["edges"])
        return [edge["node"]["id"] for edge in result["edges"]]

    assert len(await labels()) == 16
    assert len(await labels(shelter=encode_id("Shelter", network.shelters[0].id))) == 4
    assert len(await labels(region=encode_id("Region", network.regions[1].id))) == 6
    assert len(await labels(kind="FAMILIES")) == 6
    assert len(await labels(features=["CRIB"])) == 6
    assert len(await labels(features=["CRIB", "LOWER_BUNK"])) == 6
    assert len(await labels(features=["ACCESSIBLE"])) == 0
    assert len(await labels(first=3)) == 3
