"""Who may read reports (DESIGN.md: "donor reports: admin ✓ coordinator ✓"), cell by cell:
every role × the GraphQL report and each CSV download, and what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from server.domain.clock import now
from server.domain.stays import check_in
from server.models import Role, Shelter
from server.settings import Settings
from tests.conftest import GraphQLClient, sign_in
from tests.server.network import build_network, new_resident, staff

ADMIN, COORDINATOR, STAFF, MEDICAL, COUNSELLOR, LEGAL, STAFF_B, ANONYMOUS = (
    "admin",
    "coordinator",
    "staff",
    "medical",
    "counsellor",
    "legal",
    "staff-b",
    "anonymous",
)
VIEWERS = [ADMIN, COORDINATOR, STAFF, MEDICAL, COUNSELLOR, LEGAL, STAFF_B, ANONYMOUS]
ROLES = {
    ADMIN: (Role.ADMIN, None),
    COORDINATOR: (Role.COORDINATOR, None),
    STAFF: (Role.SHELTER_STAFF, 0),
    MEDICAL: (Role.MEDICAL, 0),
    COUNSELLOR: (Role.COUNSELLOR, 0),
    LEGAL: (Role.LEGAL, 0),
    STAFF_B: (Role.SHELTER_STAFF, 1),
}
#: Who reads reports; everyone else signed in is refused FORBIDDEN, nobody UNAUTHENTICATED.
READERS = {ADMIN, COORDINATOR}
TABLES = ["bed-nights", "admissions", "exits", "services", "length-of-stay"]

REPORT = """
query ($from: Date!, $to: Date!) {
  report(from: $from, to: $to, period: WEEK) {
    from to
    admissions(level: NETWORK, breakdown: TOTAL) { span { whole } count suppressed }
    bedNights(level: SHELTER) { span { whole } area { name region { code } } capacity }
  }
}"""

ADDRESS = """
query ($from: Date!, $to: Date!) {
  report(from: $from, to: $to) {
    bedNights(level: SHELTER) { span { whole } area { shelter { name address } } }
  }
}"""


@dataclass
class World:
    gql: GraphQLClient
    http: httpx.AsyncClient
    tokens: dict[str, str]
    dates: dict[str, str]
    shelters: list[Shelter]

    async def ask(self, viewer: str, document: str) -> dict[str, Any]:
        return await self.gql.as_token(self.tokens.get(viewer)).post(document, self.dates)

    async def download(self, viewer: str, table: str, **params: str) -> httpx.Response:
        token = self.tokens.get(viewer)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return await self.http.get(
            f"/reports/{table}.csv", params={**self.dates, **params}, headers=headers
        )


@pytest.fixture
async def world(gql: GraphQLClient, client: httpx.AsyncClient) -> World:
    """Shelters A (region R0) and B (R1); six people admitted to A five days ago."""
    network = await build_network(shelters=2, regions=2)
    a = network.shelters[0]
    for bed in network.beds_of(a):
        resident = await new_resident(shelter=a)
        await check_in(await staff(), resident.id, bed.id, at=now() - timedelta(days=5))
    tokens = {}
    for viewer, (role, shelter) in ROLES.items():
        tokens[viewer] = await sign_in(role, [] if shelter is None else [network.shelters[shelter]])
    today = datetime.now(UTC).astimezone(Settings().zone).date()
    dates = {"from": (today - timedelta(days=8)).isoformat(), "to": today.isoformat()}
    return World(gql, client, tokens, dates, network.shelters)


def refusals(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return sorted(
        ((error.get("extensions") or {}).get("code", "?"), tuple(error.get("path") or ()))
        for error in body.get("errors") or []
    )


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_graphql_report(world: World, viewer: str) -> None:
    # when the viewer asks for the report
    body = await world.ask(viewer, REPORT)

    # then administrators and coordinators get the figures, everyone else a refusal
    if viewer in READERS:
        assert "errors" not in body, body
        report = body["data"]["report"]
        assert (report["from"], report["to"]) == (world.dates["from"], world.dates["to"])
        whole = [row for row in report["admissions"] if row["span"]["whole"]]
        assert whole == [{"span": {"whole": True}, "count": 6, "suppressed": False}]
        names = {
            (row["area"]["name"], row["area"]["region"]["code"]) for row in report["bedNights"]
        }
        assert names == {("Shelter 0", "R0"), ("Shelter 1", "R1")}
    elif viewer == ANONYMOUS:
        assert refusals(body) == [("UNAUTHENTICATED", ("report",))]
        assert body["data"] == {"report": None}
    else:
        assert refusals(body) == [("FORBIDDEN", ("report",))]
        assert body["data"] == {"report": None}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_shelter_addresses_in_a_report(world: World, viewer: str) -> None:
    # when the viewer asks for each shelter of the report with its address
    body = await world.ask(viewer, ADDRESS)

    # then administrators read them; coordinators get null and FORBIDDEN, as anywhere else
    if viewer == ADMIN:
        assert "errors" not in body, body
        rows = body["data"]["report"]["bedNights"]
        assert {row["area"]["shelter"]["address"] for row in rows} == {
            "Test street 0",
            "Test street 1",
        }
    elif viewer == COORDINATOR:
        rows = body["data"]["report"]["bedNights"]
        assert all(row["area"]["shelter"]["address"] is None for row in rows)
        assert {code for code, _ in refusals(body)} == {"FORBIDDEN"}
        assert len(refusals(body)) == len(rows) == 4
    else:
        assert body["data"] in (None, {"report": None})
        assert "Test street" not in str(body)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("viewer", VIEWERS)
async def test_csv_download(world: World, viewer: str, table: str) -> None:
    # when the viewer downloads a table
    response = await world.download(viewer, table)

    # then 200 with the table for readers, 403 for other roles, 401 for nobody
    if viewer in READERS:
        assert response.status_code == 200, response.text
        assert response.text.startswith("\ufeffperiod_start,period_end,span,level,region,shelter,")
        assert "Shelter 0" in response.text
    elif viewer == ANONYMOUS:
        assert response.status_code == 401
        assert "Shelter" not in response.text
    else:
        assert response.status_code == 403
        assert "Shelter" not in response.text


async def test_csv_refuses_bad_requests(world: World) -> None:
    bad_token = await world.http.get(
        "/reports/admissions.csv", params=world.dates, headers={"authorization": "Bearer nope"}
    )
    assert bad_token.status_code == 401
    assert (await world.download(COORDINATOR, "people")).status_code == 404
    for params in (
        {"from": "yesterday"},
        {"to": "2999-01-01"},
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"period": "year"},
        {"region": "not an id"},
        {"from": "2020-01-01", "to": "2024-01-01"},
        {"period": "day", "from": "2025-01-01", "to": "2025-06-30"},
        {"from": "0001-01-01", "to": "0001-01-05"},
    ):
        response = await world.download(COORDINATOR, "admissions", **params)
        assert response.status_code == 400, (params, response.text)
        assert "Shelter" not in response.text
