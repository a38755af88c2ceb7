"""Check-in, check-out and transfer through the API: the happy path and each refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.models import BedAssignment, Stay
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.network import build_network, new_resident

CHECK_IN = """
mutation ($resident: ID!, $bed: ID!, $at: DateTime) {
  checkIn(input: {resident: $resident, bed: $bed, at: $at}) {
    stay { id active shelter { name } bed { label status } resident { code } }
    errors { code field message }
  }
}"""

CHECK_OUT = """
mutation ($stay: ID!, $destination: ExitDestination!, $at: DateTime) {
  checkOut(input: {stay: $stay, exitDestination: $destination, at: $at}) {
    stay { id active exitDestination checkedOutAt bed { label } }
    errors { code field message }
  }
}"""

TRANSFER = """
mutation ($stay: ID!, $bed: ID!) {
  transfer(input: {stay: $stay, bed: $bed}) {
    stay { id active shelter { name } bed { label } bedHistory { bed { label } endedAt } }
    errors { code field message }
  }
}"""


async def test_check_in_then_out_frees_the_bed(gql: GraphQLClient) -> None:
    # given
    network = await build_network()
    resident = await new_resident()
    bed = network.beds[0]

    # when
    result = await gql.data(
        CHECK_IN, {"resident": encode_id("Resident", resident.id), "bed": encode_id("Bed", bed.id)}
    )

    # then
    payload = result["checkIn"]
    assert payload["errors"] == []
    assert payload["stay"]["active"] is True
    assert payload["stay"]["bed"] == {"label": bed.label, "status": "OCCUPIED"}
    assert payload["stay"]["resident"]["code"] == resident.code

    out = (
        await gql.data(CHECK_OUT, {"stay": payload["stay"]["id"], "destination": "RETURNED_HOME"})
    )["checkOut"]
    assert out["errors"] == []
    assert out["stay"]["active"] is False
    assert out["stay"]["exitDestination"] == "RETURNED_HOME"
    assert out["stay"]["bed"] is None
    assert await BedAssignment.filter(bed_id=bed.id, ended_at__isnull=True).count() == 0


async def test_occupied_bed_is_refused_and_nothing_written(gql: GraphQLClient) -> None:
    network = await build_network()
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    bed = encode_id("Bed", network.beds[0].id)
    await gql.data(CHECK_IN, {"resident": encode_id("Resident", first.id), "bed": bed})

    result = await gql.data(CHECK_IN, {"resident": encode_id("Resident", second.id), "bed": bed})

    assert result["checkIn"]["stay"] is None
    assert [error["code"] for error in result["checkIn"]["errors"]] == ["BED_OCCUPIED"]
    assert result["checkIn"]["errors"][0]["field"] == ["input", "bed"]
    assert await Stay.filter(resident_id=second.id).count() == 0


async def test_resident_already_in_a_shelter_is_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = encode_id("Resident", (await new_resident()).id)
    await gql.data(CHECK_IN, {"resident": resident, "bed": encode_id("Bed", network.beds[0].id)})

    result = await gql.data(
        CHECK_IN, {"resident": resident, "bed": encode_id("Bed", network.beds[1].id)}
    )

    assert [e["code"] for e in result["checkIn"]["errors"]] == ["RESIDENT_ALREADY_IN_SHELTER"]


async def test_malformed_and_unknown_ids_are_clear_errors(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = encode_id("Resident", (await new_resident()).id)
    cases = {
        "not-an-id": "INVALID_ID",
        encode_id("Shelter", network.shelters[0].id): "INVALID_ID",
        encode_id("Bed", 999_999): "NOT_FOUND",
        encode_id("Bed", 99_999_999_999): "INVALID_ID",
    }
    for bed, code in cases.items():
        result = await gql.data(CHECK_IN, {"resident": resident, "bed": bed})
        assert [e["code"] for e in result["checkIn"]["errors"]] == [code], bed
        assert result["checkIn"]["errors"][0]["field"] == ["input", "bed"]
    assert await Stay.all().count() == 0


async def test_future_check_in_is_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = encode_id("Resident", (await new_resident()).id)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    result = await gql.data(
        CHECK_IN,
        {"resident": resident, "bed": encode_id("Bed", network.beds[0].id), "at": tomorrow},
    )

    assert [e["code"] for e in result["checkIn"]["errors"]] == ["DATE_IN_FUTURE"]
    assert result["checkIn"]["errors"][0]["field"] == ["input", "at"]


async def test_check_out_of_an_ended_stay_is_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = encode_id("Resident", (await new_resident()).id)
    stay = (
        await gql.data(
            CHECK_IN, {"resident": resident, "bed": encode_id("Bed", network.beds[0].id)}
        )
    )["checkIn"]["stay"]["id"]
    await gql.data(CHECK_OUT, {"stay": stay, "destination": "HOSPITAL"})

    again = await gql.data(CHECK_OUT, {"stay": stay, "destination": "HOSPITAL"})

    assert [e["code"] for e in again["checkOut"]["errors"]] == ["STAY_ALREADY_ENDED"]


async def test_check_out_before_check_in_is_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    resident = encode_id("Resident", (await new_resident()).id)
    stay = (
        await gql.data(
            CHECK_IN, {"resident": resident, "bed": encode_id("Bed", network.beds[0].id)}
        )
    )["checkIn"]["stay"]["id"]
    earlier = (datetime.now(UTC) - timedelta(days=2)).isoformat()

    result = await gql.data(CHECK_OUT, {"stay": stay, "destination": "OTHER", "at": earlier})

    assert [e["code"] for e in result["checkOut"]["errors"]] == ["DATE_BEFORE_HISTORY"]
    assert await Stay.filter(checked_out_at__isnull=False).count() == 0


async def test_transfer_within_a_shelter_keeps_the_stay_and_its_history(gql: GraphQLClient) -> None:
    network = await build_network()
    beds = network.beds_of(network.shelters[0])
    resident = encode_id("Resident", (await new_resident()).id)
    stay = (await gql.data(CHECK_IN, {"resident": resident, "bed": encode_id("Bed", beds[0].id)}))[
        "checkIn"
    ]["stay"]["id"]

    moved = (await gql.data(TRANSFER, {"stay": stay, "bed": encode_id("Bed", beds[1].id)}))[
        "transfer"
    ]

    assert moved["errors"] == []
    assert moved["stay"]["id"] == stay
    assert moved["stay"]["bed"]["label"] == beds[1].label
    history = moved["stay"]["bedHistory"]
    assert [entry["bed"]["label"] for entry in history] == [beds[0].label, beds[1].label]
    assert history[0]["endedAt"] is not None and history[1]["endedAt"] is None


async def test_transfer_to_another_shelter_ends_the_stay_and_starts_one_there(
    gql: GraphQLClient,
) -> None:
    network = await build_network()
    here, there = network.shelters[0], network.shelters[1]
    resident = encode_id("Resident", (await new_resident()).id)
    stay = (
        await gql.data(
            CHECK_IN, {"resident": resident, "bed": encode_id("Bed", network.beds_of(here)[0].id)}
        )
    )["checkIn"]["stay"]["id"]

    moved = (
        await gql.data(
            TRANSFER, {"stay": stay, "bed": encode_id("Bed", network.beds_of(there)[0].id)}
        )
    )["transfer"]

    assert moved["errors"] == []
    assert moved["stay"]["id"] != stay
    assert moved["stay"]["shelter"]["name"] == there.name
    stays = await Stay.all().order_by("id")
    assert [s.exit_destination for s in stays] == ["other_shelter", None]


async def test_transfer_to_the_same_bed_is_refused(gql: GraphQLClient) -> None:
    network = await build_network()
    bed = encode_id("Bed", network.beds[0].id)
    resident = encode_id("Resident", (await new_resident()).id)
    stay = (await gql.data(CHECK_IN, {"resident": resident, "bed": bed}))["checkIn"]["stay"]["id"]

    result = await gql.data(TRANSFER, {"stay": stay, "bed": bed})

    assert [e["code"] for e in result["transfer"]["errors"]] == ["SAME_BED"]
    assert await BedAssignment.all().count() == 1
