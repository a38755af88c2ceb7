"""Many shelter tablets at once: ``python -m bench.tablets --database-url URL --workers 1,2``.

The issue's measurement: simulated front-desk tablets (50 by default), each an asyncio task with
its own HTTP client, account and session, looping check-in → distribution → service log →
check-out against a real uvicorn (1 or more worker processes) on PostgreSQL for a fixed time;
then throughput, median and p95 latency per operation, expected refusals apart from errors, and
a consistency check made directly in PostgreSQL.

    from bench.tablets import run_tablets
    results = run_tablets("postgres://postgres@127.0.0.1:5432/postgres", workers=2,
                          log_dir=Path("/tmp/tablets"))
    print(results.markdown())
    json.dumps(results.as_dict())

What one run does, all torn down on the way out whatever happened:

1. creates a fresh database ``tablets_<random>`` on the PostgreSQL server, migrates it and loads
   the demo network (12 shelters, ~240 beds, ~60% occupied) in a spawned process;
2. creates one shelter-staff account per tablet (``tablet.01``…), working in one shelter, the
   tablets dealt to the shelters in turn (so 4–5 tablets race for each shelter's free beds);
3. serves it with ``uvicorn --workers N`` on 127.0.0.1, HAVEN_ENV=production, a fresh data key,
   and a database pool per worker sized to the server's ``max_connections``;
4. signs every tablet in and registers its own few residents (setup, not timed);
5. runs the tablets: each asks ``availableBeds`` for its shelter, picks one at random and checks
   one of its residents in, runs the steps between (hooks, see :data:`BETWEEN_STEPS`), and
   checks the resident out; a bed taken meanwhile (``BED_OCCUPIED``/``BED_HELD``) or a resident
   already in (``RESIDENT_ALREADY_IN_SHELTER``) is an *expected refusal*, counted apart; HTTP
   ≥ 500, top-level GraphQL errors, timeouts, broken connections and any other refusal are
   *errors*. The first ``warmup`` seconds are not recorded; a request counts in the window it
   started in; tablets finish the loop they are in when time is up (so no stay is left open);
6. checks the database: no bed with two open assignments, no resident with two open stays, no
   two assignments of a bed (or stays of a resident) overlapping in time, every open stay with
   exactly one open assignment (and the reverse), times in order, every stay's beds in its
   shelter, the stays made equal to the check-ins the tablets saw, each check-in and check-out
   audited;
7. stops the server (the whole process group) and drops the database.

The distribution step (:func:`distribution_step`) hands the resident just checked in one or two
of a hygiene item, receiving a batch first whenever the tablet's own receipts may not cover it;
the 4–5 tablets of a shelter share that shelter's stock of the item, so ``INSUFFICIENT_STOCK``
(another tablet took it) is an expected refusal. The check then also asks that every stock
level equals its ledger (on hand, received, each movement's running sums), that no stock is
negative and that the receipts and distributions in the ledger are those the tablets saw.
The service log step (:func:`service_log_step`) logs a service given to that resident
(``serviceLog``: interpretation, transport or a hygiene kit, in progress), and the check asks
that each such record is at a shelter the resident was staying in and that the records are
those the tablets saw.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bench.databases import (
    DEFAULT_POSTGRES,
    asyncpg_dsn,
    new_data_key,
    tortoise_process,
    with_database,
)
from bench.server import HOST, ServerError, running_server
from bench.stats import percentile

T = TypeVar("T")

#: Every tablet account's password (accounts of a throwaway database).
TABLET_PASSWORD = "tablet-bench-password"
TABLET_PREFIX = "tablet."
#: Refusals that concurrent tablets cause by design: they are counted, not errors.
EXPECTED_REFUSALS = frozenset(
    {"BED_OCCUPIED", "BED_HELD", "RESIDENT_ALREADY_IN_SHELTER", "INSUFFICIENT_STOCK"}
)
#: Operations timed in the loop, in the order reported.
OPERATIONS = (
    "availableBeds",
    "checkIn",
    "stockReceive",
    "stockDistribute",
    "serviceLog",
    "checkOut",
)
#: Steps of the issue's loop not measured yet, and why (none now).
PENDING_STEPS: dict[str, str] = {}
#: Kinds of service a tablet logs (any shelter role may log these).
SERVICE_KINDS = ("INTERPRETATION", "TRANSPORT", "HYGIENE_KIT")
#: Units a tablet receives when its own receipts may not cover the next distribution.
RECEIPT_BATCH = 10
#: Connections left to others (psql, other benches, superuser slots) when sizing the pools.
CONNECTION_HEADROOM = 10
#: The most connections all workers together open (the brief's ~80 of 100).
CONNECTION_BUDGET = 80
REQUEST_TIMEOUT = 10.0
#: Free beds asked for per availableBeds; a tablet picks one of them at random.
BEDS_PAGE = 20
#: Beds tried per check-in before the tablet gives that loop up (each try asks anew).
BED_ATTEMPTS = 20
#: Pause when a tablet's shelter has no free bed, or after an error.
BACKOFF = 0.05
EXIT_DESTINATIONS = ("RETURNED_HOME", "INDEPENDENT_LIVING", "OTHER")

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token errors { code message } }
}"""
SHELTERS = "{ shelters(first: 10) { edges { node { id name kind } } } }"
REGISTER = """
mutation Register($input: ResidentRegisterInput!) {
  residentRegister(input: $input) { resident { id } errors { code field message } }
}"""
FREE_BEDS = """
query FreeBeds($shelter: ID!, $first: Int!) {
  availableBeds(shelter: $shelter, first: $first) { edges { node { id } } }
}"""
CHECK_IN = """
mutation CheckIn($input: CheckInInput!) {
  checkIn(input: $input) { stay { id } errors { code field message } }
}"""
ITEMS = "{ items(first: 20, category: HYGIENE) { edges { node { id perishable } } } }"
RECEIVE = """
mutation Receive($input: StockReceiveInput!) {
  stockReceive(input: $input) { movement { id onHandAfter } errors { code field message } }
}"""
DISTRIBUTE = """
mutation Distribute($input: StockDistributeInput!) {
  stockDistribute(input: $input) { movement { id onHandAfter } errors { code field message } }
}"""
SERVICE_LOG = """
mutation ServiceLog($input: ServiceLogInput!) {
  serviceLog(input: $input) { service { id } errors { code field message } }
}"""
CHECK_OUT = """
mutation CheckOut($input: CheckOutInput!) {
  checkOut(input: $input) { stay { id checkedOutAt } errors { code field message } }
}"""


