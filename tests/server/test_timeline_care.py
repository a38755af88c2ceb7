"""A resident's timeline also lists medical appointments, counselling sessions and what they
were handed out — to those who may see each — at a cost that does not grow with their number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.domain.clock import now
from server.domain.stays import check_in
from server.domain.stock import distribute
from server.models import Resident, Role
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, QueryCounter, empty_tables, sign_in
from tests.server.care import Member, book, book_session, local, member, tomorrow
from tests.server.network import build_network, new_resident, staff
from tests.server.stock_network import new_item, stocked

TIMELINE = """
query ($id: ID!) {
  resident(id: $id) {
    timeline(first: 100) {
      edges { node { kind subject {
        __typename
        ... on MedicalAppointment { appointmentKind: kind status }
        ... on CounsellingSession { sessionKind: kind }
        ... on StockMovement { quantity item { name } }
      } } }
    }
  }
}"""


async def _day(appointments: int = 1) -> tuple[Resident, Member, Member]:
    """A resident in shelter 0 since two days, handed a pack of rice, with ``appointments``
    appointments tomorrow (10:00 on) and a counselling session in the afternoon."""
    network = await build_network(shelters=1, regions=1)
    shelter = network.shelters[0]
    resident = await new_resident(shelter=shelter)
    await check_in(await staff(), resident.id, network.beds[0].id, at=now() - timedelta(days=2))
    rice = await new_item("Rice")
    await stocked(shelter, rice, 10)
    desk = await member(Role.SHELTER_STAFF, [shelter])
    await distribute(
        desk.viewer, shelter_id=shelter.id, item_id=rice.id, resident_id=resident.id, quantity=1
    )
    medic = await member(Role.MEDICAL, [shelter])
    for number in range(appointments):
        await book(
            desk,
            resident.id,
            medic,
            local(tomorrow(), 10) + timedelta(hours=number % 3, days=number // 3),
        )
    counsellor = await member(Role.COUNSELLOR, [shelter])
    await book_session(desk, counsellor, [resident.id], local(tomorrow(), 16))
    return resident, desk, medic


def _kinds(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["kind"] for edge in data["resident"]["timeline"]["edges"]]


async def test_the_front_desk_sees_the_whole_day_newest_first(gql: GraphQLClient) -> None:
    resident, desk, _ = await _day()

    data = await desk.client(gql).data(TIMELINE, {"id": encode_id("Resident", resident.id)})

    assert _kinds(data) == ["COUNSELLING_SESSION", "APPOINTMENT", "DISTRIBUTION", "CHECK_IN"]
    subjects = [edge["node"]["subject"] for edge in data["resident"]["timeline"]["edges"]]
    assert subjects[1] == {
        "__typename": "MedicalAppointment",
        "appointmentKind": "GENERAL",
        "status": "SCHEDULED",
    }
    assert subjects[2] == {"__typename": "StockMovement", "quantity": 1, "item": {"name": "Rice"}}


async def test_network_roles_see_the_stay_but_not_the_care_or_the_hand_outs(
    gql: GraphQLClient,
) -> None:
    resident, _, _ = await _day()
    coordinator = gql.as_token(await sign_in(Role.COORDINATOR))

    data = await coordinator.data(TIMELINE, {"id": encode_id("Resident", resident.id)})

    assert _kinds(data) == ["CHECK_IN"]


async def test_the_care_entries_cost_the_same_for_1_and_9_appointments(
    gql: GraphQLClient,
) -> None:
    async def statements(appointments: int) -> int:
        resident, desk, _ = await _day(appointments)
        client = desk.client(gql)
        await client.data("{ viewer { username } }")
        with QueryCounter() as counter:
            data = await client.data(TIMELINE, {"id": encode_id("Resident", resident.id)})
        assert _kinds(data).count("APPOINTMENT") == appointments
        return counter.count

    few = await statements(1)
    await empty_tables()
    many = await statements(9)

    assert few == many
