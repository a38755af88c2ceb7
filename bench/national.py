"""National scale: SQL statements per operation (demo vs national size), and the core reads at
national size on PostgreSQL through HTTP beside their hand-written SQL floors, plus occupancy as
plain Starlette JSON from the floor SQL.

    results = run_national(server_url, requests=200, warmup=20, progress=console.print)

Everything made is torn down on the way out: servers stopped, databases dropped.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import httpx

from bench.databases import (
    COORDINATOR,
    asyncpg_dsn,
    new_data_key,
    postgres_database,
    prepare_in_child,
    tortoise_process,
)
from bench.jsonfloor import DSN_VARIABLE
from bench.server import GraphQLClient, ServerError, running_server
from bench.sqlfloor import PostgresFloor, graphql_answer
from bench.stats import Samples
from bench.tablets import CHECK_IN as TABLET_CHECK_IN
from bench.tablets import CHECK_OUT as TABLET_CHECK_OUT
from bench.workloads import OCCUPANCY
from fixtures.accounts import DEMO_PASSWORD

Progress = Callable[[str], None]

BED_GRID = """
query BedGrid($id: ID!) {
  shelter(id: $id) { rooms { beds { status currentStay { resident { code } } } } }
}"""
AVAILABLE_BEDS = """
query AvailableBeds($first: Int!) {
  availableBeds(first: $first) { edges { node { id label } } }
}"""
TIMELINE = """
query Timeline($id: ID!) {
  resident(id: $id) { stays { shelter { name } bedHistory { bed { label } startedAt endedAt } } }
}"""
SCHEDULE = """
query Schedule($shelter: ID!, $day: Date!, $first: Int!) {
  appointments(shelter: $shelter, day: $day, first: $first) {
    edges { node { id kind startsAt endsAt place status resident { code } provider { fullName } } }
  }
}"""
#: Appointments asked for by the day's schedule (the page size cap).
SCHEDULE_FIRST = 100
#: The shelters' time zone (server.settings.Settings.timezone's default): a day is local.
ZONE = "Asia/Almaty"
LOGIN = "mutation L($input: LoginInput!) { login(input: $input) { token errors { code } } }"
#: Signed in, nothing asked: what every request pays (the session and account look-ups).
SIGNED_IN = "{ __typename }"
#: Beds asked for by the availableBeds search (network-wide, first page).
AVAILABLE_FIRST = 50

#: Operation key -> label, in report order.
OPERATIONS = {
    "occupancy": "`occupancy` (all shelters, regions, total)",
    "bedGrid": "a shelter's bed grid (`shelter(id) { rooms { beds { status currentStay … } } }`)",
    "availableBeds": f"`availableBeds(first: {AVAILABLE_FIRST})`, network-wide",
    "residentTimeline": "a resident's timeline (`resident(id) { stays { … bedHistory … } }`)",
    "schedule": "a day's schedule (`appointments(shelter:, day:)`, as the shelter's staff)",
}

#: Counted, not timed here (checkIn is timed under the tablets' load and in the demo suite).
COUNTED_ONLY = {
    "signedIn": "signed in, nothing asked",
    "checkIn": "`checkIn` (the tablets' mutation, by the shelter's staff; then checked out)",
}

# --- the hand-written SQL floors (PostgreSQL, asyncpg) -----------------------------------------

_BED_GRID = """
-- a do-not-disclose resident is not shown to the coordinator: no code
SELECT r.id AS room, b.id AS bed,
       EXISTS (SELECT 1 FROM bed_assignment a WHERE a.bed_id = b.id AND a.ended_at IS NULL)
           AS occupied,
       EXISTS (SELECT 1 FROM bed_outage o WHERE o.bed_id = b.id AND o.started_at <= $2
               AND (o.ended_at IS NULL OR o.ended_at > $2)) AS out_of_service,
       EXISTS (SELECT 1 FROM bed_hold h WHERE h.bed_id = b.id AND h.started_at <= $2
               AND h.expires_at > $2 AND (h.released_at IS NULL OR h.released_at > $2)) AS held,
       (SELECT res.code FROM bed_assignment a JOIN stay s ON s.id = a.stay_id
        JOIN resident res ON res.id = s.resident_id
        WHERE a.bed_id = b.id AND a.ended_at IS NULL
          AND NOT res.do_not_disclose_presence LIMIT 1) AS code
