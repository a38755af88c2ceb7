"""The scale-data generator: counts, every invariant the database holds (asked in SQL), the
same rows for the same seed, about two thirds of the beds taken today, and a usable world."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from tortoise import Tortoise

from bench.generate import COORDINATOR, GeneratedSummary, generate, staff_username
from bench.generate_care import medic_username
from server.domain.accounts import viewer_for
from server.domain.occupancy import occupancy_at
from server.domain.stays import check_in
from server.models import (
    AppointmentStatus,
    AppointmentStatusChange,
    Bed,
    BedAssignment,
    BedOutage,
    Item,
    MedicalAppointment,
    MovementKind,
    Region,
    Resident,
    Role,
    Room,
    ServiceChange,
    ServiceKind,
    ServiceRecord,
    Shelter,
    ShelterKind,
    Stay,
    StockLevel,
    StockMovement,
    User,
)
from tests.conftest import empty_tables

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SMALL: dict[str, Any] = {
    "regions": 2,
    "shelters": 4,
    "beds": 60,
    "residents": 300,
    "stays": 450,
    "years": 2,
    "now": NOW,
    "stock_movements": 3000,
    "service_records": 2000,
}
ROOT = Path(__file__).resolve().parents[2]

#: Pairs of rows (``x``, ``y``) with ``started_at``/``ended_at`` (null while open) that overlap.
OVERLAP = (
    "(y.ended_at IS NULL OR x.started_at < y.ended_at) "
    "AND (x.ended_at IS NULL OR y.started_at < x.ended_at)"
)


@pytest.fixture
async def world(app: Starlette) -> GeneratedSummary:
    return await generate(**SMALL)


async def count(sql: str) -> int:
    rows = await Tortoise.get_connection("default").execute_query_dict(sql)
    return int(rows[0]["n"])


async def test_counts(world: GeneratedSummary) -> None:
    assert await Region.all().count() == world.regions == 2
    assert await Shelter.all().count() == world.shelters == 4
    assert await Room.all().count() == world.rooms
    assert await Bed.all().count() == world.beds == 60
    assert await Resident.all().count() == world.residents == 300
    assert await Stay.all().count() == world.stays == 450
    assert await BedAssignment.all().count() == world.bed_assignments > world.stays
    assert await BedOutage.all().count() == world.bed_outages > 0
    assert await Stay.filter(checked_out_at=None).count() == world.open_stays
    assert 0 < world.transfers < world.stays * 0.2
    kinds = set(await Shelter.all().values_list("kind", flat=True))
    assert kinds == {ShelterKind.WOMEN, ShelterKind.MEN, ShelterKind.FAMILIES, ShelterKind.MIXED}


async def test_accounts(world: GeneratedSummary) -> None:
    assert world.accounts == await User.all().count() == 9
    assert (await User.get(username=COORDINATOR)).role is Role.COORDINATOR
    for shelter_id in await Shelter.all().values_list("id", flat=True):
        staff = await User.get(username=staff_username(shelter_id))  # type: ignore[arg-type]
        assert staff.role is Role.SHELTER_STAFF
        assert await staff.shelters.all().values_list("id", flat=True) == [shelter_id]


async def test_service_records_are_logged_during_stays(world: GeneratedSummary) -> None:
    """Each record at a shelter the resident stayed in, while they stayed, fitting the
    database's rules (which would have refused it), with its logging row."""
    assert world.skipped == ()
    assert world.service_records == await ServiceRecord.all().count() == 2000
    assert await ServiceChange.all().count() == 2000
    assert len(set(await ServiceRecord.all().values_list("kind", flat=True))) == len(ServiceKind)
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM service_record r WHERE NOT EXISTS (SELECT 1 FROM stay s "
            "WHERE s.resident_id = r.resident_id AND s.shelter_id = r.shelter_id "
            "AND s.checked_in_at <= r.recorded_at "
            "AND (s.checked_out_at IS NULL OR r.recorded_at <= s.checked_out_at))"
        )
        == 0
    )
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM service_record r JOIN service_change c "
            "ON c.service_id = r.id AND c.change = 'logged' AND c.status = r.status "
            "AND c.at = r.recorded_at"
        )
        == 2000
    )
    closed = (
        "SELECT COUNT(*) AS n FROM service_record r JOIN stay s ON s.resident_id = r.resident_id "
        "AND s.shelter_id = r.shelter_id AND s.checked_in_at <= r.recorded_at "
        "AND r.recorded_at <= s.checked_out_at WHERE r.status IN ('planned', 'in_progress') "
        "AND NOT EXISTS (SELECT 1 FROM stay o WHERE o.resident_id = r.resident_id "
        "AND o.shelter_id = r.shelter_id AND o.checked_out_at IS NULL)"
    )
    assert await count(closed) == 0