# --- recording ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One request's answer: ``ok`` (the payload), ``refused`` (its first error code) or
    ``error`` (what kind)."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    code: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def classify(status: int, body: Any, field_name: str) -> Outcome:
    """An HTTP answer as ok / expected refusal / error (5xx, other HTTP, GraphQL errors, a
    refusal no tablet should get)."""
    if status != 200:
        return Outcome("error", code=f"HTTP {status}")
    if not isinstance(body, dict) or body.get("errors"):
        message = ""
        if isinstance(body, dict):
            message = str(body["errors"][0].get("message", ""))[:80]
        return Outcome("error", code=f"GraphQL error: {message}")
    payload = (body.get("data") or {}).get(field_name)
    if not isinstance(payload, dict):
        return Outcome("error", code="no payload")
    errors = payload.get("errors") or []
    if errors:
        code = str(errors[0].get("code"))
        if code in EXPECTED_REFUSALS:
            return Outcome("refused", payload, code)
        return Outcome("error", payload, f"refused {code}")
    return Outcome("ok", payload)


@dataclass
class OperationRecord:
    """One operation's requests: latencies (ns) of those started inside the window, counts
    inside the window and over the whole run."""

    name: str
    latencies_ns: list[int] = field(default_factory=list)
    ok: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    total_ok: int = 0
    total_refused: int = 0
    total_errors: int = 0

    def summary(self, seconds: float) -> dict[str, Any]:
        values = sorted(ns / 1e6 for ns in self.latencies_ns)
        answered = len(values)
        return {
            "ok": self.ok,
            "answered": answered,
            "throughput_per_s": round(self.ok / seconds, 1) if seconds else None,
            "median_ms": round(statistics.median(values), 2) if values else None,
            "p95_ms": round(percentile(values, 0.95), 2) if values else None,
            "p99_ms": round(percentile(values, 0.99), 2) if values else None,
            "max_ms": round(values[-1], 2) if values else None,
            "expected_refusals": sum(self.refusals.values()),
            "refusals_by_code": dict(sorted(self.refusals.items())),
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(sorted(self.errors.items())),
            "whole_run": {
                "ok": self.total_ok,
                "refused": self.total_refused,
                "errors": self.total_errors,
            },
        }


class Recorder:
    """Shared by every tablet (one event loop, so no locking). Latencies count once a request
    is answered (ok or refused); errors have no latency."""

    def __init__(self, window_start: float, window_end: float) -> None:
        self.window_start = window_start
        self.window_end = window_end
        self.operations: dict[str, OperationRecord] = {}
        self.loops_in_window = 0
        self.loops_total = 0
        self.no_free_bed = 0
        self.gave_up = 0
        self.error_samples: list[str] = []

    def operation(self, name: str) -> OperationRecord:
        if name not in self.operations:
            self.operations[name] = OperationRecord(name)
        return self.operations[name]

    def in_window(self, started: float) -> bool:
        return self.window_start <= started < self.window_end

    def add(self, name: str, started: float, elapsed_ns: int | None, outcome: Outcome) -> None:
        record = self.operation(name)
        inside = self.in_window(started)
        if outcome.kind == "error":
            record.total_errors += 1
            if inside:
                record.errors[outcome.code.split(":")[0]] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{name}: {outcome.code}")
            return
        if outcome.kind == "ok":
            record.total_ok += 1
        else:
            record.total_refused += 1
        if inside:
            if elapsed_ns is not None:
                record.latencies_ns.append(elapsed_ns)
            if outcome.kind == "ok":
                record.ok += 1
            else:
                record.refusals[outcome.code] += 1


# --- one tablet --------------------------------------------------------------------------------