FROM room r JOIN bed b ON b.room_id = r.id
WHERE r.shelter_id = $1
ORDER BY r.id, b.id
"""
_AVAILABLE_BEDS = """
SELECT b.id, b.label FROM bed b
WHERE NOT EXISTS (SELECT 1 FROM bed_assignment a WHERE a.bed_id = b.id AND a.ended_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM bed_outage o WHERE o.bed_id = b.id AND o.started_at <= $1
                  AND (o.ended_at IS NULL OR o.ended_at > $1))
  AND NOT EXISTS (SELECT 1 FROM bed_hold h WHERE h.bed_id = b.id AND h.started_at <= $1
                  AND h.expires_at > $1 AND (h.released_at IS NULL OR h.released_at > $1))
ORDER BY b.id
LIMIT $2
"""
_TIMELINE = """
SELECT s.id, sh.name, b.label, a.started_at, a.ended_at
FROM stay s
JOIN shelter sh ON sh.id = s.shelter_id
LEFT JOIN bed_assignment a ON a.stay_id = s.id
LEFT JOIN bed b ON b.id = a.bed_id
WHERE s.resident_id = $1
ORDER BY s.checked_in_at, s.id, a.started_at, a.id
"""
_SCHEDULE = """
-- the shelter's appointments of residents registered at, staying or who stayed in it
SELECT a.id, a.kind, a.starts_at, a.ends_at, a.place, a.status, r.code, u.full_name
FROM medical_appointment a
JOIN resident r ON r.id = a.resident_id
JOIN account u ON u.id = a.provider_id
WHERE a.shelter_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3
  AND (r.intake_shelter_id = $1
       OR EXISTS (SELECT 1 FROM stay s WHERE s.resident_id = r.id AND s.shelter_id = $1))