async def test_appointments_make_each_shelters_days(world: GeneratedSummary) -> None:
    """Each shelter's medic sees residents staying there now, in future slots, nobody twice at
    once, each booking the first row of its history."""
    appointments = await MedicalAppointment.all()
    assert len(appointments) == world.appointments > 4 * 14 * 5
    assert {a.shelter_id for a in appointments} == set(
        await Shelter.all().values_list("id", flat=True)
    )
    for a in appointments:
        medic = await User.get(id=a.provider_id)
        assert medic.username == medic_username(a.shelter_id) and medic.role is Role.MEDICAL
        assert a.status is AppointmentStatus.SCHEDULED and a.starts_at > NOW > a.booked_at
        assert await Stay.exists(
            resident_id=a.resident_id, shelter_id=a.shelter_id, checked_out_at=None
        )
    for a, b in (("provider_id", "provider_id"), ("resident_id", "resident_id")):
        clash = (
            f"SELECT COUNT(*) AS n FROM medical_appointment x JOIN medical_appointment y "
            f"ON x.{a} = y.{b} AND x.id < y.id "
            "AND x.starts_at < y.ends_at AND y.starts_at < x.ends_at"
        )
        assert await count(clash) == 0
    history = await AppointmentStatusChange.all()
    assert len(history) == len(appointments)
    assert {(h.appointment_id, h.status, h.changed_at) for h in history} == {
        (a.id, AppointmentStatus.SCHEDULED, a.booked_at) for a in appointments
    }


async def test_stock_counts(world: GeneratedSummary) -> None:
    assert world.stock_movements == await StockMovement.all().count() == 3000
    assert world.items == await Item.all().count() > 20
    assert world.stock_levels == await StockLevel.all().count() == world.items * 4
    kinds = set(await StockMovement.all().values_list("kind", flat=True))
    assert kinds == set(MovementKind)
    assert await StockMovement.filter(kind=MovementKind.DISTRIBUTION).count() > 1500


async def test_stock_equals_its_ledger(world: GeneratedSummary) -> None:
    """Every level's on_hand and received_total are its ledger's sums, and never negative."""
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM stock_level l WHERE l.on_hand < 0 OR l.on_hand <> "
            "(SELECT COALESCE(SUM(delta), 0) FROM stock_movement m WHERE m.level_id = l.id) "
            "OR l.received_total <> (SELECT COALESCE(SUM(CASE WHEN delta > 0 THEN delta "
            "ELSE 0 END), 0) FROM stock_movement m WHERE m.level_id = l.id)"
        )
        == 0
    )


async def test_stock_movements_carry_running_sums(world: GeneratedSummary) -> None:
    """on_hand_after and received_through are the running sums in id order, never below zero."""
    running = (
        "SELECT COUNT(*) AS n FROM stock_movement m WHERE m.on_hand_after < 0 "
        "OR m.on_hand_after <> (SELECT SUM(delta) FROM stock_movement p "
        "WHERE p.level_id = m.level_id AND p.id <= m.id) "
        "OR m.received_through <> (SELECT SUM(CASE WHEN delta > 0 THEN delta ELSE 0 END) "
        "FROM stock_movement p WHERE p.level_id = m.level_id AND p.id <= m.id)"
    )
    assert await count(running) == 0
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM stock_movement m JOIN stock_movement p "
            "ON p.level_id = m.level_id AND p.id < m.id WHERE p.at > m.at"
        )
        == 0
    )


async def test_distributions_go_to_residents_staying_there(world: GeneratedSummary) -> None:
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM stock_movement m JOIN stock_level l ON l.id = m.level_id "
            "WHERE m.kind = 'distribution' AND NOT EXISTS (SELECT 1 FROM stay s "
            "WHERE s.resident_id = m.resident_id AND s.shelter_id = l.shelter_id "
            "AND s.checked_in_at <= m.at "
            "AND (s.checked_out_at IS NULL OR m.at <= s.checked_out_at))"
        )
        == 0
    )
    transfers = (
        "SELECT COUNT(*) AS n FROM stock_movement i "
        "JOIN stock_movement o ON o.id = i.transfer_of_id "
        "JOIN stock_level li ON li.id = i.level_id JOIN stock_level lo ON lo.id = o.level_id "
        "WHERE o.kind = 'transfer_out' AND i.delta = -o.delta AND li.item_id = lo.item_id "
        "AND li.shelter_id <> lo.shelter_id"
    )
    assert await count(transfers) == await StockMovement.filter(kind="transfer_in").count() > 0


