"""The demo network loads into a fresh database, holds every bed and stay invariant, and repeats."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tortoise import Tortoise

from fixtures.demo import DemoSummary, database_is_empty, load_demo
from server.database import migrate_database, tortoise_config
from server.domain.access import Viewer
from server.domain.meals import dietary_needs
from server.domain.stock_lists import expiring_stock, low_stock
from server.encryption import Keyring, install
from server.models import (
    AppointmentStatus,
    AppointmentStatusChange,
    Bed,
    BedAssignment,
    BedOutage,
    CounsellingParticipant,
    CounsellingSession,
    CourtHearing,
    Item,
    ItemCategory,
    MealRecord,
    MedicalAppointment,
    MedicalVisit,
    MovementKind,
    Region,
    Resident,
    Season,
    ServiceChange,
    ServiceKind,
    ServiceRecord,
    SessionFormat,
    SessionKind,
    SessionStatus,
    Shelter,
    ShelterKind,
    Stay,
    StockMovement,
    User,
)
from server.settings import Settings
from tests.conftest import DATA_KEY
from tests.server.stock_network import assert_ledger_sums

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CODE = re.compile(r"HV-\d{4}-\d{6}")


async def open_fresh_database(path: Path) -> None:
    settings = Settings(database_url=f"sqlite://{path}")
    await migrate_database(settings)
    install(Keyring([DATA_KEY.encode()]))  # the demo writes encrypted visits and notes
    await Tortoise.init(config=tortoise_config(settings))


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[None]:
    await open_fresh_database(tmp_path / "demo.sqlite3")
    try:
        yield
    finally:
        await Tortoise.close_connections()


@pytest.fixture
async def demo(database: None) -> DemoSummary:
    return await load_demo(now=NOW, seed=2026)


async def test_database_is_empty_until_the_demo_is_loaded(database: None) -> None:
    assert await database_is_empty()
    await load_demo(now=NOW)
    assert not await database_is_empty()


async def test_counts_match_the_network(demo: DemoSummary) -> None:
    assert await Region.all().count() == demo.regions == 8
    assert await Shelter.all().count() == demo.shelters == 12
    assert 230 <= await Bed.all().count() == demo.beds <= 270
    assert 140 <= await Resident.all().count() == demo.residents <= 160
    assert await Stay.all().count() == demo.stays > demo.residents
    assert await Stay.filter(checked_out_at=None).count() == demo.active_stays
    assert {shelter.kind for shelter in await Shelter.all()} == set(ShelterKind)


async def test_beds_have_features(demo: DemoSummary) -> None:
    beds = await Bed.all().prefetch_related("room__shelter")
    assert 3 <= sum(bed.accessible for bed in beds) <= 30
    assert 0.35 <= sum(bed.lower_bunk for bed in beds) / len(beds) <= 0.6
    cribs = {bed.room.shelter.kind for bed in beds if bed.crib}
    assert cribs == {ShelterKind.FAMILIES, ShelterKind.CHILDREN}
    rooms = Counter(bed.room for bed in beds)
    assert all(2 <= count <= 6 for count in rooms.values())
    assert all(3 <= n <= 8 for n in Counter(room.shelter for room in rooms).values())


async def test_about_sixty_percent_of_beds_in_service_are_occupied(demo: DemoSummary) -> None:
    out_of_service = await BedOutage.filter(ended_at=None).count()
    occupied = await BedAssignment.filter(ended_at=None).count()
    assert 3 <= out_of_service <= 5
    assert occupied == demo.active_stays
    assert 0.55 <= occupied / (demo.beds - out_of_service) <= 0.72


async def test_no_bed_is_used_twice_at_once_nor_while_out_of_service(demo: DemoSummary) -> None:
    busy: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for bed_id, started, ended in await BedAssignment.all().values_list(
        "bed_id", "started_at", "ended_at"
    ):
        busy[bed_id].append((started, ended))
    for bed_id, started, ended in await BedOutage.all().values_list(
        "bed_id", "started_at", "ended_at"
    ):
        busy[bed_id].append((started, ended))
    for intervals in busy.values():
        intervals.sort(key=lambda interval: interval[0])
        for (_, earlier_end), (later_start, _) in pairwise(intervals):
            assert earlier_end is not None and earlier_end <= later_start


async def test_stays_of_a_resident_do_not_overlap(demo: DemoSummary) -> None:
    stays: dict[int, list[Stay]] = defaultdict(list)
    for stay in await Stay.all().order_by("checked_in_at"):
        assert stay.checked_in_at <= NOW
        assert stay.checked_out_at is None or stay.checked_in_at < stay.checked_out_at <= NOW
        assert (stay.checked_out_at is None) == (stay.exit_destination is None)
        stays[stay.resident_id].append(stay)  # type: ignore[attr-defined]
    assert len(stays) == demo.residents
    for resident_stays in stays.values():
        assert 1 <= len(resident_stays) <= 2
        for earlier, later in pairwise(resident_stays):
            assert earlier.checked_out_at is not None
            assert earlier.checked_out_at <= later.checked_in_at


async def test_assignments_cover_each_stay_in_its_own_shelter(demo: DemoSummary) -> None:
    rows = await BedAssignment.all().values_list(
        "stay_id", "started_at", "ended_at", "bed__room__shelter_id"
    )
    assignments: dict[int, list[tuple[datetime, datetime | None, int]]] = defaultdict(list)
    for stay_id, started, ended, shelter_id in rows:
        assignments[stay_id].append((started, ended, shelter_id))
    transferred = 0
    for stay in await Stay.all():
        chain = sorted(assignments[stay.id], key=lambda row: row[0])
        assert {shelter_id for _, _, shelter_id in chain} == {stay.shelter_id}  # type: ignore[attr-defined]
        assert chain[0][0] == stay.checked_in_at
        assert chain[-1][1] == stay.checked_out_at
        for (_, ended, _), (started, _, _) in pairwise(chain):
            assert ended == started
        transferred += len(chain) > 1
    assert transferred >= 5


async def test_residents_fit_their_shelters_and_are_mostly_uzbek(demo: DemoSummary) -> None:
    residents = {resident.id: resident for resident in await Resident.all()}
    nationalities = Counter(resident.nationality for resident in residents.values())
    assert nationalities.most_common(1)[0][0] == "UZ"
    assert nationalities["UZ"] > 0.45 * len(residents)
    assert set(nationalities) == {"UZ", "KZ", "KG", "TJ", "RU"}
    for stay in await Stay.all().prefetch_related("shelter"):
        resident = residents[stay.resident_id]  # type: ignore[attr-defined]
        assert resident.birth_date is not None
        if stay.shelter.kind is ShelterKind.WOMEN:
            assert resident.sex == "female"
        if stay.shelter.kind is ShelterKind.MEN:
            assert resident.sex == "male"
        child = resident.birth_date > date(NOW.year - 18, NOW.month, NOW.day)
        assert child == (stay.shelter.kind is ShelterKind.CHILDREN)
    for resident in residents.values():
        assert CODE.fullmatch(resident.code)
        assert resident.consent_data_processing
        assert resident.preferred_language in resident.languages
        assert resident.exploitation_types
    assert 1 <= sum(r.do_not_disclose_presence for r in residents.values()) <= 15


async def test_the_same_seed_gives_the_same_people(tmp_path: Path) -> None:
    people = []
    for name in ("first.sqlite3", "second.sqlite3"):
        await open_fresh_database(tmp_path / name)
        try:
            await load_demo(now=NOW, seed=7)
            residents = Resident.all().order_by("code")
            people.append(await residents.values_list("code", "given_name", "family_name"))
            people.append(await ServiceRecord.all().order_by("id").values_list())
            people.append(await MealRecord.all().order_by("id").values_list())
        finally:
            await Tortoise.close_connections()
    assert people[:3] == people[3:]
    assert len(people[0]) >= 140 and len(people[1]) >= 300 and len(people[2]) >= 1000


# --- care: appointments and counselling sessions -------------------------------------------------

ALMATY_ZONE = ZoneInfo("Asia/Almaty")


async def test_appointments_past_and_upcoming_by_the_demo_medics(demo: DemoSummary) -> None:
    # given the demo loaded at NOW (17:00 in Almaty)
    today = NOW.astimezone(ALMATY_ZONE).date()
    appointments = await MedicalAppointment.all()
    medics = {u.id: u.username for u in await User.filter(username__startswith="medic.")}
    active = {s.resident_id: s for s in await Stay.filter(checked_out_at=None)}  # type: ignore[attr-defined]

    # then both medics have appointments, each for a resident staying in the medic's shelter
    assert 40 <= len(appointments) <= 120
    assert {medics[a.provider_id] for a in appointments} == {"medic.almaty", "medic.shymkent"}  # type: ignore[attr-defined]
    for row in appointments:
        assert active[row.resident_id].shelter_id == row.shelter_id  # type: ignore[attr-defined]
        works_in = await (await User.get(id=row.provider_id)).shelters.all()  # type: ignore[attr-defined]
        assert row.shelter_id in {shelter.id for shelter in works_in}  # type: ignore[attr-defined]
        assert row.ends_at - row.starts_at == timedelta(minutes=30)
    # past ones done (completed with a visit each, some no-shows and cancellations)
    past = [a for a in appointments if a.starts_at < NOW]
    statuses = Counter(a.status for a in past)
    assert statuses[AppointmentStatus.COMPLETED] >= 15
    assert statuses[AppointmentStatus.NO_SHOW] >= 1 and statuses[AppointmentStatus.CANCELLED] >= 1
    visits = {v.appointment_id for v in await MedicalVisit.all()}  # type: ignore[attr-defined]
    assert visits == {a.id for a in appointments if a.status is AppointmentStatus.COMPLETED}
    # upcoming ones scheduled, today's list included
    ahead = [a for a in appointments if a.starts_at > NOW]
    assert ahead and all(a.status is not AppointmentStatus.COMPLETED for a in ahead)
    days = {a.starts_at.astimezone(ALMATY_ZONE).date() for a in ahead}
    assert len(days) >= 4 and max(days) <= today + timedelta(days=6)
    todays = [a for a in appointments if a.starts_at.astimezone(ALMATY_ZONE).date() == today]
    assert any(a.status is AppointmentStatus.SCHEDULED for a in todays)


async def test_every_appointment_has_its_history(demo: DemoSummary) -> None:
    changes: dict[int, list[AppointmentStatusChange]] = defaultdict(list)
    for change in await AppointmentStatusChange.all().order_by("changed_at", "id"):
        changes[change.appointment_id].append(change)  # type: ignore[attr-defined]
    desks = {u.id for u in await User.filter(username__startswith="staff.")}
    for row in await MedicalAppointment.all():
        history = changes[row.id]
        assert history[0].status is AppointmentStatus.SCHEDULED
        assert history[0].changed_by_id in desks
        assert [c.status for c in history[1:]] == (
            [] if row.status is AppointmentStatus.SCHEDULED else [row.status]
        )
        assert history[0].changed_at <= NOW


async def test_sessions_individual_and_group_by_the_counsellor_and_legal_adviser(
    demo: DemoSummary,
) -> None:
    sessions = await CounsellingSession.all()
    names = {u.id: u.username for u in await User.filter(role__in=["counsellor", "legal"])}
    members: dict[int, list[CounsellingParticipant]] = defaultdict(list)
    for participant in await CounsellingParticipant.all():
        members[participant.session_id].append(participant)  # type: ignore[attr-defined]

    kinds = Counter((names[s.counsellor_id], s.kind, s.format) for s in sessions)  # type: ignore[attr-defined]
    assert kinds[("counsellor.almaty", SessionKind.PSYCHOLOGICAL, SessionFormat.INDIVIDUAL)] >= 5
    assert kinds[("counsellor.almaty", SessionKind.SOCIAL, SessionFormat.GROUP)] >= 3
    assert kinds[("legal.almaty", SessionKind.LEGAL, SessionFormat.INDIVIDUAL)] >= 3
    assert {name for name, kind, _ in kinds if kind is SessionKind.LEGAL} == {"legal.almaty"}
    for session in sessions:
        group = members[session.id]
        assert len(group) == 1 if session.format is SessionFormat.INDIVIDUAL else len(group) >= 2
        recorded = session.status is SessionStatus.RECORDED
        assert recorded == (session.ends_at <= NOW)
        assert (session.notes is not None) == recorded
        assert (session.recorded_by_id == session.counsellor_id) == recorded  # type: ignore[attr-defined]
        assert all((p.attended is not None) == recorded for p in group)
    assert any(s.interpreter_language in {"uz", "ky", "tg"} for s in sessions)


async def test_nobody_is_booked_twice_at_once(demo: DemoSummary) -> None:
    booked: dict[tuple[str, int], list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in await MedicalAppointment.exclude(status=AppointmentStatus.CANCELLED):
        booked["account", row.provider_id].append((row.starts_at, row.ends_at))  # type: ignore[attr-defined]
        booked["resident", row.resident_id].append((row.starts_at, row.ends_at))  # type: ignore[attr-defined]
    sessions = {s.id: s for s in await CounsellingSession.all()}
    for session in sessions.values():
        booked["account", session.counsellor_id].append((session.starts_at, session.ends_at))  # type: ignore[attr-defined]
    for participant in await CounsellingParticipant.all():
        session = sessions[participant.session_id]  # type: ignore[attr-defined]
        booked["resident", participant.resident_id].append((session.starts_at, session.ends_at))  # type: ignore[attr-defined]
    for intervals in booked.values():
        intervals.sort()
        for (_, earlier_end), (later_start, _) in pairwise(intervals):
            assert earlier_end <= later_start


async def test_findings_and_session_notes_are_encrypted(demo: DemoSummary) -> None:
    connection = Tortoise.get_connection("default")
    rows = await connection.execute_query_dict(
        "SELECT findings AS text FROM medical_visit UNION ALL "
        "SELECT notes FROM medical_visit WHERE notes IS NOT NULL UNION ALL "
        "SELECT notes FROM counselling_session WHERE notes IS NOT NULL"
    )
    assert len(rows) >= 30
    assert all(row["text"].startswith("fernet:") for row in rows)


async def test_the_same_seed_gives_the_same_care(tmp_path: Path) -> None:
    schedules = []
    for name in ("first.sqlite3", "second.sqlite3"):
        await open_fresh_database(tmp_path / name)
        try:
            await load_demo(now=NOW, seed=11)
            appointments = (
                await MedicalAppointment.all()
                .order_by("id")
                .values_list("resident__code", "provider__username", "starts_at", "kind", "status")
            )
            sessions = (
                await CounsellingSession.all()
                .order_by("id")
                .values_list("counsellor__username", "starts_at", "kind", "format", "status")
            )
            findings = [v.findings for v in await MedicalVisit.all().order_by("id")]
            schedules.append((appointments, sessions, findings))
        finally:
            await Tortoise.close_connections()
    assert schedules[0] == schedules[1]
    assert schedules[0][0] and schedules[0][1]


# --- services, meals and dietary needs (fixtures/demo_services.py) -------------------------------


async def test_services_of_every_kind_happen_during_their_residents_stays(
    demo: DemoSummary,
) -> None:
    services = await ServiceRecord.all().order_by("id")
    assert len(services) == demo.services >= 300
    assert {service.kind for service in services} == set(ServiceKind)
    assert len({s.document_stage for s in services if s.document_stage}) >= 3
    assert len({s.return_stage for s in services if s.return_stage}) >= 3
    assert {s.status for s in services} == {"planned", "in_progress", "completed"}
    stays: dict[int, list[Stay]] = defaultdict(list)
    for stay in await Stay.all():
        stays[stay.resident_id].append(stay)  # type: ignore[attr-defined]
    changes: dict[int, list[ServiceChange]] = defaultdict(list)
    for change in await ServiceChange.all().order_by("at", "id"):
        changes[change.service_id].append(change)  # type: ignore[attr-defined]
    for service in services:
        assert any(
            stay.shelter_id == service.shelter_id  # type: ignore[attr-defined]
            and stay.checked_in_at <= service.recorded_at <= (stay.checked_out_at or NOW)
            for stay in stays[service.resident_id]  # type: ignore[attr-defined]
        ), service.id
        history = changes[service.id]
        assert history[0].change == "logged" and history[0].at == service.recorded_at
        assert history[-1].at <= NOW
        assert (history[-1].status, history[-1].document_stage, history[-1].return_stage) == (
            service.status,
            service.document_stage,
            service.return_stage,
        )
        if service.status == "completed":
            assert service.started_on is not None and service.completed_on is not None
            assert service.started_on <= service.completed_on <= NOW.date()


async def test_court_cases_have_hearings_past_and_ahead(demo: DemoSummary) -> None:
    hearings = await CourtHearing.all().prefetch_related("service")
    courts = await ServiceRecord.filter(kind=ServiceKind.COURT_REPRESENTATION).count()
    assert courts >= 5
    assert {hearing.service.kind for hearing in hearings} == {ServiceKind.COURT_REPRESENTATION}
    assert len({hearing.service.id for hearing in hearings}) == courts
    assert any(hearing.hearing_on > NOW.date() and not hearing.outcome for hearing in hearings)
    assert any(hearing.hearing_on < NOW.date() and hearing.outcome for hearing in hearings)


async def test_most_central_asian_residents_eat_halal(demo: DemoSummary) -> None:
    residents = await Resident.all()
    central = [r for r in residents if r.nationality in ("UZ", "KZ", "KG", "TJ")]
    russian = [r for r in residents if r.nationality == "RU"]
    assert sum(r.diet_halal for r in central) > 0.7 * len(central)
    assert sum(r.diet_halal for r in russian) <= 0.5 * len(russian)
    assert any(r.diet_vegetarian for r in residents)
    assert any(r.diet_infant_food for r in residents)
    assert any(r.allergies for r in residents)


async def test_meals_of_the_last_30_days_count_who_was_there(demo: DemoSummary) -> None:
    zone = ZoneInfo("Asia/Almaty")
    today = NOW.astimezone(zone).date()
    current = await MealRecord.filter(superseded_at__isnull=True)
    assert len(current) == demo.meals
    assert len({(m.shelter_id, m.day, m.meal) for m in current}) == len(current)  # type: ignore[attr-defined]
    assert {m.day for m in current} == {today - timedelta(days=n) for n in range(30)}
    needs = await dietary_needs(sorted({(m.shelter_id, m.day) for m in current}), zone)  # type: ignore[attr-defined]
    for meal in current:
        present = needs[meal.shelter_id, meal.day]  # type: ignore[attr-defined]
        assert present.present - 2 <= meal.served <= present.present, meal.id
        assert meal.halal == min(present.halal, meal.served)
        assert meal.vegetarian == min(present.vegetarian, meal.served)
        assert meal.infant == min(present.infant_food, meal.served)
        assert meal.allergy_safe == min(present.allergies, meal.served)
    superseded = await MealRecord.filter(superseded_at__isnull=False)
    assert superseded
    corrected = {m.corrects_id for m in current}  # type: ignore[attr-defined]
    assert {m.id for m in superseded} <= corrected


# --- stock (fixtures/demo_stock.py) --------------------------------------------------------------


async def test_the_catalogue_has_what_shelters_hand_out(demo: DemoSummary) -> None:
    items = await Item.all()
    names = {item.name for item in items}
    assert {
        "Rice",
        "Wheat flour",
        "Sunflower oil",
        "Bread",
        "Black tea",
        "Sugar",
        "Baby formula",
        "Diapers",
        "Hygiene kit",
        "Sanitary pads",
        "First-aid kit",
    } <= names
    clothing = [item for item in items if item.category is ItemCategory.CLOTHING]
    assert {item.season for item in clothing} == set(Season)
    assert len({item.clothing_size for item in clothing if item.name == "Winter jacket"}) >= 4
    assert all(
        item.season is None and not item.clothing_size for item in items if item not in clothing
    )
    assert {item.name for item in items if item.perishable} == {"Bread", "Milk"}
    assert {item.category for item in items} == set(ItemCategory)


async def test_the_ledger_sums_to_the_stock_and_never_went_below_zero(demo: DemoSummary) -> None:
    await assert_ledger_sums()
    kinds = Counter(await StockMovement.all().values_list("kind", flat=True))
    assert kinds[MovementKind.DISTRIBUTION] > 1000
    assert kinds[MovementKind.RECEIPT] > 200
    assert kinds[MovementKind.WRITE_OFF] >= 1 and kinds[MovementKind.ADJUSTMENT] >= 1
    assert kinds[MovementKind.TRANSFER_OUT] == kinds[MovementKind.TRANSFER_IN] >= 1
    assert await StockMovement.filter(at__gt=NOW).count() == 0
    write_offs = await StockMovement.filter(kind=MovementKind.WRITE_OFF)
    assert all(move.write_off_reason is not None for move in write_offs)
    for incoming in await StockMovement.filter(kind=MovementKind.TRANSFER_IN):
        out = await StockMovement.get(id=incoming.transfer_of_id)
        assert (out.kind, out.delta, out.at) == (
            MovementKind.TRANSFER_OUT,
            -incoming.delta,
            incoming.at,
        )
    receipts = await StockMovement.filter(kind=MovementKind.RECEIPT).prefetch_related("level__item")
    assert all(move.donor for move in receipts)
    assert all((move.expires_on is not None) == move.level.item.perishable for move in receipts)


async def test_distributions_go_to_residents_staying_in_that_shelter(demo: DemoSummary) -> None:
    active = {
        resident_id: (shelter_id, checked_in_at)
        for resident_id, shelter_id, checked_in_at in await Stay.filter(
            checked_out_at=None
        ).values_list("resident_id", "shelter_id", "checked_in_at")
    }
    given = await StockMovement.filter(kind=MovementKind.DISTRIBUTION).values_list(
        "resident_id", "level__shelter_id", "at"
    )
    for resident_id, shelter_id, at in given:
        assert resident_id in active
        assert active[resident_id][0] == shelter_id
        assert active[resident_id][1] <= at
    shelters_with_people = {shelter_id for shelter_id, _ in active.values()}
    assert {shelter_id for _, shelter_id, _ in given} == shelters_with_people


async def test_some_items_are_low_and_some_food_expires_within_a_week(demo: DemoSummary) -> None:
    network = Viewer.operator("tests")

    low = await low_stock(network)
    soon = await (await expiring_stock(network, today=NOW.date(), within_days=7))

    assert 3 <= len(low) <= 20
    assert {level.shelter_id for level in low} != set()
    assert len(soon) >= 3
    assert all(move.expires_on is not None and move.expires_on <= date(2026, 3, 8) for move in soon)


async def test_the_same_seed_gives_the_same_stock(tmp_path: Path) -> None:
    ledgers = []
    for name in ("first.sqlite3", "second.sqlite3"):
        await open_fresh_database(tmp_path / name)
        try:
            await load_demo(now=NOW, seed=11)
            ledgers.append(
                await StockMovement.all()
                .order_by("id")
                .values_list("level__item__name", "kind", "delta", "at", "resident__code")
            )
        finally:
            await Tortoise.close_connections()
    assert ledgers[0] == ledgers[1]
    assert len(ledgers[0]) > 1000
