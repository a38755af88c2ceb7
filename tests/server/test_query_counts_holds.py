"""Holds never cost a query per row: the list of holds, and each bed's hold in the bed grid,
take as many statements for 3 holds as for 30."""

from __future__ import annotations

from datetime import timedelta

from server.domain.access import Viewer
from server.domain.clock import now
from server.domain.holds import HoldRequest, hold_bed
from server.models import Role
from tests.conftest import GraphQLClient, QueryCounter, empty_tables
from tests.server.network import build_network, new_resident

HOLDS = """
{
  bedHolds(first: 100) {
    totalCount
    edges { node { reason expiresAt active outcome releasedAt
      bed { label status room { name shelter { name region { name } } } }
      resident { code } } }
  }
}"""

BEDS_WITH_HOLDS = """
{
  shelters(first: 100) {
    edges { node { name rooms { beds {
      label status hold { reason expiresAt resident { code } } } } } }
  }
}"""

COORDINATOR = Viewer(user_id=None, username="tests", role=Role.COORDINATOR, client="tests")


async def _holds(count: int) -> None:
    network = await build_network(shelters=count, regions=min(count, 8))
    for shelter in network.shelters:
        resident = await new_resident(shelter=shelter)
        bed = network.beds_of(shelter)[0]
        await hold_bed(
            COORDINATOR,
            bed.id,
            HoldRequest("Referral", now() + timedelta(hours=2), resident_id=resident.id),
        )


async def _counts_for(gql: GraphQLClient, holds: int) -> dict[str, int]:
    await _holds(holds)
    counts = {}
    for name, document in {"holds": HOLDS, "beds with holds": BEDS_WITH_HOLDS}.items():
        with QueryCounter() as counter:
            result = await gql.data(document)
        assert str(result).count("Referral") == holds
        counts[name] = counter.count
    return counts


async def test_hold_lists_cost_the_same_for_3_and_30(gql: GraphQLClient) -> None:
    small = await _counts_for(gql, 3)
    await empty_tables()
    gql.forget()
    large = await _counts_for(gql, 30)

    assert small == large, (small, large)