async def test_no_bed_is_used_twice_at_once_nor_while_out_of_service(
    world: GeneratedSummary,
) -> None:
    for a, b in (
        ("bed_assignment", "bed_assignment"),
        ("bed_outage", "bed_outage"),
        ("bed_assignment", "bed_outage"),
    ):
        other = "AND x.id < y.id" if a == b else ""
        sql = f"SELECT COUNT(*) AS n FROM {a} x JOIN {b} y ON x.bed_id = y.bed_id {other}"
        assert await count(f"{sql} AND {OVERLAP}") == 0, (a, b)
    for table in ("bed_assignment", "bed_outage"):
        assert (
            await count(
                f"SELECT COUNT(*) AS n FROM {table} x JOIN bed ON bed.id = x.bed_id "
                "WHERE x.started_at < bed.created_at OR x.ended_at <= x.started_at "
                f"OR x.started_at > '{NOW.isoformat(' ')}'"
            )
            == 0
        )
    assert await BedOutage.filter(ended_at=None).count() >= 1


async def test_stays_of_a_resident_do_not_overlap(world: GeneratedSummary) -> None:
    stay_overlap = OVERLAP.replace("started_at", "checked_in_at").replace(
        "ended_at", "checked_out_at"
    )
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM stay x JOIN stay y "
            f"ON x.resident_id = y.resident_id AND x.id < y.id AND {stay_overlap}"
        )
        == 0
    )
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM (SELECT resident_id FROM stay WHERE checked_out_at IS NULL "
            "GROUP BY resident_id HAVING COUNT(*) > 1) twice"
        )
        == 0
    )
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM stay WHERE checked_out_at <= checked_in_at "
            "OR (checked_out_at IS NULL) <> (exit_destination IS NULL)"
        )
        == 0
    )


async def test_assignments_cover_each_stay_in_its_shelter(world: GeneratedSummary) -> None:
    assert (
        await count(
            "SELECT COUNT(*) AS n FROM bed_assignment a JOIN stay s ON s.id = a.stay_id "
            "JOIN bed ON bed.id = a.bed_id JOIN room ON room.id = bed.room_id "
            "WHERE room.shelter_id <> s.shelter_id OR a.started_at < s.checked_in_at "
            "OR (s.checked_out_at IS NOT NULL "
            "AND (a.ended_at IS NULL OR a.ended_at > s.checked_out_at))"
        )
        == 0
    )
    stays = {stay.id: stay for stay in await Stay.all()}
    beds: dict[int, list[BedAssignment]] = {stay_id: [] for stay_id in stays}
    for assignment in await BedAssignment.all().order_by("started_at"):
        beds[assignment.stay_id].append(assignment)
    for stay_id, assignments in beds.items():
        stay = stays[stay_id]
        assert assignments[0].started_at == stay.checked_in_at
        assert assignments[-1].ended_at == stay.checked_out_at
        for earlier, later in pairwise(assignments):  # a transfer: one ends as the next begins
            assert earlier.ended_at == later.started_at
            assert earlier.bed_id != later.bed_id


async def test_residents_registered_where_they_first_stayed(world: GeneratedSummary) -> None:
    first: dict[int, Stay] = {}
    for stay in await Stay.all().order_by("checked_in_at", "id"):
        first.setdefault(stay.resident_id, stay)
    residents = await Resident.all()
    assert len(first) == len(residents)
    for resident in residents:
        assert re.fullmatch(r"HV-\d{4}-\d{6}", resident.code)
        assert int(resident.code[-6:]) == resident.id  # as register_resident numbers them
        assert resident.intake_shelter_id == first[resident.id].shelter_id
        assert (
            resident.created_at == resident.consent_recorded_at == first[resident.id].checked_in_at
        )
    hidden = sum(resident.do_not_disclose_presence for resident in residents)
    assert hidden == world.hidden_residents
    assert 1 <= hidden <= 0.1 * len(residents)
    kinds = dict(await Shelter.all().values_list("id", "kind"))
    for stay in await Stay.all().prefetch_related("resident"):
        if kinds[stay.shelter_id] is ShelterKind.WOMEN:
            assert stay.resident.sex.value == "female"
        if kinds[stay.shelter_id] is ShelterKind.MEN:
            assert stay.resident.sex.value == "male"


