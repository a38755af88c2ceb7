"""A shelter's arrivals and departures of a day: what the front desk's dashboard shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain.stays import check_in, check_out
from server.models import ExitDestination, Role
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, QueryCounter, empty_tables, sign_in
from tests.server.care import ZONE
from tests.server.network import build_network, new_resident, staff

DAY = """query ($id: ID!, $on: Date) {
  shelter(id: $id) {
    arrivals(on: $on) { resident { code } checkedInAt }
    departures(on: $on) { resident { code } exitDestination }
  }
}"""

EVERY_SHELTER = """{ shelters(first: 100) { edges { node {
  name arrivals { resident { code } } departures { exitDestination } } } } }"""


async def test_today_s_arrivals_and_departures_in_time_order(gql: GraphQLClient) -> None:
    # given two people arrived today at shelter 0, one of whom has left, and one at shelter 1
    network = await build_network(shelters=2)
    first, second = network.shelters
    setup = await staff()
    now = datetime.now(UTC)
    aziza = await new_resident("Aziza", shelter=first)
    malika = await new_resident("Malika", shelter=first)
    other = await new_resident("Gulnora", shelter=second)
    early = now - timedelta(minutes=30)
    stay = await check_in(setup, malika.id, network.beds_of(first)[1].id, at=early)
    await check_in(setup, aziza.id, network.beds_of(first)[0].id)
    await check_in(setup, other.id, network.beds_of(second)[0].id)
    await check_out(setup, stay.id, ExitDestination.RETURNED_HOME)
    desk = gql.as_token(await sign_in(Role.SHELTER_STAFF, [first]))

    # when the front desk of shelter 0 asks for today
    day = (await desk.data(DAY, {"id": encode_id("Shelter", first.id)}))["shelter"]

    # then both arrivals, earliest first, and the one departure; nobody from shelter 1
    assert [a["resident"]["code"] for a in day["arrivals"]] == [malika.code, aziza.code]
    assert day["departures"] == [
        {"resident": {"code": malika.code}, "exitDestination": "RETURNED_HOME"}
    ]
    # and yesterday had none of them (the day is the shelters' local day)
    yesterday = (datetime.now(ZONE).date() - timedelta(days=1)).isoformat()
    before = await desk.data(DAY, {"id": encode_id("Shelter", first.id), "on": yesterday})
    assert before["shelter"] == {"arrivals": [], "departures": []}


async def test_a_day_ahead_is_refused(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    desk = gql.as_token(await sign_in(Role.SHELTER_STAFF, network.shelters))
    tomorrow = (datetime.now(ZONE).date() + timedelta(days=2)).isoformat()

    body = await desk.post(
        DAY, {"id": encode_id("Shelter", network.shelters[0].id), "on": tomorrow}
    )

    assert body["errors"][0]["extensions"]["code"] == "DATE_IN_FUTURE"


async def test_every_shelter_s_day_costs_the_same_queries_for_2_and_6_shelters(
    gql: GraphQLClient,
) -> None:
    counts = []
    for shelters in (2, 6):
        await empty_tables()
        network = await build_network(shelters=shelters, regions=2)
        for shelter in network.shelters:
            resident = await new_resident(shelter=shelter)
            stay = await check_in(await staff(), resident.id, network.beds_of(shelter)[0].id)
            await check_out(await staff(), stay.id, ExitDestination.OTHER)
        coordinator = gql.as_token(await sign_in(Role.COORDINATOR))
        with QueryCounter() as counter:
            data = await coordinator.data(EVERY_SHELTER)
        assert len(data["shelters"]["edges"]) >= shelters
        counts.append(counter.count)
    assert counts[0] == counts[1]


async def test_a_shelter_says_which_time_zone_its_days_are_in(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    desk = gql.as_token(await sign_in(Role.SHELTER_STAFF, network.shelters))

    data = await desk.data(
        "query ($id: ID!) { shelter(id: $id) { timeZone } }",
        {"id": encode_id("Shelter", network.shelters[0].id)},
    )

    assert data == {"shelter": {"timeZone": "Asia/Almaty"}}
