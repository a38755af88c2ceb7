"""Lists never cost a query per row: the SQL count is the same for 3 shelters and for 30."""

from __future__ import annotations

from server.domain.stays import check_in
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, QueryCounter, empty_tables
from tests.server.network import build_network, new_resident, staff

BED_GRID = """
{
  shelters(first: 100) {
    edges { node {
      name kind region { name } occupancy { capacity occupied free }
      rooms { name beds { label status features outOfServiceReason
        currentStay { daysInShelter resident { code } bedHistory { startedAt bed { label } } } } }
    } }
  }
}"""

OCCUPANCY = """
{
  occupancy {
    total { capacity occupied held outOfService free }
    regions { region { name } occupancy { free }
      shelters { shelter { name } occupancy { capacity occupied free } } }
  }
}"""

RESIDENTS = """
{
  residents(first: 100) {
    totalCount
    edges { node { code ageBand currentStay { shelter { name } bed { label } }
      stays { bedHistory { bed { label } } } } }
  }
}"""

AVAILABLE = """
{ availableBeds(first: 100) {
    edges { node { label status room { name shelter { name region { name } } } } } } }
"""


async def _network_with_residents(shelters: int) -> None:
    network = await build_network(shelters=shelters, regions=min(shelters, 8))
    for shelter in network.shelters:
        bed = network.beds_of(shelter)[0]
        resident = await new_resident()
        await check_in(await staff(), resident.id, bed.id)


async def _queries(gql: GraphQLClient, document: str) -> int:
    with QueryCounter() as counter:
        await gql.data(document)
    return counter.count


async def _counts_for(gql: GraphQLClient, shelters: int) -> dict[str, int]:
    await _network_with_residents(shelters)
    return {
        name: await _queries(gql, document)
        for name, document in {
            "bed grid": BED_GRID,
            "occupancy": OCCUPANCY,
            "residents": RESIDENTS,
            "available beds": AVAILABLE,
        }.items()
    }


async def test_query_counts_do_not_grow_with_the_network(gql: GraphQLClient) -> None:
    # given a small network, then (tables emptied) one ten times larger
    small = await _counts_for(gql, 3)
    await empty_tables()
    gql.forget()
    large = await _counts_for(gql, 30)

    # then every list costs the same number of statements
    assert small == large, (small, large)
    assert all(count > 0 for count in small.values()), small
    # occupancy: the shelters, one count, the regions, and two to sign the viewer in
    assert small["occupancy"] <= 5, small


CHECK_IN = """
mutation ($resident: ID!, $bed: ID!) {
  checkIn(input: {resident: $resident, bed: $bed}) { stay { id } errors { code } }
}"""
CHECK_OUT = """
mutation ($stay: ID!) {
  checkOut(input: {stay: $stay, exitDestination: RETURNED_HOME}) { errors { code } }
}"""
#: A check-in's statements, every one a tablet waits for: the session with its account and
#: shelters; the resident locked; their stays; the bed locked with its room; a hold to take;
#: the bed free (one statement); the stay, its bed and the audit event written.
CHECK_IN_STATEMENTS = 9
#: A check-out's: the session; the resident locked through the stay; the stay's bed with the
#: stay; both ended; the audit event.
CHECK_OUT_STATEMENTS = 6


async def test_a_check_in_costs_the_same_few_statements_however_long_the_history(
    gql: GraphQLClient,
) -> None:
    # given a bed and a resident, each with a history of stays, and one with none
    network = await build_network(shelters=1, regions=1)
    bed = encode_id("Bed", network.beds[0].id)
    returning, newcomer = await new_resident(), await new_resident()
    await gql.data("{ __typename }")  # signed in before anything is counted

    async def statements_of_a_stay(resident: int) -> tuple[int, int]:
        variables = {"resident": encode_id("Resident", resident), "bed": bed}
        with QueryCounter() as checking_in:
            data = await gql.data(CHECK_IN, variables)
        assert data["checkIn"]["errors"] == []
        with QueryCounter() as checking_out:
            ended = await gql.data(CHECK_OUT, {"stay": data["checkIn"]["stay"]["id"]})
        assert ended["checkOut"]["errors"] == []
        return checking_in.count, checking_out.count

    first = await statements_of_a_stay(returning.id)
    for _ in range(5):
        await statements_of_a_stay(returning.id)

    # when each is checked in once more
    counts = {
        await statements_of_a_stay(returning.id),
        await statements_of_a_stay(newcomer.id),
    }

    # then both cost the same statements, no more than the few each step needs
    assert counts == {first}, (first, counts)
    checking_in, checking_out = first
    assert checking_in <= CHECK_IN_STATEMENTS, first
    assert checking_out <= CHECK_OUT_STATEMENTS, first
