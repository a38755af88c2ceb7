"""Lists never cost a query per row: the SQL count is the same for 3 shelters and for 30."""

from __future__ import annotations

from server.domain.stays import check_in
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
