"""What is measured: the occupancy query (GraphQL over HTTP, ORM in process, SQL floor), the
HTTP round trip of /healthz, and check-in / check-out through GraphQL.

Every loop is bounded; every GraphQL answer is checked, so a fast error never passes for a
fast answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.server import GraphQLClient, ServerError
from bench.sqlfloor import PostgresFloor, SQLiteFloor
from bench.stats import Samples

Tick = Callable[[], None]

OCCUPANCY = (
    "{ occupancy { total { capacity occupied held outOfService free } regions { region { name } "
    "occupancy { capacity occupied free } shelters { shelter { name } "
    "occupancy { capacity occupied held outOfService free } } } } }"
)
REGISTER = """
mutation Register($input: ResidentRegisterInput!) {
  residentRegister(input: $input) { resident { id code } errors { code field message } }
}"""
FREE_BEDS = """
query FreeBeds($after: String) {
  availableBeds(first: 100, after: $after) {
    edges { node { id } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SHELTERS = """
query Shelters($after: String) {
  shelters(first: 100, after: $after) {
    edges { node { id } }
    pageInfo { hasNextPage endCursor }
  }
}"""
CHECK_IN = """
mutation CheckIn($input: CheckInInput!) {
  checkIn(input: $input) { stay { id checkedInAt } errors { code field message } }
}"""
CHECK_OUT = """
mutation CheckOut($input: CheckOutInput!) {
  checkOut(input: $input) { stay { id checkedOutAt } errors { code field message } }
}"""


def _noop() -> None:
    pass


# --- HTTP round trip ---------------------------------------------------------------------------


def healthz(client: GraphQLClient, *, warmup: int, requests: int, tick: Tick = _noop) -> Samples:
    """GET /healthz: the HTTP + Starlette floor every GraphQL request also pays."""
    samples = Samples("healthz")
    for index in range(warmup + requests):
        started = time.perf_counter_ns()
        response = client.http.get("/healthz")
        elapsed = time.perf_counter_ns() - started
        if response.status_code != 200:
            raise ServerError(f"/healthz answered {response.status_code}")
        if index >= warmup:
            samples.add(elapsed)
            tick()
    return samples


# --- occupancy ---------------------------------------------------------------------------------


def occupancy_graphql(
    client: GraphQLClient, *, warmup: int, requests: int, tick: Tick = _noop
) -> tuple[Samples, dict[str, Any]]:
    """The all-shelters occupancy query, sequentially; returns the samples and the last answer."""
    samples = Samples("occupancy_graphql")
    data: dict[str, Any] = {}
    for index in range(warmup + requests):
        started = time.perf_counter_ns()
        response = client.post(OCCUPANCY)
        elapsed = time.perf_counter_ns() - started
        data = client.data_of(response)
        if index >= warmup:
            samples.add(elapsed)
            tick()
    return samples, data


def occupancy_sql_sqlite(
    path: str, *, warmup: int, requests: int, tick: Tick = _noop
) -> tuple[Samples, dict[str, Any]]:
    samples = Samples("occupancy_sql")
    floor = SQLiteFloor(path)
    answer: dict[str, Any] = {}
    try:
        for index in range(warmup + requests):
            started = time.perf_counter_ns()
            answer = floor.occupancy()
            elapsed = time.perf_counter_ns() - started
            if index >= warmup:
                samples.add(elapsed)
                tick()
    finally:
        floor.close()
    return samples, answer


async def occupancy_sql_postgres(
    dsn: str, *, warmup: int, requests: int, tick: Tick = _noop
) -> tuple[Samples, dict[str, Any]]:
    samples = Samples("occupancy_sql")
    floor = await PostgresFloor.connect(dsn)
    answer: dict[str, Any] = {}
    try:
        for index in range(warmup + requests):
            started = time.perf_counter_ns()
            answer = await floor.occupancy()
            elapsed = time.perf_counter_ns() - started
            if index >= warmup:
                samples.add(elapsed)
                tick()
    finally:
        await floor.close()
    return samples, answer


def occupancy_orm_in_child(
    database_url: str, data_key: str, *, warmup: int, requests: int
) -> Samples:
    """:func:`occupancy_orm` for a spawned process (see bench.databases.tortoise_process)."""
    import asyncio

    return asyncio.run(occupancy_orm(database_url, data_key, warmup=warmup, requests=requests))


async def occupancy_orm(
    database_url: str, data_key: str, *, warmup: int, requests: int, tick: Tick = _noop
) -> Samples:
    """The reads the ``occupancy`` resolver makes for a coordinator (shelters, the four grouped
    counts, regions), through Tortoise in process: no HTTP, no GraphQL, no sign-in."""
    from server import models
    from server.database import open_database
    from server.domain.clock import now
    from server.domain.occupancy import occupancy_at
    from server.settings import Settings

    samples = Samples("occupancy_orm")
    settings = Settings(database_url=database_url, database_pool_size=2, data_key=data_key)
    async with open_database(settings):
        for index in range(warmup + requests):
            started = time.perf_counter_ns()
            shelters = await models.Shelter.all().order_by("name")
            await occupancy_at(now(), shelter_ids=[row.id for row in shelters])
            await models.Region.filter(id__in={row.region_id for row in shelters})
            elapsed = time.perf_counter_ns() - started
            if index >= warmup:
                samples.add(elapsed)
                tick()
    return samples


# --- check-in ----------------------------------------------------------------------------------


def _payload(client: GraphQLClient, response: Any, field: str) -> dict[str, Any]:
    payload: dict[str, Any] = client.data_of(response)[field]
    if payload["errors"]:
        raise ServerError(f"{field} refused: {payload['errors']}")
    return payload


def _free_beds(client: GraphQLClient, wanted: int) -> list[str]:
    beds: list[str] = []
    after = None
    for _ in range(50):  # pages of 100: far more beds than any demo network has
        page = client.data(FREE_BEDS, {"after": after})["availableBeds"]
        beds += [edge["node"]["id"] for edge in page["edges"]]
        if len(beds) >= wanted or not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return beds[:wanted]


def _shelters(client: GraphQLClient) -> list[str]:
    """The IDs of every shelter the signed-in viewer sees."""
    shelters: list[str] = []
    after = None
    for _ in range(50):
        page = client.data(SHELTERS, {"after": after})["shelters"]
        shelters += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return shelters


def register_residents(
    client: GraphQLClient, count: int, tick: Tick = _noop
) -> tuple[Samples, list[str]]:
    """Register ``count`` residents, arriving at the viewer's shelters in turn (staff working in
    several shelters must say which)."""
    samples = Samples("residentRegister")
    shelters = _shelters(client)
    if not shelters:
        raise ServerError("the signed-in viewer sees no shelter to register residents in")
    ids = []
    for index in range(count):
        variables = {
            "input": {
                "shelter": shelters[index % len(shelters)],
                "givenName": f"Bench {index + 1}",
                "familyName": "Synthetic",
                "sex": "FEMALE" if index % 2 else "MALE",
                "nationality": "UZ",
                "referralSource": "HOTLINE",
                "documentStatus": "LOST",
                "consents": {"dataProcessing": True},
                "languages": ["uz", "ru"],
            }
        }
        started = time.perf_counter_ns()
        response = client.post(REGISTER, variables)
        samples.add(time.perf_counter_ns() - started)
        ids.append(_payload(client, response, "residentRegister")["resident"]["id"])
        tick()
    return samples, ids


def check_ins(
    client: GraphQLClient, residents: list[str], *, warmup: int, measured: int, tick: Tick = _noop
) -> tuple[Samples, Samples]:
    """Check residents into free beds, one request each, in rounds: a round checks in as many
    residents as there are (and free beds), then checks them all out again. The first ``warmup``
    check-ins are not recorded. Only the checkIn (and checkOut) requests are timed."""
    check_in = Samples("checkIn")
    check_out = Samples("checkOut")
    wanted = warmup + measured
    done = out = 0
    for _ in range(wanted):  # a round does at least one check-in, or raises
        if done >= wanted:
            break
        beds = _free_beds(client, min(len(residents), wanted - done))
        if not beds:
            raise ServerError("no free bed left to check into")
        stays = []
        for resident, bed in zip(residents, beds, strict=False):
            variables = {"input": {"resident": resident, "bed": bed}}
            started = time.perf_counter_ns()
            response = client.post(CHECK_IN, variables)
            elapsed = time.perf_counter_ns() - started
            stays.append(_payload(client, response, "checkIn")["stay"]["id"])
            if done >= warmup:
                check_in.add(elapsed)
                tick()
            done += 1
        for stay in stays:
            variables = {"input": {"stay": stay, "exitDestination": "OTHER"}}
            started = time.perf_counter_ns()
            response = client.post(CHECK_OUT, variables)
            elapsed = time.perf_counter_ns() - started
            _payload(client, response, "checkOut")
            if out >= warmup:
                check_out.add(elapsed)
            out += 1
    return check_in, check_out


# --- audit trail -------------------------------------------------------------------------------


def audit_counts_in_child(database_url: str, data_key: str) -> dict[str, int]:
    """Rows in the audit trail per action, after a run (for a spawned process)."""
    import asyncio

    return asyncio.run(audit_counts(database_url, data_key))


async def audit_counts(database_url: str, data_key: str) -> dict[str, int]:
    from tortoise.functions import Count

    from server.database import open_database
    from server.models import AuditEvent
    from server.settings import Settings

    settings = Settings(database_url=database_url, database_pool_size=1, data_key=data_key)
    async with open_database(settings):
        rows = await (
            AuditEvent.all()
            .order_by("action")
            .group_by("action")
            .annotate(rows=Count("id"))
            .values("action", "rows")
        )
    return {row["action"]: int(row["rows"]) for row in sorted(rows, key=lambda r: r["action"])}