@dataclass
class Tablet:
    """A front-desk tablet: its own HTTP client (one kept-alive connection), session, shelter
    and residents."""

    number: int
    username: str
    http: httpx.AsyncClient
    shelter_id: str = ""
    shelter_kind: str = ""
    residents: list[str] = field(default_factory=list)
    #: Residents refused as already in a shelter (a stay this tablet lost track of).
    stuck: set[str] = field(default_factory=set)
    #: Stays whose check-out failed with an error: tried again before the next check-in.
    unfinished: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)
    turn: int = 0
    #: Mean pause (s) of the person at the desk before each step; 0: as fast as answered.
    think: float = 0.0
    #: The hygiene item this tablet hands out (the same for every tablet: a shelter's tablets
    #: share its stock of it).
    item_id: str = ""
    #: Units this tablet received and has not handed out (others may have taken them).
    credit: int = 0

    async def request(self, query: str, variables: dict[str, Any], field_name: str) -> Outcome:
        """One GraphQL request, classified; no exception escapes for a server's failure."""
        try:
            response = await self.http.post(
                "/graphql", json={"query": query, "variables": variables}
            )
        except httpx.TimeoutException:
            return Outcome("error", code="timeout")
        except httpx.TransportError as error:
            return Outcome("error", code=f"transport: {type(error).__name__}")
        try:
            body = response.json()
        except ValueError:
            body = None
        return classify(response.status_code, body, field_name)

    async def call(
        self,
        recorder: Recorder,
        name: str,
        query: str,
        variables: dict[str, Any],
        field_name: str,
    ) -> Outcome:
        """:meth:`request`, timed and recorded under ``name``."""
        started = time.monotonic()
        started_ns = time.perf_counter_ns()
        outcome = await self.request(query, variables, field_name)
        elapsed = time.perf_counter_ns() - started_ns
        recorder.add(name, started, None if outcome.kind == "error" else elapsed, outcome)
        return outcome

    async def pause(self) -> None:
        """The person at the desk: a pause of 0.5–1.5 × :attr:`think` before a step."""
        if self.think > 0:
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))

    def next_resident(self) -> str | None:
        free = [r for r in self.residents if r not in self.stuck]
        if not free:
            return None
        self.turn += 1
        return free[self.turn % len(free)]


Step = Callable[[Tablet, Recorder, str, str], Awaitable[None]]


async def distribution_step(tablet: Tablet, recorder: Recorder, resident: str, stay: str) -> None:
    """Hand the resident just checked in one or two of the tablet's item (``stockDistribute``),
    after receiving :data:`RECEIPT_BATCH` (``stockReceive``) when the tablet's own receipts do
    not cover it. ``INSUFFICIENT_STOCK``: the shelter's other tablets took it first."""
    quantity = tablet.rng.choice((1, 1, 2))
    if tablet.credit < quantity:
        await tablet.pause()
        received = await tablet.call(
            recorder,
            "stockReceive",
            RECEIVE,
            {
                "input": {
                    "shelter": tablet.shelter_id,
                    "item": tablet.item_id,
                    "quantity": RECEIPT_BATCH,
                    "donor": "Bench donor",
                }
            },
            "stockReceive",
        )
        if received.ok:
            tablet.credit += RECEIPT_BATCH
        elif received.kind == "error":
            await asyncio.sleep(BACKOFF)
    await tablet.pause()
    handed = await tablet.call(
        recorder,
        "stockDistribute",
        DISTRIBUTE,
        {
            "input": {
                "shelter": tablet.shelter_id,
                "item": tablet.item_id,
                "resident": resident,
                "quantity": quantity,
            }
        },
        "stockDistribute",
    )
    if handed.ok:
        tablet.credit = max(0, tablet.credit - quantity)
    elif handed.code == "INSUFFICIENT_STOCK":
        tablet.credit = 0
    elif handed.kind == "error":
        await asyncio.sleep(BACKOFF)


async def service_log_step(tablet: Tablet, recorder: Recorder, resident: str, stay: str) -> None:
    """Log a service the resident just checked in is getting (``serviceLog``, in progress)."""
    await tablet.pause()
    logged = await tablet.call(
        recorder,
        "serviceLog",
        SERVICE_LOG,
        {
            "input": {
                "resident": resident,
                "shelter": tablet.shelter_id,
                "kind": tablet.rng.choice(SERVICE_KINDS),
                "status": "IN_PROGRESS",
                "provider": "Bench provider",
            }
        },
        "serviceLog",
    )
    if logged.kind == "error":
        await asyncio.sleep(BACKOFF)


#: What a tablet does between check-in and check-out, in order.
BETWEEN_STEPS: tuple[Step, ...] = (distribution_step, service_log_step)


async def _check_in(
    tablet: Tablet, recorder: Recorder, resident: str, deadline: float
) -> str | None:
    """Check ``resident`` into a free bed of the tablet's shelter; the stay's ID, or None."""
    for _ in range(BED_ATTEMPTS):
        if time.monotonic() >= deadline:
            return None
        beds = await tablet.call(
            recorder,
            "availableBeds",
            FREE_BEDS,
            {"shelter": tablet.shelter_id, "first": BEDS_PAGE},
            "availableBeds",
        )
        if not beds.ok:
            await asyncio.sleep(BACKOFF)
            return None
        edges = beds.payload.get("edges") or []
        if not edges:
            recorder.no_free_bed += 1
            await asyncio.sleep(BACKOFF)
            continue
        bed = tablet.rng.choice(edges)["node"]["id"]
        await tablet.pause()  # choosing the bed with the resident
        checked_in = await tablet.call(
            recorder,
            "checkIn",
            CHECK_IN,
            {"input": {"resident": resident, "bed": bed}},
            "checkIn",
        )
        if checked_in.ok:
            return str(checked_in.payload["stay"]["id"])
        if checked_in.code == "RESIDENT_ALREADY_IN_SHELTER":
            tablet.stuck.add(resident)
            return None
        if checked_in.kind == "error":
            await asyncio.sleep(BACKOFF)
            return None
        # BED_OCCUPIED / BED_HELD: another tablet was quicker; ask again.
    recorder.gave_up += 1
    return None