ORDER BY a.starts_at, a.id
LIMIT $4
"""
_BUSIEST_DAY = f"""
SELECT shelter_id, (starts_at AT TIME ZONE '{ZONE}')::date AS day, count(*)
FROM medical_appointment GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1
"""
_STAFF_OF = """
SELECT u.username FROM account u JOIN account_shelter x ON x.account_id = u.id
WHERE x.shelter_id = $1 AND u.role = 'shelter_staff' AND u.is_active ORDER BY u.id LIMIT 1
"""
_BUSIEST_SHELTER = """
SELECT r.shelter_id, count(*) FROM room r JOIN bed b ON b.room_id = r.id
GROUP BY r.shelter_id ORDER BY count(*) DESC, r.shelter_id LIMIT 1
"""
_BUSIEST_RESIDENT = """
SELECT s.resident_id, count(*) FROM stay s JOIN resident r ON r.id = s.resident_id
WHERE NOT r.do_not_disclose_presence
GROUP BY s.resident_id ORDER BY count(*) DESC, s.resident_id LIMIT 1
"""


def _status(occupied: bool, out_of_service: bool, held: bool) -> str:
    """Same precedence as server.domain.beds.bed_status."""
    if occupied:
        return "occupied"
    if out_of_service:
        return "out_of_service"
    return "held" if held else "free"


def _global(type_name: str, number: int) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


def _number(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":", 1)[1])


def _instant(value: str | datetime | None) -> str | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).isoformat()


class Floors:
    """The floor of each operation on one asyncpg connection (prepared statements cached); each
    returns the answer in the shape :func:`normalise` gives the GraphQL answer."""

    def __init__(self, occupancy: PostgresFloor) -> None:
        self.occupancy_floor = occupancy
        self.connection = occupancy.connection

    @classmethod
    async def connect(cls, dsn: str) -> Floors:
        return cls(await PostgresFloor.connect(dsn))

    async def close(self) -> None:
        await self.occupancy_floor.close()

    async def occupancy(self, ids: dict[str, int]) -> Any:
        return await self.occupancy_floor.occupancy()

    async def bedGrid(self, ids: dict[str, int]) -> Any:  # noqa: N802 - the operation's name
        rows = await self.connection.fetch(_BED_GRID, ids["shelter"], datetime.now(UTC))
        return sorted((_status(r[2], r[3], r[4]), r[5] or "") for r in rows)

    async def availableBeds(self, ids: dict[str, int]) -> Any:  # noqa: N802
        rows = await self.connection.fetch(_AVAILABLE_BEDS, datetime.now(UTC), AVAILABLE_FIRST)
        return [(row[0], row[1]) for row in rows]

    async def residentTimeline(self, ids: dict[str, int]) -> Any:  # noqa: N802
        rows = await self.connection.fetch(_TIMELINE, ids["resident"])
        stays: dict[int, tuple[str, list[tuple[Any, ...]]]] = {}
        for stay, shelter, label, started, ended in rows:
            _, history = stays.setdefault(stay, (shelter, []))
            if label is not None:
                history.append((label, _instant(started), _instant(ended)))
        return [(shelter, history) for shelter, history in stays.values()]

    async def schedule(self, ids: dict[str, int]) -> Any:
        start, end = _day_window(ids["schedule_day"])
        rows = await self.connection.fetch(
            _SCHEDULE, ids["schedule_shelter"], start, end, SCHEDULE_FIRST
        )
        return [(r[0], r[1], _instant(r[2]), _instant(r[3]), r[4], r[5], r[6], r[7]) for r in rows]


def _day_window(ordinal: int) -> tuple[datetime, datetime]:
    """A local day as [midnight, next midnight) in UTC, as server.domain.schedule.day_window."""
    from zoneinfo import ZoneInfo

    day = date.fromordinal(ordinal)
    start = datetime.combine(day, clock_time(0), tzinfo=ZoneInfo(ZONE))
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def variables(name: str, ids: dict[str, int]) -> dict[str, Any]:
    if name == "schedule":
        return {
            "shelter": _global("Shelter", ids["schedule_shelter"]),
            "day": date.fromordinal(ids["schedule_day"]).isoformat(),
            "first": SCHEDULE_FIRST,
        }
    if name == "bedGrid":
        return {"id": _global("Shelter", ids["shelter"])}
    if name == "availableBeds":
        return {"first": AVAILABLE_FIRST}
    if name == "residentTimeline":
        return {"id": _global("Resident", ids["resident"])}
    return {}


QUERIES = {
    "occupancy": OCCUPANCY,
    "bedGrid": BED_GRID,
    "availableBeds": AVAILABLE_BEDS,
    "residentTimeline": TIMELINE,
    "schedule": SCHEDULE,
}


def _code(stay: dict[str, Any] | None) -> str:
    resident = (stay or {}).get("resident")
    return resident["code"] if resident else ""


def normalise(name: str, data: dict[str, Any]) -> Any:
    """The GraphQL answer in the floor's shape, to check both agree."""
    if name == "occupancy":
        return graphql_answer(data)
    if name == "bedGrid":
        beds = [bed for room in data["shelter"]["rooms"] for bed in room["beds"]]
        return sorted((bed["status"].lower(), _code(bed["currentStay"])) for bed in beds)
    if name == "availableBeds":
        edges = data["availableBeds"]["edges"]
        return [(_number(edge["node"]["id"]), edge["node"]["label"]) for edge in edges]
    if name == "schedule":
        return [
            (
                _number(node["id"]),
                node["kind"].lower(),
                _instant(node["startsAt"]),
                _instant(node["endsAt"]),
                node["place"],
                node["status"].lower(),
                node["resident"]["code"],
                node["provider"]["fullName"],
            )
            for node in (edge["node"] for edge in data["appointments"]["edges"])
        ]
    stays = data["resident"]["stays"]
    return [
        (
            stay["shelter"]["name"],
            [
                (part["bed"]["label"], _instant(part["startedAt"]), _instant(part["endedAt"]))
                for part in stay["bedHistory"]
            ],
        )
        for stay in stays
    ]


