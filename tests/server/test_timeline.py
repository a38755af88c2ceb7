"""A resident's timeline: stays and services newest first, pages, kinds, and a constant cost."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from server.domain.clock import now
from server.domain.service_progress import add_hearing, advance_stage, update_status
from server.domain.services import ServiceEntry, log_service
from server.domain.stays import check_in, check_out, transfer
from server.models import (
    BedAssignment,
    DocumentStage,
    DocumentType,
    ExitDestination,
    Resident,
    ServiceKind,
    ServiceStatus,
)
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, QueryCounter
from tests.server.network import Network, build_network, new_resident, staff

TIMELINE = """
query ($id: ID!, $first: Int, $after: String, $kinds: [TimelineKind!]) {
  resident(id: $id) {
    timeline(first: $first, after: $after, kinds: $kinds) {
      edges { cursor node { at kind subject {
        __typename
        ... on Stay { shelter { name } }
        ... on BedAssignment { bed { label } }
        ... on ServiceChange { change status documentStage service { kind } }
        ... on CourtHearing { date outcome service { kind } }
      } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"""

RESIDENTS_TIMELINES = """
{
  residents(first: 100) {
    edges { node { code timeline(first: 3) {
      edges { node { at kind subject { __typename ... on ServiceChange { service { kind } } } } }
      pageInfo { hasNextPage }
    } } }
  }
}"""


def ago(days: float) -> datetime:
    return now() - timedelta(days=days)


async def _history() -> tuple[Network, Resident, list[tuple[str, str]]]:
    """A resident's ten days, and the entries they make, newest first as (kind, what)."""
    network = await build_network(shelters=2)
    resident = await new_resident()
    hand = await staff()
    a_beds, b_beds = network.beds_of(network.shelters[0]), network.beds_of(network.shelters[1])
    stay = await check_in(hand, resident.id, a_beds[0].id, at=ago(10))
    legal = await log_service(
        hand,
        ServiceEntry(resident.id, ServiceKind.LEGAL_AID, status=ServiceStatus.IN_PROGRESS),
        at=ago(9),
    )
    await transfer(hand, stay.id, a_beds[1].id, at=ago(8))
    papers = await log_service(
        hand,
        ServiceEntry(
            resident.id, ServiceKind.DOCUMENT_RESTORATION, document_type=DocumentType.PASSPORT
        ),
        at=ago(7),
    )
    await advance_stage(hand, papers.id, DocumentStage.APPLICATION_FILED, at=ago(6))
    court = await log_service(
        hand, ServiceEntry(resident.id, ServiceKind.COURT_REPRESENTATION), at=ago(5)
    )
    await add_hearing(hand, court.id, on=ago(4).date(), outcome="Adjourned")
    await add_hearing(hand, court.id, on=(now() + timedelta(days=10)).date())
    moved_at = ago(3)
    moved = await transfer(hand, stay.id, b_beds[0].id, at=moved_at)
    await update_status(hand, legal.id, ServiceStatus.COMPLETED, at=ago(2))
    await check_out(hand, moved.id, ExitDestination.RETURNED_HOME, at=ago(1))
    expected = [
        ("COURT_HEARING", "hearing ahead"),
        ("CHECK_OUT", "Shelter 1"),
        ("SERVICE_STATUS_CHANGED", "LEGAL_AID"),
        ("CHECK_IN", "Shelter 1"),  # the same instant as the next: the move's check-in first
        ("CHECK_OUT", "Shelter 0"),
        ("COURT_HEARING", "Adjourned"),
        ("SERVICE_LOGGED", "COURT_REPRESENTATION"),
        ("SERVICE_STAGE_ADVANCED", "DOCUMENT_RESTORATION"),
        ("SERVICE_LOGGED", "DOCUMENT_RESTORATION"),
        ("TRANSFER", a_beds[1].label),
        ("SERVICE_LOGGED", "LEGAL_AID"),
        ("CHECK_IN", "Shelter 0"),
    ]
    return network, resident, expected


def _what(node: dict[str, Any]) -> tuple[str, str]:
    subject = node["subject"]
    what = {
        "Stay": lambda: subject["shelter"]["name"],
        "BedAssignment": lambda: subject["bed"]["label"],
        "ServiceChange": lambda: subject["service"]["kind"],
        "CourtHearing": lambda: subject["outcome"] or "hearing ahead",
    }[subject["__typename"]]()
    return node["kind"], what


async def _page(gql: GraphQLClient, resident: Resident, **variables: Any) -> dict[str, Any]:
    result = await gql.data(TIMELINE, {"id": encode_id("Resident", resident.id), **variables})
    page: dict[str, Any] = result["resident"]["timeline"]
    return page


async def _all(gql: GraphQLClient, resident: Resident, **variables: Any) -> list[dict[str, Any]]:
    """Every entry, page by page."""
    nodes, after = [], None
    while True:
        page = await _page(gql, resident, after=after, **variables)
        nodes += [edge["node"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_stays_and_services_come_newest_first(gql: GraphQLClient) -> None:
    # given a resident's ten days: stays in two shelters, services, stages, hearings
    _, resident, expected = await _history()

    # when their timeline is asked for in one page
    page = await _page(gql, resident, first=50)

    # then every entry is there, newest first (a hearing ahead on top)
    nodes = [edge["node"] for edge in page["edges"]]
    assert [_what(node) for node in nodes] == expected
    times = [datetime.fromisoformat(node["at"]) for node in nodes]
    assert times == sorted(times, reverse=True)
    hearing_ahead = (now() + timedelta(days=10)).date()
    assert times[0] == datetime.combine(hearing_ahead, time(0), tzinfo=UTC)
    assert page["pageInfo"]["hasNextPage"] is False
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


@pytest.mark.parametrize("size", [1, 2, 5, 11, 12])
async def test_pages_follow_each_other_without_gaps_or_repeats(
    gql: GraphQLClient, size: int
) -> None:
    # given a resident's ten days (with entries at the same instant, and day-long hearings)
    _, resident, expected = await _history()

    # when the timeline is read page by page
    nodes = await _all(gql, resident, first=size)

    # then the pages together are the whole timeline, in order
    assert [_what(node) for node in nodes] == expected


@pytest.mark.parametrize(
    "kinds",
    [
        ["CHECK_IN", "CHECK_OUT"],
        ["COURT_HEARING"],
        ["TRANSFER", "SERVICE_STATUS_CHANGED"],
        ["SERVICE_LOGGED"],
        ["SERVICE_STAGE_ADVANCED", "SERVICE_LOGGED", "CHECK_IN"],
    ],
)
async def test_kinds_choose_the_entries(gql: GraphQLClient, kinds: list[str]) -> None:
    # given a resident's ten days
    _, resident, expected = await _history()

    # when only some kinds are asked for, a page of one at a time
    nodes = await _all(gql, resident, first=1, kinds=kinds)

    # then exactly those entries come, in order
    assert [_what(node) for node in nodes] == [entry for entry in expected if entry[0] in kinds]


async def test_a_bad_cursor_is_a_clear_error(gql: GraphQLClient) -> None:
    # given a resident with a timeline
    _, resident, _ = await _history()
    cursor = (await _page(gql, resident, first=1))["pageInfo"]["endCursor"]
    text = base64.b64decode(cursor).decode()
    forged = [
        "not a cursor",
        base64.b64encode(b"cursor:12").decode(),
        base64.b64encode(text.replace("|court_hearing|", "|nope|").encode()).decode(),
        base64.b64encode(text.replace("+00:00", "").encode()).decode(),
        base64.b64encode(text.rsplit("|", 1)[0].encode() + b"|99999999999").decode(),
    ]

    for after in forged:
        # when a page is asked for after a cursor this API did not make
        body = await gql.post(TIMELINE, {"id": encode_id("Resident", resident.id), "after": after})

        # then it is refused, naming the argument
        assert body["data"]["resident"] is None, after
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_VALUE"], after


async def _busy_resident(network: Network, services: int) -> Resident:
    """A resident in a bed, with ``services`` services logged and completed (two entries each)."""
    hand = await staff()
    resident = await new_resident()
    taken = set(await BedAssignment.all().values_list("bed_id", flat=True))
    bed = next(bed for bed in network.beds if bed.id not in taken)
    await check_in(hand, resident.id, bed.id, at=ago(30))
    for number in range(services):
        service = await log_service(
            hand, ServiceEntry(resident.id, ServiceKind.TRANSPORT), at=ago(20 - number * 0.1)
        )
        await update_status(hand, service.id, ServiceStatus.COMPLETED)
    return resident


async def test_a_timeline_costs_the_same_for_5_and_41_entries(gql: GraphQLClient) -> None:
    # given a resident with 5 entries, and one with 41
    network = await build_network(shelters=1, beds_per_room=4)
    few, many = await _busy_resident(network, 2), await _busy_resident(network, 20)
    await _page(gql, few)  # signs in

    async def statements(resident: Resident) -> tuple[int, int]:
        with QueryCounter() as counter:
            page = await _page(gql, resident, first=100)
        return counter.count, len(page["edges"])

    # when each one's whole timeline is asked for
    small, large = await statements(few), await statements(many)

    # then both cost the same number of statements
    assert (small[1], large[1]) == (5, 41)
    assert small[0] == large[0], (small, large)


async def test_timelines_of_many_residents_cost_the_same_as_of_a_few(gql: GraphQLClient) -> None:
    # given 3 residents with services, then 12
    network = await build_network(shelters=1, rooms_per_shelter=4, beds_per_room=4)

    async def statements(count: int) -> tuple[int, dict[str, Any]]:
        for number in range(count):
            await _busy_resident(network, number % 3 + 1)
        with QueryCounter() as counter:
            result = await gql.data(RESIDENTS_TIMELINES)
        return counter.count, result

    # when the list of residents is asked with each one's latest three entries
    await gql.data("{ viewer { username } }")  # signs in
    small, _ = await statements(3)
    large, result = await statements(9)

    # then the cost does not grow, and each resident's page is their own timeline's first page
    assert small == large, (small, large)
    edges = result["residents"]["edges"]
    assert len(edges) == 12
    for edge in edges:
        resident = await Resident.get(code=edge["node"]["code"])
        alone = await _page(gql, resident, first=3)
        batched = edge["node"]["timeline"]
        assert [e["node"]["at"] for e in batched["edges"]] == [
            e["node"]["at"] for e in alone["edges"]
        ]
        assert batched["pageInfo"]["hasNextPage"] == alone["pageInfo"]["hasNextPage"]


async def test_an_empty_timeline(gql: GraphQLClient) -> None:
    # given a resident registered and never checked in
    await build_network(shelters=1)
    resident = await new_resident()

    # when their timeline is asked for
    page = await _page(gql, resident)

    # then it is empty
    assert page == {
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


def test_a_day_long_entry_sits_at_its_midnight() -> None:
    from server.domain.timeline import midnight

    assert midnight(date(2026, 3, 1)) == datetime(2026, 3, 1, tzinfo=UTC)