async def _check_out(tablet: Tablet, recorder: Recorder, stay: str) -> bool:
    destination = tablet.rng.choice(EXIT_DESTINATIONS)
    outcome = await tablet.call(
        recorder,
        "checkOut",
        CHECK_OUT,
        {"input": {"stay": stay, "exitDestination": destination}},
        "checkOut",
    )
    if outcome.kind == "error" and not outcome.code.startswith("refused"):
        tablet.unfinished.append(stay)  # it may not have happened: try again later
        await asyncio.sleep(BACKOFF)
    return outcome.ok


async def tablet_loop(
    tablet: Tablet, recorder: Recorder, *, deadline: float, iterations: int
) -> None:
    """Loops of check-in → :data:`BETWEEN_STEPS` → check-out until ``deadline`` or
    ``iterations`` loops; the loop under way when time is up is finished."""
    for _ in range(iterations):
        if time.monotonic() >= deadline:
            break
        if tablet.unfinished:
            await _check_out(tablet, recorder, tablet.unfinished.pop(0))
            continue
        resident = tablet.next_resident()
        if resident is None:
            break
        await tablet.pause()  # the next person comes to the desk
        loop_started = time.monotonic()
        stay = await _check_in(tablet, recorder, resident, deadline)
        if stay is None:
            continue
        for step in BETWEEN_STEPS:
            await step(tablet, recorder, resident, stay)
        await tablet.pause()  # the stay, compressed
        if await _check_out(tablet, recorder, stay):
            recorder.loops_total += 1
            if recorder.in_window(loop_started):
                recorder.loops_in_window += 1
    # Whatever is still open (a check-out that failed) is tried once more, unrecorded.
    for stay in tablet.unfinished:
        await tablet.request(
            CHECK_OUT, {"input": {"stay": stay, "exitDestination": "OTHER"}}, "checkOut"
        )


# --- setup in a spawned process ----------------------------------------------------------------


def prepare_in_child(url: str, data_key: str, tablets: int) -> dict[str, Any]:
    return asyncio.run(prepare(url, data_key, tablets))


async def prepare(url: str, data_key: str, tablets: int) -> dict[str, Any]:
    """Migrate, load the demo network and create one shelter-staff account per tablet, the
    tablets dealt to the shelters in turn. Returns the demo's row counts and the accounts."""
    from fixtures.demo import database_is_empty, load_demo
    from server.database import migrate_database, open_database
    from server.domain.access import Viewer
    from server.domain.accounts import create_user
    from server.models import Role, Shelter
    from server.settings import Settings

    settings = Settings(database_url=url, data_key=data_key, database_pool_size=2)
    await migrate_database(settings)
    async with open_database(settings):
        if not await database_is_empty():
            raise RuntimeError(f"{url} is not empty")
        summary = await load_demo()
        shelters = await Shelter.all().order_by("id")
        operator = Viewer.operator("bench")
        accounts = []
        for index in range(tablets):
            shelter = shelters[index % len(shelters)]
            username = f"{TABLET_PREFIX}{index + 1:02d}"
            await create_user(
                operator,
                username,
                f"Bench Tablet {index + 1}",
                Role.SHELTER_STAFF,
                TABLET_PASSWORD,
                [shelter.id],
            )
            accounts.append({"username": username, "shelter": shelter.name})
    return {"demo": dict(vars(summary)), "accounts": accounts}


# --- PostgreSQL --------------------------------------------------------------------------------


async def _admin(server_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(with_database(server_url, "postgres")))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def connection_budget(server_url: str) -> dict[str, int]:
    """``max_connections`` and the connections open now on the server."""
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(with_database(server_url, "postgres")))
    try:
        maximum = int(await connection.fetchval("SHOW max_connections"))
        in_use = int(await connection.fetchval("SELECT count(*) FROM pg_stat_activity"))
    finally:
        await connection.close()
    return {"max_connections": maximum, "in_use": in_use}


