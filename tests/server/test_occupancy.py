"""Occupancy now and on past dates, derived from check-ins, transfers, check-outs and outages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.domain.beds import set_bed_status
from server.domain.stays import check_in, check_out, transfer
from server.models import BedHold, BedOutage, ExitDestination
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.network import build_network, new_resident, staff

ALMATY = ZoneInfo("Asia/Almaty")

OCCUPANCY = """
query ($on: Date, $shelter: ID, $region: ID) {
  occupancy(on: $on, shelter: $shelter, region: $region) {
    at
    total { capacity occupied held outOfService free }
    regions { region { code } occupancy { capacity occupied free }
      shelters { shelter { name } occupancy { capacity occupied held outOfService free } } }
  }
}"""


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=ALMATY).astimezone(UTC)


async def _figures(gql: GraphQLClient, on: date | None = None) -> dict[str, dict[str, int]]:
    result = await gql.data(OCCUPANCY, {"on": on.isoformat() if on else None})
    return {
        shelter["shelter"]["name"]: shelter["occupancy"]
        for region in result["occupancy"]["regions"]
        for shelter in region["shelters"]
    }


async def test_past_dates_show_what_the_history_made_them(gql: GraphQLClient) -> None:
    # given two shelters of 6 beds and a history over ten days
    network = await build_network(shelters=2, regions=1)
    a, b = network.shelters
    beds_a, beds_b = network.beds_of(a), network.beds_of(b)
    today = datetime.now(ALMATY).date()
    day = {n: today - timedelta(days=n) for n in range(1, 11)}

    amina, bibi, chinara = [await new_resident(name) for name in ("Amina", "Bibi", "Chinara")]
    stay_a = await check_in(await staff(), amina.id, beds_a[0].id, at=_noon(day[10]))
    stay_b = await check_in(await staff(), bibi.id, beds_a[1].id, at=_noon(day[9]))
    await check_in(await staff(), chinara.id, beds_b[0].id, at=_noon(day[8]))
    moved = await transfer(
        await staff(), stay_b.id, beds_b[1].id, at=_noon(day[6])
    )  # to the other shelter
    await check_out(await staff(), stay_a.id, ExitDestination.RETURNED_HOME, at=_noon(day[4]))
    await check_out(await staff(), moved.id, ExitDestination.INDEPENDENT_LIVING, at=_noon(day[2]))
    await BedOutage.create(
        bed=beds_a[5], reason="Mould", started_at=_noon(day[7]), ended_at=_noon(day[5])
    )
    await set_bed_status(await staff(), beds_b[5].id, in_service=False, reason="Broken frame")
    await BedHold.create(
        bed=beds_b[4], reason="Referral", started_at=_noon(day[3]), expires_at=_noon(day[1])
    )

    def expect(occupied: int, held: int = 0, out: int = 0) -> dict[str, int]:
        return {
            "capacity": 6,
            "occupied": occupied,
            "held": held,
            "outOfService": out,
            "free": 6 - occupied - held - out,
        }

    # then each night counts who slept where
    assert await _figures(gql, day[10]) == {a.name: expect(1), b.name: expect(0)}
    assert await _figures(gql, day[9]) == {a.name: expect(2), b.name: expect(0)}
    assert await _figures(gql, day[7]) == {a.name: expect(2, out=1), b.name: expect(1)}
    assert await _figures(gql, day[6]) == {a.name: expect(1, out=1), b.name: expect(2)}
    assert await _figures(gql, day[5]) == {a.name: expect(1), b.name: expect(2)}
    assert await _figures(gql, day[4]) == {a.name: expect(0), b.name: expect(2)}
    assert await _figures(gql, day[3]) == {a.name: expect(0), b.name: expect(2, held=1)}
    assert await _figures(gql, day[2]) == {a.name: expect(0), b.name: expect(1, held=1)}
    assert await _figures(gql, day[1]) == {a.name: expect(0), b.name: expect(1)}
    # and now the broken bed is out of service
    assert await _figures(gql) == {a.name: expect(0), b.name: expect(1, out=1)}


async def test_totals_add_up_and_filters_narrow(gql: GraphQLClient) -> None:
    network = await build_network(shelters=3, regions=2)
    await check_in(await staff(), (await new_resident()).id, network.beds[0].id)

    everything = (await gql.data(OCCUPANCY))["occupancy"]
    one_region = (
        await gql.data(OCCUPANCY, {"region": encode_id("Region", network.regions[1].id)})
    )["occupancy"]
    one_shelter = (
        await gql.data(OCCUPANCY, {"shelter": encode_id("Shelter", network.shelters[0].id)})
    )["occupancy"]

    assert everything["total"] == {
        "capacity": 18,
        "occupied": 1,
        "held": 0,
        "outOfService": 0,
        "free": 17,
    }
    assert sum(r["occupancy"]["capacity"] for r in everything["regions"]) == 18
    assert [r["region"]["code"] for r in one_region["regions"]] == ["R1"]
    assert one_region["total"]["capacity"] == 6
    assert one_shelter["total"]["occupied"] == 1


async def test_a_future_date_is_refused(gql: GraphQLClient) -> None:
    tomorrow = datetime.now(ALMATY).date() + timedelta(days=1)
    body = await gql.post(OCCUPANCY, {"on": tomorrow.isoformat()})
    assert body["data"] is None
    assert "future" in body["errors"][0]["message"]


async def test_beds_added_later_do_not_count_before(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1, regions=1)
    network.beds[0].created_at = datetime.now(UTC) - timedelta(hours=1)
    await network.beds[0].save()
    yesterday = datetime.now(ALMATY).date() - timedelta(days=1)

    figures = await _figures(gql, yesterday)

    assert figures[network.shelters[0].name]["capacity"] == 5