async def test_about_two_thirds_of_the_beds_are_taken_today(world: GeneratedSummary) -> None:
    counts = await occupancy_at(NOW)
    occupied = sum(figures.occupied for figures in counts.values())
    capacity = sum(figures.capacity for figures in counts.values())
    assert capacity == world.beds
    assert occupied == world.open_stays == await BedAssignment.filter(ended_at=None).count()
    assert 0.55 <= occupied / capacity <= 0.75
    assert all(figures.occupied < figures.capacity for figures in counts.values())


async def snapshot() -> list[Any]:
    return [
        await Resident.all().order_by("id").values_list("id", "code", "given_name", "birth_date"),
        await Stay.all()
        .order_by("id")
        .values_list("resident_id", "shelter_id", "checked_in_at", "checked_out_at"),
        await BedAssignment.all().order_by("id").values_list("stay_id", "bed_id", "started_at"),
        await BedOutage.all().order_by("id").values_list("bed_id", "started_at", "ended_at"),
        await Shelter.all().order_by("id").values_list("name", "address"),
        await StockMovement.all()
        .order_by("id")
        .values_list("level_id", "kind", "delta", "at", "resident_id"),
    ]


async def test_same_seed_and_now_make_the_same_rows(world: GeneratedSummary) -> None:
    first = await snapshot()
    await empty_tables()
    again = await generate(**SMALL)
    assert await snapshot() == first
    assert again.seconds.keys() == world.seconds.keys()
    await empty_tables()
    await generate(**SMALL | {"seed": 8})
    assert await snapshot() != first


async def test_refuses_a_database_with_data(world: GeneratedSummary) -> None:
    with pytest.raises(RuntimeError, match="empty database"):
        await generate(**SMALL)


async def test_the_world_takes_new_check_ins(world: GeneratedSummary) -> None:
    """Ids go on after the generated ones, and the domain's own rules accept the history."""
    shelter_id = (await Shelter.all().order_by("id").first()).id  # type: ignore[union-attr]
    in_care = await Stay.filter(checked_out_at=None).values_list("resident_id", flat=True)
    resident_id = (
        await Stay.filter(shelter_id=shelter_id)
        .exclude(resident_id__in=in_care)
        .order_by("id")
        .values_list("resident_id", flat=True)
    )[0]
    taken = BedAssignment.filter(ended_at=None).values_list("bed_id", flat=True)
    out = BedOutage.filter(ended_at=None).values_list("bed_id", flat=True)
    bed = (
        await Bed.filter(room__shelter_id=shelter_id)
        .exclude(id__in=await taken)
        .exclude(id__in=await out)
        .order_by("id")
        .first()
    )
    assert bed is not None
    viewer = await viewer_for(await User.get(username=staff_username(shelter_id)))
    stay = await check_in(viewer, resident_id, bed.id)  # type: ignore[arg-type]
    assert stay.id > world.stays
    region = await Region.create(code="NEW", name="A region made after generating")
    assert region.id > world.regions


def test_command_line(tmp_path: Path) -> None:
    """``python -m bench.generate`` migrates a new database, fills it and says what it skipped."""
    path = tmp_path / "cli.sqlite3"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.generate",
            f"--database-url=sqlite://{path}",
            "--regions=1",
            "--shelters=2",
            "--beds=12",
            "--residents=20",
            "--stays=30",
            "--years=1",
            "--now=2026-03-01T12:00:00+00:00",
            "--stock-movements=200",
            "--service-records=100",
            "--appointment-days=2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "skipped" not in done.stdout
    assert "stock movements" not in done.stdout
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM stay").fetchone() == (30,)
        assert connection.execute("SELECT COUNT(*) FROM account").fetchone() == (5,)
        assert connection.execute("SELECT COUNT(*) FROM stock_movement").fetchone() == (200,)
        assert connection.execute("SELECT COUNT(*) FROM service_record").fetchone() == (100,)
        assert connection.execute("SELECT COUNT(*) FROM medical_appointment").fetchone()[0] > 0
