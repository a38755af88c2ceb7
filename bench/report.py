"""The machine a run happened on, and bench/RESULTS.md + bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS_MD = HERE / "RESULTS.md"
RESULTS_JSON = HERE / "results.json"

#: Measurement key -> (what it is, how it was taken), in report order.
MEASUREMENTS = {
    "occupancy_graphql": "`occupancy` (all shelters) — GraphQL over HTTP",
    "occupancy_orm": "same reads through Tortoise, in process (6 queries, no HTTP/GraphQL)",
    "occupancy_sql": "hand-written SQL floor, 1 statement via the driver",
    "healthz": "`GET /healthz` — HTTP round-trip floor",
    "checkIn": "`checkIn` — GraphQL over HTTP",
    "checkOut": "`checkOut` — GraphQL over HTTP (freeing beds between rounds)",
    "residentRegister": "`residentRegister` — GraphQL over HTTP (setup)",
}
#: What ``--baseline`` compares with the earlier revision.
COMPARED = ("occupancy_graphql", "checkIn")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 0


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        return f"{head}{' (uncommitted changes)' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine(postgres_version: str | None) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": load_average(),
        "nproc": _nproc(),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version or "not available",
        "packages": {
            name: _version(name)
            for name in (
                "strawberry-graphql",
                "starlette",
                "uvicorn",
                "uvloop",
                "httptools",
                "tortoise-orm",
                "aiosqlite",
                "asyncpg",
                "httpx",
            )
        },
        "commit": _git_commit(),
    }


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def _delta(before: float, after: float) -> str:
    percent = f"{(after - before) / before * 100:+.0f} %" if before else "—"
    return f"{after - before:+.2f} ({percent})"


def _comparison(results: dict[str, Any]) -> list[str]:
    """The section comparing occupancy and checkIn with the ``--baseline`` run."""
    baseline = results["baseline"]
    before_machine = baseline["machine"]
    m = results["machine"]
    lines = [
        "",
        "## Cost of access checks and audit",
        "",
        f"The same measurements on the revision before accounts, access scopes and the audit "
        f"trail (commit {before_machine.get('commit', '?')}, its own `python -m bench`: no "
        f"sign-in, no audit rows) run on {before_machine.get('date', '?')}, right before this "
        f"run on the same machine and PostgreSQL server, with the same counts. One run each; "
        f"Δ is this revision minus the earlier one. Load average (1/5/15 min) at start / end: "
        f"before {before_machine.get('load_average_at_start', '?')} / "
        f"{before_machine.get('load_average_at_end', '?')}, after "
        f"{m['load_average_at_start']} / {m.get('load_average_at_end', '?')}.",
        "",
        "What the newer revision adds to each request: the bearer token looked up (with its "
        "account) and the account's shelters read, before the query runs; occupancy narrowed "
        "to the viewer's shelters (no filter for a coordinator); checkIn's resident and bed "
        "reads narrowed to the staff member's shelters, the shelter checked, and one audit row "
        "inserted in the transaction. With one run each, a difference smaller than the spread "
        "between runs (see the p95 and the load average; on a busy machine a few ms) says little.",
        "",
        "| database | measurement | median before | median after | Δ median ms (%) "
        "| p95 before | p95 after | Δ p95 ms (%) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {"occupancy_graphql": "`occupancy` (all shelters)", "checkIn": "`checkIn`"}
    for db, entry in results["databases"].items():
        earlier = baseline["databases"].get(db, {})
        if entry.get("status") != "ok" or earlier.get("status") != "ok":
            lines.append(
                f"| {db} | *not compared: before {earlier.get('status', 'not run')}, "
                f"after {entry.get('status')}* | | | | | | |"
            )
            continue
        for key in COMPARED:
            b = earlier["measurements"][key]
            a = entry["measurements"][key]
            lines.append(
                f"| {db} | {labels[key]} | {_ms(b['median_ms'])} | {_ms(a['median_ms'])} "
                f"| {_delta(b['median_ms'], a['median_ms'])} | {_ms(b['p95_ms'])} "
                f"| {_ms(a['p95_ms'])} | {_delta(b['p95_ms'], a['p95_ms'])} |"
            )
    return lines


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    config = results["config"]
    lines = [
        "# Haven benchmark results",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand."
        + (
            " **A `--quick` run**: fewer requests and 8 s tablet runs, so rougher figures than "
            "a full run's."
            if results.get("config", {}).get("quick")
            else ""
        ),
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| date (UTC) | {m['date']} |",
        f"| CPU | {m['cpu']} |",
        f"| nproc | {m['nproc']} |",
        f"| memory | {m['memory']} |",
        f"| load average (1/5/15 min) at start / end | {m['load_average_at_start']} / "
        f"{m.get('load_average_at_end', '?')} |",
        f"| OS | {m['os']} |",
        f"| Python | {m['python']} |",
        f"| SQLite | {m['sqlite']} |",
        f"| PostgreSQL | {m['postgresql']} |",
        f"| commit | {m['commit']} |",
        "| packages | " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + " |",
        "",
        "## Method",
        "",
        "Per database: a fresh database (SQLite file in a temporary directory; PostgreSQL "
        "`bench_<random>`, dropped afterwards), migrated, demo network loaded "
        "(`fixtures.demo.load_demo`) with one more account (shelter staff in every shelter), "
        "then one uvicorn process (`HAVEN_ENV=production`, 1 worker, "
        "uvloop/httptools) on 127.0.0.1, driven by httpx clients with keep-alive, one request "
        "at a time. Each client signs in first (`login`) and sends its bearer token: the "
        "coordinator's for occupancy, the bench staff account's for the writes. Times are "
        "client-side wall clock per request, in milliseconds.",
        "",
        f"- occupancy: {config['occupancy_warmup']} warm-up, then {config['occupancy_requests']} "
        "requests of the all-shelters query; the answer is checked against the SQL floor.",
        f"- SQL floor: one statement giving each shelter's capacity/occupied/held/out-of-service "
        f"(with region and shelter names), {config['occupancy_requests']} runs on one connection "
        "(sqlite3 / asyncpg, prepared), plus summing regions and total in Python.",
        f"- checkIn: {config['checkin_warmup']} warm-up, then {config['checkins']} check-ins of "
        f"{config['residents']} residents registered through `residentRegister` (at each shelter "
        "in turn), into beds from "
        "`availableBeds`; after each round all are checked out (`checkOut`) so the beds are free "
        "again. Only the mutation request is timed.",
        "",
        "## Results (demo network)",
        "",
        "| database | measurement | n | median ms | p95 ms | mean ms | min ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for db, entry in results["databases"].items():
        if entry.get("status") != "ok":
            lines.append(f"| {db} | *{entry.get('status')}: {entry.get('error', '')}* | | | | | |")
            continue
        for key, label in MEASUREMENTS.items():
            s = entry["measurements"].get(key)
            if s:
                lines.append(
                    f"| {db} | {label} | {s['n']} | {_ms(s['median_ms'])} | {_ms(s['p95_ms'])} "
                    f"| {_ms(s['mean_ms'])} | {_ms(s['min_ms'])} |"
                )
    lines += [
        "",
        "## Ratios (median / p95)",
        "",
        "| database | GraphQL ÷ SQL floor | GraphQL ÷ ORM in process | GraphQL − /healthz (ms) "
        "| checkIn ÷ occupancy |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for db, entry in results["databases"].items():
        if entry.get("status") != "ok":
            continue
        r = entry["ratios"]
        lines.append(
            f"| {db} | {_ratio(r['graphql_over_sql_median'])} / "
            f"{_ratio(r['graphql_over_sql_p95'])} "
            f"| {_ratio(r['graphql_over_orm_median'])} / {_ratio(r['graphql_over_orm_p95'])} "
            f"| {_ms(r['graphql_minus_healthz_median_ms'])} "
            f"| {_ratio(r['checkin_over_occupancy_median'])} |"
        )
    lines += ["", "## Data", ""]
    for db, entry in results["databases"].items():
        if entry.get("status") != "ok":
            continue
        demo = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in entry["demo"].items())
        total = entry["occupancy_total"]
        lines.append(
            f"- {db}: demo {demo}; occupancy now: capacity {total['capacity']}, occupied "
            f"{total['occupied']}, held {total['held']}, out of service {total['out_of_service']} "
            f"(GraphQL and SQL agree); setup {entry['setup_seconds']:.1f} s, "
            f"measuring {entry['measure_seconds']:.1f} s."
        )
        audit = entry.get("audit_events")
        if audit:
            lines.append(
                f"- {db}: audit rows at the end, by action: "
                + ", ".join(f"{action} {count}" for action, count in audit.items())
                + "."
            )
    if results.get("baseline"):
        lines += _comparison(results)
    if results.get("national"):
        from bench import national

        lines += national.markdown(results["national"])
    tablets = results.get("tablets") or {}
    if tablets:
        lines += [
            "",
            "## Concurrent tablets (bench.tablets)",
            "",
            "Each run on its own fresh PostgreSQL database with the demo network (not the "
            "national one): tablets loop availableBeds → checkIn → stockReceive (when their "
            "own receipts may not cover the next distribution) → stockDistribute → serviceLog → "
            "checkOut with no pause.",
        ]
        for workers, run in tablets.items():
            lines.append("")
            if run.get("status") == "ok":
                lines.append(run["markdown"])
            else:
                lines.append(f"### {workers} worker(s): *{run.get('status')}: {run.get('error')}*")
    if results.get("targets"):
        from bench import targets

        lines += targets.markdown(results["targets"])
    notes = results.get("notes") or []
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    lines.append("")
    return "\n".join(lines)


def write(results: dict[str, Any]) -> None:
    RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    RESULTS_MD.write_text(markdown(results))
