"""The tablets benchmark: how answers are classified and counted, how the pools are sized, and
(on PostgreSQL, HAVEN_TEST_DATABASE_URL) a short run end to end and a consistency check that
does see a double booking."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.databases import asyncpg_dsn, new_data_key, tortoise_process
from bench.tablets import (
    Outcome,
    Recorder,
    classify,
    consistency,
    fresh_database,
    pool_size_for,
    prepare_in_child,
    run_tablets,
)
from server.database import is_postgres

#: After every row: the bench's own stays are none here.
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
POSTGRES = os.environ.get("HAVEN_TEST_DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(
    not is_postgres(POSTGRES), reason="needs PostgreSQL (HAVEN_TEST_DATABASE_URL)"
)


def _answer(errors: list[dict[str, object]]) -> dict[str, object]:
    return {"data": {"checkIn": {"stay": None if errors else {"id": "S1"}, "errors": errors}}}


def test_answers_are_ok_expected_refusals_or_errors() -> None:
    assert classify(200, _answer([]), "checkIn").ok
    taken = classify(200, _answer([{"code": "BED_OCCUPIED"}]), "checkIn")
    assert (taken.kind, taken.code) == ("refused", "BED_OCCUPIED")
    assert classify(200, _answer([{"code": "RESIDENT_ALREADY_IN_SHELTER"}]), "checkIn").kind == (
        "refused"
    )
    # A refusal no tablet should meet is an error, as are 5xx and top-level GraphQL errors.
    assert classify(200, _answer([{"code": "FORBIDDEN"}]), "checkIn").code == "refused FORBIDDEN"
    assert classify(502, None, "checkIn").code == "HTTP 502"
    masked = classify(200, {"data": None, "errors": [{"message": "Unexpected error."}]}, "checkIn")
    assert masked.kind == "error" and masked.code.startswith("GraphQL error")
    assert classify(200, {"data": {}}, "checkIn").code == "no payload"


def test_only_requests_started_in_the_window_are_counted() -> None:
    recorder = Recorder(window_start=10.0, window_end=20.0)
    recorder.add("checkIn", 9.0, 1_000_000, Outcome("ok"))  # warm-up
    recorder.add("checkIn", 10.0, 2_000_000, Outcome("ok"))
    recorder.add("checkIn", 15.0, 4_000_000, Outcome("refused", code="BED_OCCUPIED"))
    recorder.add("checkIn", 16.0, None, Outcome("error", code="timeout"))
    recorder.add("checkIn", 20.0, 1_000_000, Outcome("ok"))  # the loop finished after time
    summary = recorder.operation("checkIn").summary(seconds=10.0)
    assert summary["ok"] == 1 and summary["answered"] == 2
    assert summary["throughput_per_s"] == 0.1
    assert summary["median_ms"] == 3.0
    assert summary["refusals_by_code"] == {"BED_OCCUPIED": 1}
    assert summary["errors_by_kind"] == {"timeout": 1}
    assert summary["whole_run"] == {"ok": 3, "refused": 1, "errors": 1}


def test_pools_fit_the_servers_connections() -> None:
    budget = {"max_connections": 100, "in_use": 5}
    assert pool_size_for(1, 50, budget) == 50  # no more than there are tablets
    assert pool_size_for(2, 50, budget) == 40  # 80 in all
    assert pool_size_for(4, 50, {"max_connections": 100, "in_use": 50}) == 10
    with pytest.raises(Exception, match="connections to spare"):
        pool_size_for(2, 50, {"max_connections": 20, "in_use": 15})


@pytest.mark.postgres
@needs_postgres
def test_a_short_run_on_two_workers(tmp_path: Path) -> None:
    results = run_tablets(POSTGRES, workers=2, tablets=6, seconds=2.0, warmup=0.5, log_dir=tmp_path)
    assert results.errors == 0, results.error_samples
    assert results.consistent, results.consistency
    assert results.operations["checkIn"]["ok"] > 0
    assert results.operations["checkOut"]["ok"] > 0
    assert results.consistency["stays_made"] == results.client_checked_in > 0
    assert results.server_log["problems"] == 0, results.server_log["first"]
    assert results.operations["stockDistribute"]["ok"] > 0
    assert results.consistency["stock_distributions_made"] == results.client_distributed > 0
    assert results.consistency["stock_receipts_made"] == results.client_received > 0
    assert results.operations["serviceLog"]["ok"] > 0
    assert results.consistency["services_logged"] == results.client_logged > 0
    assert results.pending_steps == {}
    assert "| checkIn |" in results.markdown()


@pytest.mark.postgres
@needs_postgres
def test_the_check_sees_two_stays_in_one_bed_at_once() -> None:
    """Not vacuous: a stay slipped into an occupied bed's interval (which no unique index
    refuses, being closed) is found."""

    async def double_book(url: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            row = await connection.fetchrow(
                """SELECT a.bed_id, a.started_at, s.shelter_id, s.resident_id
                   FROM bed_assignment a JOIN stay s ON s.id = a.stay_id
                   WHERE a.ended_at IS NULL ORDER BY a.id LIMIT 1"""
            )
            other = await connection.fetchval(
                "SELECT id FROM resident WHERE id <> $1 AND id NOT IN "
                "(SELECT resident_id FROM stay) ORDER BY id LIMIT 1",
                row["resident_id"],
            ) or await connection.fetchval(
                "SELECT id FROM resident WHERE id <> $1 ORDER BY id LIMIT 1", row["resident_id"]
            )
            start, end = (
                row["started_at"] + timedelta(minutes=1),
                row["started_at"] + timedelta(minutes=2),
            )
            stay = await connection.fetchval(
                """INSERT INTO stay (resident_id, shelter_id, checked_in_at, checked_out_at,
                   exit_destination) VALUES ($1, $2, $3, $4, 'other') RETURNING id""",
                other,
                row["shelter_id"],
                start,
                end,
            )
            await connection.execute(
                """INSERT INTO bed_assignment (stay_id, bed_id, started_at, ended_at)
                   VALUES ($1, $2, $3, $4)""",
                stay,
                row["bed_id"],
                start,
                end,
            )
        finally:
            await connection.close()

    data_key = new_data_key()
    with fresh_database(POSTGRES) as url:
        with tortoise_process() as child:
            child.submit(prepare_in_child, url, data_key, 1).result(timeout=120)
        before = asyncio.run(consistency(url, since=FAR_FUTURE))
        assert not any(before["violations"].values()), before["violations"]
        asyncio.run(double_book(url))
        after = asyncio.run(consistency(url, since=FAR_FUTURE))
    assert after["violations"]["overlapping_assignments_on_a_bed"] >= 1


@pytest.mark.postgres
@needs_postgres
def test_the_check_sees_stock_that_is_not_its_ledger() -> None:
    """Not vacuous: a movement slipped into the ledger without its level (the database accepts
    it: only the domain keeps the level) is found, twice."""

    async def slip_in(url: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            level = await connection.fetchrow(
                "SELECT id, on_hand, received_total FROM stock_level ORDER BY id LIMIT 1"
            )
            await connection.execute(
                """INSERT INTO stock_movement (level_id, kind, delta, on_hand_after,
                   received_through, at, recorded_at, donor, note)
                   VALUES ($1, 'receipt', 5, $2, $3, now(), now(), 'x', '')""",
                level["id"],
                level["on_hand"] + 4,
                level["received_total"] + 5,
            )
        finally:
            await connection.close()

    data_key = new_data_key()
    with fresh_database(POSTGRES) as url:
        with tortoise_process() as child:
            child.submit(prepare_in_child, url, data_key, 1).result(timeout=120)
        before = asyncio.run(consistency(url, since=FAR_FUTURE))
        assert not any(before["violations"].values()), before["violations"]
        asyncio.run(slip_in(url))
        after = asyncio.run(consistency(url, since=FAR_FUTURE))
    assert after["violations"]["stock_levels_unequal_to_their_ledger"] == 1
    assert after["violations"]["stock_movements_off_their_running_sums"] == 1