def pool_size_for(workers: int, tablets: int, budget: dict[str, int]) -> int:
    """Connections per worker: all workers together within :data:`CONNECTION_BUDGET` and what
    the server has left, and never more than there are tablets."""
    left = budget["max_connections"] - budget["in_use"] - CONNECTION_HEADROOM
    total = min(CONNECTION_BUDGET, left)
    if total < workers:
        raise ServerError(
            f"PostgreSQL has {left} connections to spare: not enough for {workers} workers"
        )
    return max(1, min(total // workers, tablets))


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new database ``tablets_<random>``, dropped on the way out (``WITH (FORCE)`` ends the
    sessions still open)."""
    name = f"tablets_{os.urandom(6).hex()}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield with_database(server_url, name)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


CONSISTENCY = {
    "beds_with_two_open_assignments": """
        SELECT count(*) FROM (
          SELECT bed_id FROM bed_assignment WHERE ended_at IS NULL
          GROUP BY bed_id HAVING count(*) > 1) AS twice""",
    "residents_with_two_open_stays": """
        SELECT count(*) FROM (
          SELECT resident_id FROM stay WHERE checked_out_at IS NULL
          GROUP BY resident_id HAVING count(*) > 1) AS twice""",
    "overlapping_assignments_on_a_bed": """
        SELECT count(*) FROM bed_assignment a JOIN bed_assignment b
          ON a.bed_id = b.bed_id AND a.id < b.id
         AND tstzrange(a.started_at, a.ended_at, '[)')
             && tstzrange(b.started_at, b.ended_at, '[)')""",
    "overlapping_stays_of_a_resident": """
        SELECT count(*) FROM stay a JOIN stay b
          ON a.resident_id = b.resident_id AND a.id < b.id
         AND tstzrange(a.checked_in_at, a.checked_out_at, '[)')
             && tstzrange(b.checked_in_at, b.checked_out_at, '[)')""",
    "open_stays_without_exactly_one_open_assignment": """
        SELECT count(*) FROM stay s WHERE s.checked_out_at IS NULL AND (
          SELECT count(*) FROM bed_assignment a
          WHERE a.stay_id = s.id AND a.ended_at IS NULL) <> 1""",
    "open_assignments_of_ended_stays": """
        SELECT count(*) FROM bed_assignment a JOIN stay s ON s.id = a.stay_id
        WHERE a.ended_at IS NULL AND s.checked_out_at IS NOT NULL""",
    "times_out_of_order": """
        SELECT (SELECT count(*) FROM stay WHERE checked_out_at < checked_in_at)
             + (SELECT count(*) FROM bed_assignment WHERE ended_at < started_at)""",
    "assignments_outside_their_stay": """
        SELECT count(*) FROM bed_assignment a JOIN stay s ON s.id = a.stay_id
        WHERE a.started_at < s.checked_in_at
           OR (s.checked_out_at IS NOT NULL
               AND (a.ended_at IS NULL OR a.ended_at > s.checked_out_at))""",
    "assignments_in_another_shelter": """
        SELECT count(*) FROM bed_assignment a JOIN stay s ON s.id = a.stay_id
        JOIN bed b ON b.id = a.bed_id JOIN room r ON r.id = b.room_id
        WHERE r.shelter_id <> s.shelter_id""",
    "stock_levels_unequal_to_their_ledger": """
        SELECT count(*) FROM stock_level l LEFT JOIN (
          SELECT level_id, sum(delta) AS total, sum(greatest(delta, 0)) AS received
          FROM stock_movement GROUP BY level_id) m ON m.level_id = l.id
        WHERE l.on_hand <> coalesce(m.total, 0) OR l.received_total <> coalesce(m.received, 0)""",
    "stock_movements_off_their_running_sums": """
        SELECT count(*) FROM (
          SELECT on_hand_after, received_through,
                 sum(delta) OVER w AS running, sum(greatest(delta, 0)) OVER w AS received
          FROM stock_movement WINDOW w AS (PARTITION BY level_id ORDER BY id)) m
        WHERE on_hand_after <> running OR received_through <> received""",
    "tablet_services_where_the_resident_did_not_stay": f"""
        SELECT count(*) FROM service_record r JOIN account u ON u.id = r.recorded_by_id
        WHERE u.username LIKE '{TABLET_PREFIX}%' AND NOT EXISTS (
          SELECT 1 FROM stay s WHERE s.resident_id = r.resident_id
            AND s.shelter_id = r.shelter_id AND s.checked_in_at <= r.recorded_at
            AND (s.checked_out_at IS NULL OR s.checked_out_at >= r.recorded_at))""",
    "negative_stock": """
        SELECT (SELECT count(*) FROM stock_level WHERE on_hand < 0)
             + (SELECT count(*) FROM stock_movement WHERE on_hand_after < 0)""",
    "tablet_distributions_to_residents_not_staying": f"""
        SELECT count(*) FROM stock_movement m JOIN stock_level l ON l.id = m.level_id
        JOIN account u ON u.id = m.recorded_by_id
        WHERE m.kind = 'distribution' AND u.username LIKE '{TABLET_PREFIX}%'
          AND NOT EXISTS (SELECT 1 FROM stay s WHERE s.resident_id = m.resident_id
            AND s.shelter_id = l.shelter_id AND s.checked_in_at <= m.recorded_at
            AND (s.checked_out_at IS NULL OR s.checked_out_at >= m.recorded_at))""",
}


async def consistency(url: str, since: datetime) -> dict[str, Any]:
    """The invariants (each a count of violations: 0 is right) and the bench's own rows, read
    directly in PostgreSQL."""
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        violations = {
            name: int(await connection.fetchval(sql)) for name, sql in CONSISTENCY.items()
        }
        stays = await connection.fetchrow(
            """SELECT count(*) AS made, count(*) FILTER (WHERE checked_out_at IS NULL) AS open
               FROM stay WHERE checked_in_at >= $1""",
            since,
        )
        audit = dict(
            await connection.fetch(
                """SELECT action, count(*) FROM audit_event
                   WHERE username LIKE $1 AND action IN ('check_in', 'check_out')
                   GROUP BY action""",
                f"{TABLET_PREFIX}%",
            )
        )
        stock = dict(
            await connection.fetch(
                """SELECT m.kind, count(*) FROM stock_movement m
                   JOIN account u ON u.id = m.recorded_by_id
                   WHERE u.username LIKE $1 GROUP BY m.kind""",
                f"{TABLET_PREFIX}%",
            )
        )
        services = await connection.fetchval(
            """SELECT count(*) FROM service_record r JOIN account u ON u.id = r.recorded_by_id
               WHERE u.username LIKE $1""",
            f"{TABLET_PREFIX}%",
        )
        database = await connection.fetchrow(
            """SELECT deadlocks, xact_rollback FROM pg_stat_database
               WHERE datname = current_database()"""
        )
    finally:
        await connection.close()
    return {
        "violations": violations,
        "stays_made": int(stays["made"]),
        "stays_left_open": int(stays["open"]),
        "audited_check_ins": int(audit.get("check_in", 0)),
        "audited_check_outs": int(audit.get("check_out", 0)),
        "deadlocks": int(database["deadlocks"]),
        "rollbacks": int(database["xact_rollback"]),
        "stock_receipts_made": int(stock.get("receipt", 0)),
        "stock_distributions_made": int(stock.get("distribution", 0)),
        "services_logged": int(services),
    }


# --- the server --------------------------------------------------------------------------------


@contextmanager
def serving(
    database_url: str, *, workers: int, pool_size: int, log_path: Path, data_key: str
) -> Iterator[str]:
    """``uvicorn --workers N`` on a free port of 127.0.0.1 with each worker's pool sized;
    yields the base URL; stopped on the way out whatever happened."""
    pool = {"HAVEN_DATABASE_POOL_SIZE": str(pool_size), "HAVEN_REDIS_URL": ""}
    with running_server(
        database_url, log_path, data_key, extra_env=pool, workers=workers
    ) as base_url:
        yield base_url


_LOG_PROBLEM = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception", re.IGNORECASE)


def server_log_problems(path: Path, limit: int = 15) -> dict[str, Any]:
    """Lines of the server's log that tell of a failure (it logs at warning level)."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return {"lines": 0, "problems": 0, "first": []}
    problems = [line for line in lines if _LOG_PROBLEM.search(line)]
    return {"lines": len(lines), "problems": len(problems), "first": problems[:limit]}


# --- the run -----------------------------------------------------------------------------------


@dataclass
class TabletResults:
    """One run's figures; :meth:`as_dict` for results.json, :meth:`markdown` for RESULTS.md."""

    workers: int
    tablets: int
    seconds: float
    warmup: float
    think: float
    pool_size: int
    connections: dict[str, int]
    operations: dict[str, dict[str, Any]]
    requests_per_s: float
    loops_per_s: float
    loops: int
    no_free_bed: int
    gave_up: int
    client_checked_in: int
    consistency: dict[str, Any]
    server_log: dict[str, Any]
    load_average: dict[str, list[float]]
    client_cpu_share: float
    setup_seconds: float
    total_seconds: float
    error_samples: list[str]
    demo: dict[str, Any]
    pending_steps: dict[str, str] = field(default_factory=lambda: dict(PENDING_STEPS))
    #: Receipts and distributions the tablets saw succeed (over the whole run).
    client_received: int = 0
    client_distributed: int = 0
    client_logged: int = 0

    @property
    def errors(self) -> int:
        return sum(op["errors"] for op in self.operations.values())

    @property
    def consistent(self) -> bool:
        c = self.consistency
        return (
            not any(c["violations"].values())
            and c["stays_left_open"] == 0
            and c["stays_made"] == self.client_checked_in
            and c["audited_check_ins"] == c["stays_made"]
            and c["audited_check_outs"] == c["stays_made"] - c["stays_left_open"]
            and c["stock_receipts_made"] == self.client_received
            and c["stock_distributions_made"] == self.client_distributed
            and c["services_logged"] == self.client_logged
        )

    def as_dict(self) -> dict[str, Any]:
        data = {key: value for key, value in vars(self).items()}
        data["errors"] = self.errors
        data["consistent"] = self.consistent
        return data

    def markdown(self) -> str:
        lines = [
            f"### {self.tablets} tablets, {self.workers} uvicorn worker(s), PostgreSQL",
            "",
            f"{self.seconds:g} s measured after {self.warmup:g} s warm-up; "
            + (
                f"a pause of {self.think:g} s (mean) before each step; "
                if self.think
                else "no pause between requests (each tablet's latency is then about "
                "tablets ÷ throughput: the queue, not the cost of one request); "
            )
            + f"database pool "
            f"{self.pool_size} per worker (max_connections {self.connections['max_connections']})"
            f"; load average before {self.load_average['before']}, after "
            f"{self.load_average['after']}; the tablets' own process used "
            f"{self.client_cpu_share:.0%} of one core.",
            "",
            "| operation | ok | ok/s | median ms | p95 ms | p99 ms | max ms "
            "| expected refusals | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for name, op in self.operations.items():
            refusals = ", ".join(f"{k} {v}" for k, v in op["refusals_by_code"].items())
            errors = ", ".join(f"{k} {v}" for k, v in op["errors_by_kind"].items())
            lines.append(
                f"| {name} | {op['ok']} | {op['throughput_per_s']} | {op['median_ms']} "
                f"| {op['p95_ms']} | {op['p99_ms']} | {op['max_ms']} "
                f"| {op['expected_refusals']}{f' ({refusals})' if refusals else ''} "
                f"| {op['errors']}{f' ({errors})' if errors else ''} |"
            )
        for name, why in self.pending_steps.items():
            lines.append(f"| {name} | — | — | — | — | — | — | — | {why} |")
        c = self.consistency
        verdict = "consistent" if self.consistent else "**INCONSISTENT**"
        lines += [
            "",
            f"Overall: {self.requests_per_s} requests/s answered, {self.loops_per_s} complete "
            f"check-in→check-out loops/s ({self.loops} in the whole run); a shelter had no free "
            f"bed {self.no_free_bed} times; {self.gave_up} check-ins given up after "
            f"{BED_ATTEMPTS} taken beds.",
            "",
            f"Consistency ({verdict}): "
            + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in c["violations"].items())
            + f"; stays made {c['stays_made']} (tablets saw {self.client_checked_in} check-ins)"
            f", left open {c['stays_left_open']}; audited check-ins {c['audited_check_ins']}, "
            f"check-outs {c['audited_check_outs']}; stock receipts {c['stock_receipts_made']} "
            f"and distributions {c['stock_distributions_made']} in the ledger (tablets saw "
            f"{self.client_received} and {self.client_distributed}); services logged "
            f"{c['services_logged']} (tablets saw {self.client_logged}); deadlocks "
            f"{c['deadlocks']}.",
            "",
            f"Server log: {self.server_log['problems']} problem lines of "
            f"{self.server_log['lines']}.",
        ]
        return "\n".join(lines)


def _load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


async def _sign_in(tablet: Tablet) -> None:
    outcome = await tablet.request(
        LOGIN, {"input": {"username": tablet.username, "password": TABLET_PASSWORD}}, "login"
    )
    if not outcome.ok or not outcome.payload.get("token"):
        raise ServerError(f"signing in as {tablet.username} failed: {outcome}")
    tablet.http.headers["Authorization"] = f"Bearer {outcome.payload['token']}"
    answer = await tablet.http.post("/graphql", json={"query": SHELTERS})
    edges = answer.json()["data"]["shelters"]["edges"]
    if len(edges) != 1:
        raise ServerError(f"{tablet.username} sees {len(edges)} shelters, not its one")
    tablet.shelter_id = edges[0]["node"]["id"]
    tablet.shelter_kind = edges[0]["node"]["kind"]
    answer = await tablet.http.post("/graphql", json={"query": ITEMS})
    edges = answer.json()["data"]["items"]["edges"]
    items = [e["node"]["id"] for e in edges if not e["node"]["perishable"]]
    if not items:
        raise ServerError("the catalogue has no hygiene item to hand out")
    tablet.item_id = items[0]


async def _register(tablet: Tablet, count: int) -> None:
    for index in range(count):
        if tablet.shelter_kind in ("WOMEN", "MEN"):
            sex = "FEMALE" if tablet.shelter_kind == "WOMEN" else "MALE"
        else:
            sex = "FEMALE" if index % 2 else "MALE"
        variables = {
            "input": {
                "shelter": tablet.shelter_id,
                "givenName": f"Tablet {tablet.number}",
                "familyName": f"Resident {index + 1}",
                "sex": sex,
                "nationality": "UZ",
                "referralSource": "HOTLINE",
                "documentStatus": "CONFISCATED",
                "consents": {"dataProcessing": True},
                "languages": ["uz", "ru"],
            }
        }
        outcome = await tablet.request(REGISTER, variables, "residentRegister")
        if not outcome.ok:
            raise ServerError(f"{tablet.username} could not register a resident: {outcome}")
        tablet.residents.append(str(outcome.payload["resident"]["id"]))


async def _gather_bounded(calls: list[Awaitable[None]], limit: int) -> None:
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Awaitable[None]) -> None:
        async with semaphore:
            await call

    await asyncio.gather(*(one(call) for call in calls))


async def _drive(
    base_url: str,
    accounts: list[dict[str, Any]],
    *,
    seconds: float,
    warmup: float,
    iterations: int,
    residents_per_tablet: int,
    seed: int,
    think: float,
) -> tuple[Recorder, float, datetime]:
    """Sign the tablets in, register their residents, run them; returns the recorder, the
    client's CPU seconds in the run and the instant (UTC) the tablets started."""
    tablets = [
        Tablet(
            number=index + 1,
            username=account["username"],
            http=httpx.AsyncClient(
                base_url=base_url,
                timeout=REQUEST_TIMEOUT,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            ),
            rng=random.Random(seed * 1000 + index),
            think=think,
        )
        for index, account in enumerate(accounts)
    ]
    try:
        # Argon2 on the server: a few at a time, else sign-in alone saturates both cores.
        await _gather_bounded([_sign_in(t) for t in tablets], 4)
        await _gather_bounded([_register(t, residents_per_tablet) for t in tablets], 10)
        since = datetime.now(UTC)
        start = time.monotonic()
        recorder = Recorder(start + warmup, start + warmup + seconds)
        cpu = time.process_time()
        await asyncio.gather(
            *(
                tablet_loop(t, recorder, deadline=recorder.window_end, iterations=iterations)
                for t in tablets
            )
        )
        cpu = time.process_time() - cpu
        return recorder, cpu / (time.monotonic() - start), since
    finally:
        await asyncio.gather(*(t.http.aclose() for t in tablets), return_exceptions=True)


def _run_async(main: Coroutine[Any, Any, T]) -> T:
    """On uvloop when installed (less client overhead per request), else asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def run_tablets(
    database_url: str,
    *,
    workers: int,
    tablets: int = 50,
    seconds: float = 30,
    log_dir: Path,
    warmup: float = 3.0,
    iterations: int = 100_000,
    residents_per_tablet: int = 3,
    pool_size: int | None = None,
    seed: int = 2026,
    think: float = 0.0,
    progress: Callable[[str], None] = lambda message: None,
) -> TabletResults:
    """Run the tablets against ``workers`` uvicorn processes on a fresh database made on the
    PostgreSQL server ``database_url`` (any database of it; ``tablets_<random>`` is created and
    dropped). The server's log goes to ``log_dir/tablets-<workers>w.log``. Call it outside any
    running event loop."""
    if tablets < 1 or workers < 1 or seconds <= 0 or iterations < 1 or think < 0:
        raise ValueError("tablets, workers, seconds and iterations must be positive")
    started = time.monotonic()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"tablets-{workers}w.log"
    log_path.write_bytes(b"")
    budget = asyncio.run(connection_budget(database_url))
    pool = pool_size or pool_size_for(workers, tablets, budget)
    data_key = new_data_key()
    load_before = _load_average()
    with fresh_database(database_url) as url:
        progress(f"{workers} worker(s): migrating, loading demo data, {tablets} accounts…")
        with tortoise_process() as child:
            prepared = child.submit(prepare_in_child, url, data_key, tablets).result(timeout=300)
        progress(f"{workers} worker(s): uvicorn on {HOST}, pool {pool} per worker…")
        with serving(
            url, workers=workers, pool_size=pool, log_path=log_path, data_key=data_key
        ) as base_url:
            setup_seconds = time.monotonic() - started
            progress(f"{workers} worker(s): {tablets} tablets for {warmup:g}+{seconds:g} s…")
            recorder, cpu_share, since = _run_async(
                _drive(
                    base_url,
                    prepared["accounts"],
                    seconds=seconds,
                    warmup=warmup,
                    iterations=iterations,
                    residents_per_tablet=residents_per_tablet,
                    seed=seed,
                    think=think,
                )
            )
        load_after = _load_average()
        progress(f"{workers} worker(s): consistency check…")
        checked = asyncio.run(consistency(url, since))
    operations = {
        name: recorder.operation(name).summary(seconds)
        for name in (*OPERATIONS, *(n for n in recorder.operations if n not in OPERATIONS))
    }
    answered = sum(op["answered"] for op in operations.values())
    return TabletResults(
        workers=workers,
        tablets=tablets,
        seconds=seconds,
        warmup=warmup,
        think=think,
        pool_size=pool,
        connections=budget,
        operations=operations,
        requests_per_s=round(answered / seconds, 1),
        loops_per_s=round(recorder.loops_in_window / seconds, 1),
        loops=recorder.loops_total,
        no_free_bed=recorder.no_free_bed,
        gave_up=recorder.gave_up,
        client_checked_in=recorder.operation("checkIn").total_ok,
        consistency=checked,
        server_log=server_log_problems(log_path),
        load_average={"before": load_before, "after": load_after},
        client_cpu_share=round(cpu_share, 3),
        setup_seconds=round(setup_seconds, 1),
        total_seconds=round(time.monotonic() - started, 1),
        error_samples=recorder.error_samples,
        demo=prepared["demo"],
        client_received=recorder.operation("stockReceive").total_ok,
        client_distributed=recorder.operation("stockDistribute").total_ok,
        client_logged=recorder.operation("serviceLog").total_ok,
    )


# --- python -m bench.tablets -------------------------------------------------------------------


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tablets", description=__doc__.split("\n\n")[1]
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("HAVEN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a PostgreSQL server; tablets_<random> is created on it and dropped "
        "(HAVEN_BENCH_POSTGRES_URL; default %(default)s)",
    )
    parser.add_argument(
        "--workers", default="1,2", help="uvicorn workers, comma-separated runs (default 1,2)"
    )
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="unrecorded time first")
    parser.add_argument("--iterations", type=int, default=100_000, help="loops per tablet, most")
    parser.add_argument("--residents", type=int, default=3, help="residents per tablet")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause (s) of the person at the desk before each step (default 0: each "
        "tablet sends its next request as soon as the last is answered)",
    )
    parser.add_argument("--pool-size", type=int, help="database pool per worker (default: sized)")
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp/haven-tablets"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args(argv)
    try:
        options.workers = [int(n) for n in options.workers.split(",") if n.strip()]
    except ValueError:
        parser.error("--workers takes numbers, e.g. 1,2")
    if not options.workers or min(options.workers) < 1:
        parser.error("--workers takes positive numbers")
    return options


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: server stopped, database dropped


def main(argv: list[str] | None = None) -> int:
    options = _options(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    results = []
    for workers in options.workers:
        result = run_tablets(
            options.database_url,
            workers=workers,
            tablets=options.tablets,
            seconds=options.seconds,
            warmup=options.warmup,
            iterations=options.iterations,
            residents_per_tablet=options.residents,
            think=options.think,
            pool_size=options.pool_size,
            log_dir=options.log_dir,
            progress=lambda message: print(message, file=sys.stderr, flush=True),
        )
        print(result.markdown(), "\n", flush=True)
        if result.error_samples:
            print("First errors:", *result.error_samples, sep="\n  ", flush=True)
        if result.server_log["first"]:
            print("Server log:", *result.server_log["first"], sep="\n  ", flush=True)
        results.append(result)
    if options.json:
        options.json.write_text(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
    ok = all(r.errors == 0 and r.consistent for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
