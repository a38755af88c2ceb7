"""``python -m bench``: measure Haven on SQLite and PostgreSQL, write bench/RESULTS.md and
bench/results.json. See bench/__init__.py for what is measured."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench import compare, national, report, targets, workloads
from bench.databases import (
    BENCH_STAFF,
    BENCH_STAFF_PASSWORD,
    COORDINATOR,
    DEFAULT_POSTGRES,
    asyncpg_dsn,
    new_data_key,
    postgres_database,
    postgres_version,
    prepare_in_child,
    sqlite_database,
    tortoise_process,
)
from bench.server import GraphQLClient, running_server
from bench.sqlfloor import graphql_answer
from bench.stats import Samples
from bench.tablets import run_tablets
from fixtures.accounts import DEMO_PASSWORD

console = Console()

NOTES = [
    "Client, server and database share the machine's CPUs; figures are single-client latency, "
    "not throughput. Other work on the machine (see the load average) shows mostly in p95.",
    "The uvicorn server logs at warning level (no access log), so the figures exclude logging.",
    f"Every request is signed in (a bearer token from `login`, made before timing): occupancy as "
    f"`{COORDINATOR}` (sees every shelter), the writes as `{BENCH_STAFF}`, shelter staff in every "
    "shelter, made by the bench's setup. The figures include checking the token and the "
    "audit rows written.",
]


#: Counts of a full run, and of ``--quick``; an option given on the command line wins.
FULL = {
    "occupancy_requests": 300,
    "occupancy_warmup": 30,
    "checkins": 150,
    "checkin_warmup": 10,
    "residents": 50,
    "national_requests": 200,
    "national_warmup": 20,
    "tablet_seconds": 30.0,
}
QUICK = {
    "occupancy_requests": 50,
    "occupancy_warmup": 5,
    "checkins": 30,
    "checkin_warmup": 5,
    "residents": 15,
    "national_requests": 30,
    "national_warmup": 5,
    "tablet_seconds": 8.0,
}


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--databases",
        default="sqlite,postgres",
        help="comma-separated: sqlite, postgres (default both)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("HAVEN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a PostgreSQL server to create the bench database on "
        "(HAVEN_BENCH_POSTGRES_URL; default %(default)s)",
    )
    parser.add_argument(
        "--scale",
        choices=("national", "demo", "all"),
        default="all",
        help="demo: the demo-network suite on each database; national: statement counts, the "
        "national-scale PostgreSQL latencies and the 50-tablet runs; all (default): both",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller counts and shorter tablet runs, for trying"
    )
    parser.add_argument("--occupancy-requests", type=int)
    parser.add_argument("--occupancy-warmup", type=int)
    parser.add_argument("--checkins", type=int)
    parser.add_argument("--checkin-warmup", type=int)
    parser.add_argument(
        "--residents", type=int, help="residents registered and checked in per round"
    )
    parser.add_argument(
        "--national-requests", type=int, help="timed requests per national-scale operation"
    )
    parser.add_argument("--national-warmup", type=int)
    parser.add_argument("--tablets", type=int, default=50, help="concurrent tablets")
    parser.add_argument(
        "--tablet-workers", default="1,2", help="uvicorn worker counts to run the tablets with"
    )
    parser.add_argument("--tablet-seconds", type=float, help="measured seconds per tablet run")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="RESULTS_JSON",
        help="results.json of a run on an earlier revision: RESULTS.md then "
        "compares occupancy and checkIn with it",
    )
    options = parser.parse_args(argv)
    defaults = QUICK if options.quick else FULL
    for name, value in defaults.items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    options.tablet_workers = [int(n) for n in options.tablet_workers.split(",") if n.strip()]
    options.databases = [name.strip() for name in options.databases.split(",") if name.strip()]
    unknown = set(options.databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    if options.occupancy_requests < 1 or options.checkins < 1 or options.residents < 1:
        parser.error("counts must be at least 1")
    return options


@contextmanager
def _bar(progress: Progress, description: str, total: int) -> Iterator[Callable[[], None]]:
    task = progress.add_task(description, total=total)
    try:
        yield lambda: progress.advance(task)
    finally:
        progress.update(task, completed=progress.tasks[task].total)


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def _check_same(graphql: dict[str, Any], sql: dict[str, Any]) -> None:
    if graphql != sql:
        raise AssertionError(
            f"GraphQL and SQL floor disagree:\nGraphQL {graphql['total']}\nSQL     {sql['total']}"
        )


def _run_database(name: str, options: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    """Create, fill, serve and measure one database; everything is torn down on the way out."""
    database = sqlite_database() if name == "sqlite" else postgres_database(options.postgres_url)
    data_key = new_data_key()
    started = time.monotonic()
    with database as (url, workdir), tortoise_process() as child:
        progress.console.print(f"[bold]{name}[/bold]: migrating and loading demo data…")
        demo = child.submit(prepare_in_child, url, data_key).result(timeout=120)
        log_path = workdir / "server.log"
        progress.console.print(f"[bold]{name}[/bold]: starting uvicorn on 127.0.0.1…")
        with (
            running_server(url, log_path, data_key) as base_url,
            GraphQLClient(base_url) as client,
            GraphQLClient(base_url) as staff,
        ):
            client.sign_in(COORDINATOR, DEMO_PASSWORD)
            staff.sign_in(BENCH_STAFF, BENCH_STAFF_PASSWORD)
            setup_seconds = time.monotonic() - started
            measuring = time.monotonic()
            samples: dict[str, Samples] = {}
            n = options.occupancy_requests

            with _bar(progress, f"{name}: GET /healthz", n) as tick:
                samples["healthz"] = workloads.healthz(
                    client, warmup=options.occupancy_warmup, requests=n, tick=tick
                )
            with _bar(progress, f"{name}: occupancy (GraphQL)", n) as tick:
                samples["occupancy_graphql"], data = workloads.occupancy_graphql(
                    client, warmup=options.occupancy_warmup, requests=n, tick=tick
                )
            with _bar(progress, f"{name}: occupancy (SQL floor)", n) as tick:
                if name == "sqlite":
                    samples["occupancy_sql"], floor = workloads.occupancy_sql_sqlite(
                        url.removeprefix("sqlite://"),
                        warmup=options.occupancy_warmup,
                        requests=n,
                        tick=tick,
                    )
                else:
                    samples["occupancy_sql"], floor = asyncio.run(
                        workloads.occupancy_sql_postgres(
                            asyncpg_dsn(url), warmup=options.occupancy_warmup, requests=n, tick=tick
                        )
                    )
            _check_same(graphql_answer(data), floor)
            with _bar(progress, f"{name}: occupancy (ORM in process)", n):
                samples["occupancy_orm"] = child.submit(
                    workloads.occupancy_orm_in_child,
                    url,
                    data_key,
                    warmup=options.occupancy_warmup,
                    requests=n,
                ).result(timeout=120)

            with _bar(progress, f"{name}: residentRegister", options.residents) as tick:
                samples["residentRegister"], residents = workloads.register_residents(
                    staff, options.residents, tick=tick
                )
            with _bar(progress, f"{name}: checkIn", options.checkins) as tick:
                samples["checkIn"], samples["checkOut"] = workloads.check_ins(
                    staff,
                    residents,
                    warmup=options.checkin_warmup,
                    measured=options.checkins,
                    tick=tick,
                )
            measure_seconds = time.monotonic() - measuring
        audit = child.submit(workloads.audit_counts_in_child, url, data_key).result(timeout=60)

    m = {key: value.summary() for key, value in samples.items()}
    graphql, sql, orm = m["occupancy_graphql"], m["occupancy_sql"], m["occupancy_orm"]
    return {
        "status": "ok",
        "demo": demo,
        "occupancy_total": floor["total"],
        "setup_seconds": round(setup_seconds, 2),
        "measure_seconds": round(measure_seconds, 2),
        "audit_events": audit,
        "measurements": m,
        "ratios": {
            "graphql_over_sql_median": _ratio(graphql["median_ms"], sql["median_ms"]),
            "graphql_over_sql_p95": _ratio(graphql["p95_ms"], sql["p95_ms"]),
            "graphql_over_orm_median": _ratio(graphql["median_ms"], orm["median_ms"]),
            "graphql_over_orm_p95": _ratio(graphql["p95_ms"], orm["p95_ms"]),
            "orm_over_sql_median": _ratio(orm["median_ms"], sql["median_ms"]),
            "graphql_minus_healthz_median_ms": round(
                graphql["median_ms"] - m["healthz"]["median_ms"], 3
            ),
            "checkin_over_occupancy_median": _ratio(
                m["checkIn"]["median_ms"], graphql["median_ms"]
            ),
        },
    }


def _summary_table(results: dict[str, Any]) -> Table:
    table = Table(title="Haven benchmark (ms)")
    for column in ("database", "measurement", "n", "median", "p95"):
        table.add_column(column, justify="right" if column in ("n", "median", "p95") else "left")
    for db, entry in results["databases"].items():
        if entry.get("status") != "ok":
            table.add_row(db, f"[red]{entry.get('status')}[/red]", "", "", "")
            continue
        for key in report.MEASUREMENTS:
            s = entry["measurements"].get(key)
            if s:
                table.add_row(db, key, str(s["n"]), f"{s['median_ms']:.2f}", f"{s['p95_ms']:.2f}")
        r = entry["ratios"]
        table.add_row(
            db,
            "GraphQL ÷ SQL (median / p95)",
            "",
            f"{r['graphql_over_sql_median']}×",
            f"{r['graphql_over_sql_p95']}×",
        )
    return table


def _run_national(
    options: argparse.Namespace, pg_version: str | None, results: dict[str, Any], progress: Progress
) -> bool:
    """National-scale section and the tablet runs, into ``results``; True if something failed."""
    if pg_version is None:
        results["national"] = {"status": "skipped", "error": "PostgreSQL unreachable"}
        results["tablets"] = {}
        return False
    failed = False
    say = progress.console.print
    try:
        results["national"] = national.run_national(
            options.postgres_url,
            requests=options.national_requests,
            warmup=options.national_warmup,
            progress=say,
        )
    except Exception as error:  # noqa: BLE001 - recorded; the tablets still run
        failed = True
        say("[red]national scale failed:[/red]")
        say(traceback.format_exc(), markup=False, highlight=False)
        results["national"] = {"status": "failed", "error": str(error)[:300]}
    results["tablets"] = {}
    for workers in options.tablet_workers:
        say(f"[bold]tablets[/bold]: {options.tablets} tablets, {workers} worker(s)…")
        try:
            with tempfile.TemporaryDirectory(prefix="haven-tablets-") as log_dir:
                run = run_tablets(
                    options.postgres_url,
                    workers=workers,
                    tablets=options.tablets,
                    seconds=options.tablet_seconds,
                    warmup=2.0 if options.quick else 3.0,
                    log_dir=Path(log_dir),
                    progress=lambda message: say(f"  {message}"),
                )
            results["tablets"][str(workers)] = {
                "status": "ok",
                **run.as_dict(),
                "markdown": run.markdown(),
            }
        except Exception as error:  # noqa: BLE001 - recorded; the next run still happens
            failed = True
            say(f"[red]tablets with {workers} worker(s) failed:[/red]")
            say(traceback.format_exc(), markup=False, highlight=False)
            results["tablets"][str(workers)] = {"status": "failed", "error": str(error)[:300]}
    return failed


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the finally blocks: server stopped, database dropped


def main(argv: list[str] | None = None) -> int:
    options = _options(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    started = time.monotonic()
    pg_version = None
    national_scale = options.scale in ("national", "all")
    if "postgres" in options.databases or national_scale:
        try:
            pg_version = asyncio.run(postgres_version(options.postgres_url))
        except Exception as error:  # noqa: BLE001 - reported, the other database still runs
            console.print(f"[yellow]PostgreSQL unreachable ({error}); skipping it.[/yellow]")
    baseline = compare.baseline(options.baseline) if options.baseline else None
    results: dict[str, Any] = {
        "machine": report.machine(pg_version),
        "config": {
            "occupancy_requests": options.occupancy_requests,
            "occupancy_warmup": options.occupancy_warmup,
            "checkins": options.checkins,
            "checkin_warmup": options.checkin_warmup,
            "residents": options.residents,
            "scale": options.scale,
            "quick": options.quick,
            "national_requests": options.national_requests,
            "national_warmup": options.national_warmup,
            "tablets": options.tablets,
            "tablet_workers": options.tablet_workers,
            "tablet_seconds": options.tablet_seconds,
        },
        "databases": {},
        "notes": NOTES,
    }
    if baseline:
        results["baseline"] = baseline
    failed = False
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        for name in options.databases if options.scale in ("demo", "all") else ():
            key = "postgresql" if name == "postgres" else name
            if name == "postgres" and pg_version is None:
                results["databases"][key] = {"status": "skipped", "error": "server unreachable"}
                continue
            try:
                results["databases"][key] = _run_database(name, options, progress)
            except Exception as error:  # noqa: BLE001 - recorded; the other database still runs
                failed = True
                progress.console.print(f"[red]{name} failed:[/red]")
                progress.console.print(traceback.format_exc(), markup=False, highlight=False)
                results["databases"][key] = {"status": "failed", "error": str(error)[:300]}
        if national_scale:
            failed |= _run_national(options, pg_version, results, progress)
    results["targets"] = targets.evaluate(results)
    results["machine"]["load_average_at_end"] = report.load_average()
    results["total_seconds"] = round(time.monotonic() - started, 1)
    report.write(results)
    console.print(_summary_table(results))
    for line in targets.lines(results["targets"]):
        console.print(line, markup=False, highlight=False)
    console.print(
        f"Wrote {report.RESULTS_MD} and {report.RESULTS_JSON.name} in {results['total_seconds']} s."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