async def pick_ids(dsn: str) -> tuple[dict[str, int], str]:
    """The shelter with the most beds, the (disclosed) resident with the most stays, the
    shelter and local day with the most appointments (the day as an ordinal); and the username
    of a shelter-staff account of that shelter, who reads the day's schedule."""
    import asyncpg

    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        shelter, beds = await connection.fetchrow(_BUSIEST_SHELTER)
        resident, stays = await connection.fetchrow(_BUSIEST_RESIDENT)
        busiest = await connection.fetchrow(_BUSIEST_DAY)
        if busiest is None:
            raise ServerError("no medical appointments to read a day's schedule of")
        schedule_shelter, day, appointments = busiest
        staff = await connection.fetchval(_STAFF_OF, schedule_shelter)
        if staff is None:
            raise ServerError(f"no shelter-staff account in shelter {schedule_shelter}")
    finally:
        await connection.close()
    ids = {
        "shelter": shelter,
        "shelter_beds": beds,
        "resident": resident,
        "resident_stays": stays,
        "schedule_shelter": schedule_shelter,
        "schedule_day": day.toordinal(),
        "schedule_appointments": appointments,
    }
    return ids, staff


# --- counting statements (in a spawned process: Tortoise in process) ---------------------------


class _Counter(logging.Handler):
    """Counts the statements Tortoise sends (as tests/conftest.py's QueryCounter)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())

    def __enter__(self) -> _Counter:
        logger = logging.getLogger("tortoise.db_client")
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("tortoise.db_client")
        logger.removeHandler(self)
        logger.setLevel(self._level)


def count_statements_in_child(
    url: str, data_key: str, ids: dict[str, int], staff: str
) -> dict[str, int]:
    return asyncio.run(count_statements(url, data_key, ids, staff))


async def count_statements(
    url: str, data_key: str, ids: dict[str, int], staff: str
) -> dict[str, int]:
    """Statements per request of each operation (and of a bare signed-in request), in process
    through httpx.ASGITransport, signed in as the coordinator (the day's schedule as ``staff``,
    a shelter-staff account of its shelter: coordinators see no appointment); the second of two
    requests is counted."""
    from server.app import create_app
    from server.settings import Settings

    app = create_app(Settings(database_url=url, data_key=data_key))
    counts: dict[str, int] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http,
    ):

        async def ask(query: str, variables_: dict[str, Any]) -> dict[str, Any]:
            response = await http.post("/graphql", json={"query": query, "variables": variables_})
            return GraphQLClient.data_of(response)

        async def sign_in(username: str) -> str:
            login = await ask(
                LOGIN,
                {"input": {"username": username, "password": DEMO_PASSWORD}},
            )
            if not login["login"]["token"]:
                raise ServerError(f"signing in refused: {login['login']['errors']}")
            return f"Bearer {login['login']['token']}"

        tokens = {COORDINATOR: await sign_in(COORDINATOR), staff: await sign_in(staff)}
        for name, query in {"signedIn": SIGNED_IN, **QUERIES}.items():
            http.headers["Authorization"] = tokens[staff if name == "schedule" else COORDINATOR]
            wanted = variables(name, ids)
            await ask(query, wanted)
            with _Counter() as counter:
                await ask(query, wanted)
            counts[name] = len(counter.statements)
        http.headers["Authorization"] = tokens[staff]
        counts["checkIn"] = await _check_in_statements(ask, ids["schedule_shelter"])
    return counts


async def _check_in_statements(
    ask: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]], shelter: int
) -> int:
    """Statements of the tablets' checkIn by the shelter's staff: two residents registered
    there, in turn, into one free bed of it, each checked out again (uncounted, so the
    database is as it was for the timings); the second check-in counted."""
    from tortoise.expressions import Subquery

    from server.domain.access import Viewer
    from server.domain.beds import BedFilter, available_beds
    from server.models import Resident, Stay

    bed = await available_beds(Viewer.operator("bench"), BedFilter(shelter_id=shelter)).first()
    staying = Stay.filter(checked_out_at__isnull=True).values("resident_id")
    residents = (
        await Resident.filter(intake_shelter_id=shelter)
        .exclude(id__in=Subquery(staying))
        .order_by("id")
        .limit(2)
        .values_list("id", flat=True)
    )
    if bed is None or len(residents) < 2:
        raise ServerError(f"no free bed or not two residents out of shelter {shelter}")
    statements = 0
    for resident in residents:
        wanted = {
            "input": {"resident": _global("Resident", resident), "bed": _global("Bed", bed.id)}
        }
        with _Counter() as counter:
            checked_in = (await ask(TABLET_CHECK_IN, wanted))["checkIn"]
        statements = len(counter.statements)
        if checked_in["errors"]:
            raise ServerError(f"checkIn refused: {checked_in['errors']}")
        ending = {"input": {"stay": checked_in["stay"]["id"], "exitDestination": "RETURNED_HOME"}}
        checked_out = (await ask(TABLET_CHECK_OUT, ending))["checkOut"]
        if checked_out["errors"]:
            raise ServerError(f"checkOut refused: {checked_out['errors']}")
    return statements


def generate_in_child(url: str, data_key: str) -> dict[str, Any]:
    return asyncio.run(_generate(url, data_key))


async def _generate(url: str, data_key: str) -> dict[str, Any]:
    from bench.generate import generate
    from server.database import migrate_database, open_database
    from server.settings import Settings

    settings = Settings(database_url=url, data_key=data_key)
    await migrate_database(settings)
    async with open_database(settings):
        summary = await generate()
    return dataclasses.asdict(summary)


# --- timing ------------------------------------------------------------------------------------


def _time_graphql(
    client: GraphQLClient, query: str, variables_: dict[str, Any], warmup: int, requests: int
) -> tuple[Samples, dict[str, Any]]:
    samples = Samples("graphql")
    data: dict[str, Any] = {}
    for index in range(warmup + requests):
        started = time.perf_counter_ns()
        response = client.post(query, variables_)
        elapsed = time.perf_counter_ns() - started
        data = client.data_of(response)
        if index >= warmup:
            samples.add(elapsed)
    return samples, data


def _time_json(base_url: str, warmup: int, requests: int) -> tuple[Samples, dict[str, Any]]:
    samples = Samples("json")
    answer: dict[str, Any] = {}
    with httpx.Client(base_url=base_url, timeout=30.0) as http:
        for index in range(warmup + requests):
            started = time.perf_counter_ns()
            response = http.get("/occupancy")
            elapsed = time.perf_counter_ns() - started
            if response.status_code != 200:
                raise ServerError(f"/occupancy answered {response.status_code}")
            answer = response.json()
            if index >= warmup:
                samples.add(elapsed)
    return samples, answer


async def _time_floor(
    call: Callable[[], Awaitable[Any]], warmup: int, requests: int
) -> tuple[Samples, Any]:
    samples = Samples("sql")
    answer: Any = None
    for index in range(warmup + requests):
        started = time.perf_counter_ns()
        answer = await call()
        elapsed = time.perf_counter_ns() - started
        if index >= warmup:
            samples.add(elapsed)
    return samples, answer


async def _floors(dsn: str, ids: dict[str, int], warmup: int, requests: int) -> dict[str, Any]:
    floors = await Floors.connect(dsn)
    try:
        out = {}
        for name in QUERIES:
            method = getattr(floors, name)
            out[name] = await _time_floor(lambda m=method: m(ids), warmup, requests)
        return out
    finally:
        await floors.close()


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


# --- the whole section -------------------------------------------------------------------------


def run_national(
    server_url: str, *, requests: int, warmup: int, progress: Progress = lambda m: None
) -> dict[str, Any]:
    """Statement counts at demo and national size, then latency at national size; see the
    module docstring."""
    started = time.monotonic()
    counts: dict[str, dict[str, int]] = {}
    ids_by_size: dict[str, dict[str, int]] = {}
    staff_by_size: dict[str, str] = {}

    progress("query counts: demo-size PostgreSQL database…")
    data_key = new_data_key()
    with postgres_database(server_url) as (url, _workdir):
        with tortoise_process() as child:
            child.submit(prepare_in_child, url, data_key).result(timeout=120)
        ids_by_size["demo"], staff_by_size["demo"] = asyncio.run(pick_ids(asyncpg_dsn(url)))
        with tortoise_process() as child:
            counts["demo"] = child.submit(
                count_statements_in_child,
                url,
                data_key,
                ids_by_size["demo"],
                staff_by_size["demo"],
            ).result(timeout=120)

    progress(
        "national: generating 60 shelters, 3,000 beds, 50,000 residents, 80,000 stays, "
        "500,000 stock movements, 1,000,000 service records, 14 days of appointments…"
    )
    data_key = new_data_key()
    with postgres_database(server_url) as (url, workdir):
        generating = time.monotonic()
        with tortoise_process() as child:
            generated = child.submit(generate_in_child, url, data_key).result(timeout=600)
        generate_seconds = time.monotonic() - generating
        dsn = asyncpg_dsn(url)
        ids, staff = asyncio.run(pick_ids(dsn))
        ids_by_size["national"], staff_by_size["national"] = ids, staff
        progress("query counts: national size…")
        with tortoise_process() as child:
            counts["national"] = child.submit(
                count_statements_in_child, url, data_key, ids, staff
            ).result(timeout=120)

        progress(f"national: GraphQL over HTTP, {requests} requests per operation…")
        graphql: dict[str, tuple[Samples, dict[str, Any]]] = {}
        with (
            running_server(url, workdir / "server.log", data_key) as base_url,
            GraphQLClient(base_url) as client,
            GraphQLClient(base_url) as staff_client,
        ):
            client.sign_in(COORDINATOR, DEMO_PASSWORD)
            staff_client.sign_in(staff, DEMO_PASSWORD)
            for name, query in QUERIES.items():
                asking = staff_client if name == "schedule" else client
                graphql[name] = _time_graphql(asking, query, variables(name, ids), warmup, requests)
        progress("national: SQL floors via asyncpg…")
        floors = asyncio.run(_floors(dsn, ids, warmup, requests))
        progress("national: occupancy as plain Starlette JSON…")
        with running_server(
            url,
            workdir / "json.log",
            data_key,
            app="bench.jsonfloor:create_app",
            extra_env={DSN_VARIABLE: dsn},
        ) as json_url:
            json_samples, json_answer = _time_json(json_url, warmup, requests)

    operations: dict[str, Any] = {}
    for name in QUERIES:
        g_samples, data = graphql[name]
        f_samples, floor_answer = floors[name]
        g, f = g_samples.summary(), f_samples.summary()
        operations[name] = {
            "graphql": g,
            "sql": f,
            "ratio_median": _ratio(g["median_ms"], f["median_ms"]),
            "ratio_p95": _ratio(g["p95_ms"], f["p95_ms"]),
            "answers_agree": normalise(name, data) == floor_answer,
            "answer_size": _size(name, floor_answer),
        }
    occupancy_floor = floors["occupancy"][1]
    json_summary = json_samples.summary()
    occupancy = operations["occupancy"]
    return {
        "status": "ok",
        "generated": generated,
        "generate_seconds": round(generate_seconds, 1),
        "ids": ids_by_size,
        "schedule_readers": staff_by_size,
        "query_counts": counts,
        "query_counts_constant": counts["demo"] == counts["national"],
        "requests": requests,
        "warmup": warmup,
        "operations": operations,
        "occupancy_json": {
            **json_summary,
            "answers_agree": json_answer == occupancy_floor,
            "graphql_over_json_median": _ratio(
                occupancy["graphql"]["median_ms"], json_summary["median_ms"]
            ),
            "json_over_sql_median": _ratio(
                json_summary["median_ms"], occupancy["sql"]["median_ms"]
            ),
        },
        "occupancy_total": occupancy_floor["total"],
        "seconds": round(time.monotonic() - started, 1),
    }


def _size(name: str, answer: Any) -> str:
    if name == "occupancy":
        return f"{len(answer['shelters'])} shelters, {len(answer['regions'])} regions"
    if name == "bedGrid":
        return f"{len(answer)} beds"
    if name == "availableBeds":
        return f"{len(answer)} beds"
    if name == "schedule":
        return f"{len(answer)} appointments"
    return f"{len(answer)} stays, {sum(len(h) for _, h in answer)} bed assignments"


# --- report ------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def markdown(section: dict[str, Any]) -> list[str]:
    if section.get("status") != "ok":
        return ["", "## National scale", "", f"*{section.get('status')}: {section.get('error')}*"]
    g = section["generated"]
    counts = section["query_counts"]
    ids = section["ids"]
    lines = [
        "",
        "## SQL statements per operation",
        "",
        "Statements Tortoise sent (a handler on the `tortoise.db_client` logger, as "
        "`tests/conftest.py`'s QueryCounter) for one request, in process through "
        "`httpx.ASGITransport` inside the app's lifespan, signed in as the coordinator, the "
        "second of two identical requests counted. Both databases PostgreSQL: the demo "
        f"network (bed grid of a shelter with {ids['demo']['shelter_beds']} beds, timeline of a "
        f"resident with {ids['demo']['resident_stays']} stays) and the national one (bed grid "
        f"of {ids['national']['shelter_beds']} beds, timeline of "
        f"{ids['national']['resident_stays']} stays; a day's schedule of "
        f"{ids['demo']['schedule_appointments']} and of "
        f"{ids['national']['schedule_appointments']} appointments, the busiest shelter-day, read "
        "by a shelter-staff account of that shelter since coordinators see no appointment). "
        "*signed in, nothing asked* is "
        "`{ __typename }`: the session look-up every request pays, included in each count. "
        "`checkIn`: the tablets' mutation by that shelter's staff, a resident registered there "
        "into a free bed of it (two residents in turn, the second counted, each checked out "
        "again uncounted); BEGIN and COMMIT are not in the logger's count.",
        "",
        "| operation | demo | national | equal |",
        "| --- | ---: | ---: | --- |",
    ]
    for name in counts["demo"]:
        label = COUNTED_ONLY.get(name) or OPERATIONS[name]
        demo, national = counts["demo"][name], counts["national"].get(name)
        equal = "yes" if demo == national else "**no**"
        lines.append(f"| {label} | {demo} | {national} | {equal} |")
    lines += [
        "",
        "## National scale on PostgreSQL",
        "",
        f"`bench.generate` defaults: {g['regions']} regions, {g['shelters']} shelters, "
        f"{g['rooms']:,} rooms, {g['beds']:,} beds, {g['residents']:,} residents, "
        f"{g['stays']:,} stays, {g['bed_assignments']:,} bed assignments, "
        f"{g['bed_outages']:,} outages; {g['open_stays']:,} open stays today "
        f"({g['occupancy']:.0%}); {g['items']} items, {g['stock_levels']:,} stock levels, "
        f"{g['stock_movements']:,} stock movements; {g['appointments']:,} appointments "
        f"(the coming 14 days), {g['service_records']:,} service records; generated in "
        f"{section['generate_seconds']} s.",
        "",
        "One uvicorn worker on 127.0.0.1, signed in as the coordinator (the day's schedule as "
        f"the shelter's staff), one request at a time: "
        f"{section['warmup']} warm-up then {section['requests']} timed requests per operation. "
        "The floor is hand-written SQL giving the same answer, run as often on one asyncpg "
        "connection (prepared), timed in the client; each answer is compared with GraphQL's.",
        "",
        "| operation | answer | GraphQL median ms | p95 ms | SQL floor median ms | p95 ms "
        "| ratio median | ratio p95 | same answer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, op in section["operations"].items():
        lines.append(
            f"| {OPERATIONS[name]} | {op['answer_size']} | {_ms(op['graphql']['median_ms'])} "
            f"| {_ms(op['graphql']['p95_ms'])} | {_ms(op['sql']['median_ms'])} "
            f"| {_ms(op['sql']['p95_ms'])} | {op['ratio_median']}× | {op['ratio_p95']}× "
            f"| {'yes' if op['answers_agree'] else '**no**'} |"
        )
    j = section["occupancy_json"]
    occ = section["operations"]["occupancy"]
    lines += [
        "",
        "### Occupancy: GraphQL vs plain JSON",
        "",
        "The floor SQL served by a tiny Starlette app (`bench/jsonfloor.py`: asyncpg pool, "
        "`JSONResponse`, no GraphQL, no ORM, no sign-in) under the same uvicorn on 127.0.0.1, "
        "timed the same way.",
        "",
        "| | median ms | p95 ms |",
        "| --- | ---: | ---: |",
        f"| SQL floor (asyncpg, in the client) | {_ms(occ['sql']['median_ms'])} "
        f"| {_ms(occ['sql']['p95_ms'])} |",
        f"| plain Starlette JSON over HTTP | {_ms(j['median_ms'])} | {_ms(j['p95_ms'])} |",
        f"| GraphQL over HTTP | {_ms(occ['graphql']['median_ms'])} "
        f"| {_ms(occ['graphql']['p95_ms'])} |",
        "",
        f"GraphQL ÷ JSON (median) {j['graphql_over_json_median']}×; JSON ÷ SQL "
        f"{j['json_over_sql_median']}×; JSON answer equal to the floor's: "
        f"{'yes' if j['answers_agree'] else '**no**'}.",
    ]
    return lines
