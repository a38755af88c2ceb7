"""Medical appointments through the API: booking, double-booking and past refusals, status
changes, the visit record (encrypted, medical-only, audited), and the day's schedule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError

from server.domain.keys import reencrypt
from server.domain.medical import Visit, record_visit
from server.encryption import Keyring, install
from server.models import (
    AppointmentStatus,
    AppointmentStatusChange,
    AuditEvent,
    CounsellingSession,
    MedicalAppointment,
    MedicalVisit,
    Role,
)
from server.schema.relay import encode_id
from tests.conftest import DATA_KEY, GraphQLClient, QueryCounter
from tests.server.care import (
    Member,
    audit_count,
    book,
    book_session,
    local,
    member,
    soon,
    tomorrow,
)
from tests.server.network import Network, build_network, new_resident

SCHEDULE = """
mutation ($input: AppointmentScheduleInput!) {
  appointmentSchedule(input: $input) {
    appointment { id kind startsAt endsAt durationMinutes place status
      resident { code } provider { username fullName } shelter { name }
      history { status by { username } } visit { recordedAt } }
    errors { code field message }
  }
}"""

CANCEL = """
mutation ($input: AppointmentCancelInput!) {
  appointmentCancel(input: $input) {
    appointment { id status history { status reason by { username } } }
    errors { code field message }
  }
}"""

NO_SHOW = """
mutation ($input: AppointmentMarkNoShowInput!) {
  appointmentMarkNoShow(input: $input) {
    appointment { id status } errors { code field message }
  }
}"""

VISIT_RECORD = """
mutation ($input: VisitRecordInput!) {
  visitRecord(input: $input) {
    appointment { id status visit { findings notes followUpOn referredToHospital hospital
      recordedBy { username } } }
    errors { code field message }
  }
}"""

VISIT = """
query ($id: ID!) {
  node(id: $id) { ... on MedicalAppointment { status visit { followUpOn findings notes } } }
}"""

SCHEDULE_OF_DAY = """
query ($shelter: ID, $provider: ID, $day: Date, $status: AppointmentStatus, $first: Int,
       $after: String) {
  appointments(shelter: $shelter, provider: $provider, day: $day, status: $status,
               first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { startsAt place status resident { code } provider { username } } }
  }
}"""


class World:
    def __init__(self, network: Network, staff: Member, medic: Member, medic_2: Member) -> None:
        self.network, self.staff, self.medic, self.medic_2 = network, staff, medic, medic_2


@pytest.fixture
async def world(app: Starlette) -> World:
    network = await build_network(shelters=2)
    here = network.shelters[:1]
    return World(
        network,
        await member(Role.SHELTER_STAFF, here, "staff.a"),
        await member(Role.MEDICAL, here, "medic.a"),
        await member(Role.MEDICAL, here, "medic.a2"),
    )


def booking(resident: int, provider: Member, starts_at: datetime, **more: Any) -> dict[str, Any]:
    return {
        "input": {
            "resident": encode_id("Resident", resident),
            "provider": provider.id,
            "kind": "DENTAL",
            "startsAt": starts_at.isoformat(),
            "durationMinutes": 30,
            "place": "Clinic No. 4, room 12",
            **more,
        }
    }


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


async def written() -> tuple[int, int, int]:
    """Appointments, status changes and visits in the database."""
    return (
        await MedicalAppointment.all().count(),
        await AppointmentStatusChange.all().count(),
        await MedicalVisit.all().count(),
    )


async def test_staff_book_an_appointment_with_a_medic_of_the_shelter(
    gql: GraphQLClient, world: World
) -> None:
    # given a resident of shelter 0
    resident = await new_resident()
    at = local(tomorrow(), 10)

    # when the front desk books them with the medical volunteer
    result = await world.staff.client(gql).data(SCHEDULE, booking(resident.id, world.medic, at))

    # then the appointment is scheduled, in the resident's shelter, its booking in the history
    payload = result["appointmentSchedule"]
    assert payload["errors"] == []
    appointment = payload["appointment"]
    assert appointment["kind"] == "DENTAL" and appointment["status"] == "SCHEDULED"
    assert datetime.fromisoformat(appointment["startsAt"]) == at
    assert datetime.fromisoformat(appointment["endsAt"]) == at + timedelta(minutes=30)
    assert appointment["durationMinutes"] == 30
    assert appointment["resident"] == {"code": resident.code}
    assert appointment["provider"] == {"username": "medic.a", "fullName": "Test medical"}
    assert appointment["shelter"] == {"name": "Shelter 0"}
    assert appointment["history"] == [{"status": "SCHEDULED", "by": {"username": "staff.a"}}]
    assert appointment["visit"] is None
    row = await MedicalAppointment.get()
    assert (row.resident_id, row.shelter_id, row.provider_id) == (  # type: ignore[attr-defined]
        resident.id,
        world.network.shelters[0].id,
        world.medic.user.id,
    )
    assert await audit_count("appointment_schedule") == 1


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            {"startsAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
            "DATE_IN_PAST",
            "startsAt",
        ),
        (
            {"startsAt": (datetime.now(UTC) - timedelta(days=400)).isoformat()},
            "DATE_IN_PAST",
            "startsAt",
        ),
        ({"startsAt": "2030-01-01T10:00:00"}, "INVALID_VALUE", "startsAt"),
        (
            {"startsAt": (datetime.now(UTC) + timedelta(days=800)).isoformat()},
            "INVALID_VALUE",
            "startsAt",
        ),
        ({"startsAt": "9999-12-31T23:59:59+00:00"}, "INVALID_VALUE", "startsAt"),
        ({"durationMinutes": 0}, "INVALID_VALUE", "durationMinutes"),
        ({"durationMinutes": 481}, "INVALID_VALUE", "durationMinutes"),
        ({"durationMinutes": -30}, "INVALID_VALUE", "durationMinutes"),
        ({"place": "x" * 201}, "TOO_LONG", "place"),
        ({"place": "Room\x001"}, "INVALID_VALUE", "place"),
        ({"provider": encode_id("User", 999_999)}, "NOT_FOUND", "provider"),
        ({"provider": encode_id("Bed", 1)}, "INVALID_ID", "provider"),
        ({"resident": encode_id("Resident", 999_999)}, "NOT_FOUND", "resident"),
    ],
)
async def test_bad_bookings_are_refused_and_nothing_is_written(
    gql: GraphQLClient, world: World, change: dict[str, Any], code: str, field: str
) -> None:
    # given a resident
    resident = await new_resident()
    variables = booking(resident.id, world.medic, local(tomorrow(), 10))
    variables["input"].update(change)

    # when the booking has one thing wrong
    result = (await world.staff.client(gql).data(SCHEDULE, variables))["appointmentSchedule"]

    # then it is refused, naming the field, and nothing is written
    assert result["appointment"] is None
    assert codes(result) == [code]
    assert result["errors"][0]["field"] == ["input", field]
    assert await written() == (0, 0, 0)
    assert await audit_count("appointment_schedule") == 0


async def test_a_provider_who_is_not_a_medic_of_the_shelter_is_not_found(
    gql: GraphQLClient, world: World
) -> None:
    # given a counsellor of the shelter, a medic of another shelter and one no longer active
    resident = await new_resident()
    counsellor = await member(Role.COUNSELLOR, world.network.shelters[:1])
    elsewhere = await member(Role.MEDICAL, world.network.shelters[1:])
    at = local(tomorrow(), 10)

    # when each is booked
    results = [
        (await world.staff.client(gql).data(SCHEDULE, booking(resident.id, who, at)))[
            "appointmentSchedule"
        ]
        for who in (counsellor, elsewhere)
    ]

    # then neither is a provider there
    assert [codes(result) for result in results] == [["NOT_FOUND"], ["NOT_FOUND"]]
    assert await written() == (0, 0, 0)


async def test_a_double_booked_provider_is_refused_naming_the_clash(
    gql: GraphQLClient, world: World
) -> None:
    # given the medic booked 10:00-10:30 with one resident
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    day = tomorrow()
    await book(world.staff, first.id, world.medic, local(day, 10))

    # when another resident is booked with them at 10:15
    result = (
        await world.staff.client(gql).data(
            SCHEDULE, booking(second.id, world.medic, local(day, 10, 15))
        )
    )["appointmentSchedule"]

    # then it is refused, naming the provider and the time, not the other resident
    assert codes(result) == ["PROVIDER_DOUBLE_BOOKED"]
    assert result["errors"][0]["field"] == ["input", "provider"]
    message = result["errors"][0]["message"]
    assert "Test medical" in message and f"{day.isoformat()} 10:00–10:30" in message
    assert first.code not in message
    assert await written() == (1, 1, 0)


async def test_a_double_booked_resident_is_refused_naming_the_clash(
    gql: GraphQLClient, world: World
) -> None:
    # given a resident booked 10:00-10:30 with one medic, and 14:00-14:50 in a session
    resident = await new_resident()
    day = tomorrow()
    await book(world.staff, resident.id, world.medic, local(day, 10))
    counsellor = await member(Role.COUNSELLOR, world.network.shelters[:1])
    await book_session(world.staff, counsellor, [resident.id], local(day, 14))

    # when they are booked with the other medic at 10:29, and at 14:30
    clashes = [
        (
            await world.staff.client(gql).data(
                SCHEDULE, booking(resident.id, world.medic_2, local(day, hour, minute))
            )
        )["appointmentSchedule"]
        for hour, minute in ((10, 29), (14, 30))
    ]

    # then both are refused, naming the resident and what they already have then
    assert [codes(result) for result in clashes] == [["RESIDENT_DOUBLE_BOOKED"]] * 2
    assert clashes[0]["errors"][0]["field"] == ["input", "resident"]
    assert clashes[0]["errors"][0]["message"] == (
        f"{resident.code} already has a medical appointment at {day.isoformat()} 10:00–10:30."
    )
    assert clashes[1]["errors"][0]["message"] == (
        f"{resident.code} already has a counselling session at {day.isoformat()} 14:00–14:50."
    )
    assert await written() == (1, 1, 0)


async def test_back_to_back_and_after_a_cancellation_are_free(
    gql: GraphQLClient, world: World
) -> None:
    # given the medic booked 10:00-10:30, and 11:00-11:30 then cancelled
    first, second, third = [await new_resident(name) for name in ("Aziza", "Bahor", "Chinara")]
    day = tomorrow()
    await book(world.staff, first.id, world.medic, local(day, 10))
    cancelled = await book(world.staff, second.id, world.medic, local(day, 11))
    cancel = await world.staff.client(gql).data(
        CANCEL, {"input": {"appointment": encode_id("MedicalAppointment", cancelled.id)}}
    )
    assert cancel["appointmentCancel"]["errors"] == []

    # when others are booked at 10:30 (right after) and at 11:00 (the cancelled time)
    results = [
        (await world.staff.client(gql).data(SCHEDULE, booking(who.id, world.medic, at)))[
            "appointmentSchedule"
        ]
        for who, at in ((third, local(day, 10, 30)), (second, local(day, 11)))
    ]

    # then both are booked
    assert [result["errors"] for result in results] == [[], []]
    assert await MedicalAppointment.filter(status=AppointmentStatus.SCHEDULED).count() == 3


async def test_cancel_keeps_who_and_why_and_a_second_change_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    # given a scheduled appointment
    resident = await new_resident()
    appointment = await book(world.staff, resident.id, world.medic, local(tomorrow(), 10))
    target = {"appointment": encode_id("MedicalAppointment", appointment.id)}

    # when the medic cancels it, then staff try to cancel it again and to mark a no-show
    first = await world.medic.client(gql).data(
        CANCEL, {"input": {**target, "reason": "Resident unwell"}}
    )
    again = await world.staff.client(gql).data(CANCEL, {"input": target})
    no_show = await world.staff.client(gql).data(NO_SHOW, {"input": target})

    # then it is cancelled once, with who and why, and the later changes are refused
    assert first["appointmentCancel"]["appointment"]["history"] == [
        {"status": "SCHEDULED", "reason": "", "by": {"username": "staff.a"}},
        {"status": "CANCELLED", "reason": "Resident unwell", "by": {"username": "medic.a"}},
    ]
    for payload in (again["appointmentCancel"], no_show["appointmentMarkNoShow"]):
        assert payload["appointment"] is None
        assert codes(payload) == ["STATUS_CHANGE_NOT_ALLOWED"]
        assert "already cancelled" in payload["errors"][0]["message"]
    assert await written() == (1, 2, 0)
    assert (await MedicalAppointment.get()).status is AppointmentStatus.CANCELLED


async def test_a_no_show_before_the_time_is_refused(gql: GraphQLClient, world: World) -> None:
    # given tomorrow's appointment, and one whose time has just come
    resident, other = await new_resident(), await new_resident("Gulnora", "Tosheva")
    later = await book(world.staff, resident.id, world.medic, local(tomorrow(), 10))
    due = await book(world.staff, other.id, world.medic, soon())

    # when staff mark each a no-show
    results = [
        (
            await world.staff.client(gql).data(
                NO_SHOW, {"input": {"appointment": encode_id("MedicalAppointment", row.id)}}
            )
        )["appointmentMarkNoShow"]
        for row in (later, due)
    ]

    # then only the due one is
    assert codes(results[0]) == ["NOT_YET_STARTED"]
    assert results[1] == {
        "appointment": {"id": encode_id("MedicalAppointment", due.id), "status": "NO_SHOW"},
        "errors": [],
    }
    await later.refresh_from_db()
    assert later.status is AppointmentStatus.SCHEDULED
    assert await AppointmentStatusChange.filter(appointment_id=later.id).count() == 1


FINDINGS = "Two carious molars; gums bleeding; disclosed being beaten by the employer"
NOTES = "Asked not to tell the staff about the pregnancy test"


async def _raw_visits() -> list[dict[str, Any]]:
    connection = Tortoise.get_connection("default")
    return await connection.execute_query_dict("SELECT findings, notes FROM medical_visit")


async def test_visit_completes_the_appointment_encrypted_and_for_medics_only(
    gql: GraphQLClient, world: World, database_url: str, on_postgres: bool
) -> None:
    # given an appointment whose time has come
    resident = await new_resident()
    appointment = await book(world.staff, resident.id, world.medic, soon())
    node = encode_id("MedicalAppointment", appointment.id)
    follow_up = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()

    # when the medic records the visit, with a hospital referral
    result = await world.medic.client(gql).data(
        VISIT_RECORD,
        {
            "input": {
                "appointment": node,
                "findings": FINDINGS,
                "notes": NOTES,
                "followUpOn": follow_up,
                "referredToHospital": True,
                "hospital": "City Hospital No. 1",
            }
        },
    )

    # then the appointment is completed with its visit
    assert result["visitRecord"] == {
        "appointment": {
            "id": node,
            "status": "COMPLETED",
            "visit": {
                "findings": FINDINGS,
                "notes": NOTES,
                "followUpOn": follow_up,
                "referredToHospital": True,
                "hospital": "City Hospital No. 1",
                "recordedBy": {"username": "medic.a"},
            },
        },
        "errors": [],
    }
    # and the database holds only ciphertext
    raw = await _raw_visits()
    assert len(raw) == 1
    assert all(raw[0][column].startswith("fernet:") for column in ("findings", "notes"))
    assert FINDINGS not in str(raw) and NOTES not in str(raw)
    if not on_postgres:
        path = Path(database_url.removeprefix("sqlite://"))
        stored = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert b"carious" not in stored and b"pregnancy" not in stored

    # and another medic of the shelter reads it, each read audited; staff get null + FORBIDDEN
    reads_before = await audit_count("read_visit")
    medic_view = await world.medic_2.client(gql).post(VISIT, {"id": node})
    staff_view = await world.staff.client(gql).post(VISIT, {"id": node})
    assert medic_view == {
        "data": {
            "node": {
                "status": "COMPLETED",
                "visit": {"followUpOn": follow_up, "findings": FINDINGS, "notes": NOTES},
            }
        }
    }
    assert staff_view["data"]["node"] == {
        "status": "COMPLETED",
        "visit": {"followUpOn": follow_up, "findings": None, "notes": None},
    }
    assert sorted(
        (error["extensions"]["code"], tuple(error["path"])) for error in staff_view["errors"]
    ) == [
        ("FORBIDDEN", ("node", "visit", "findings")),
        ("FORBIDDEN", ("node", "visit", "notes")),
    ]
    reads = await AuditEvent.filter(action="read_visit").order_by("id")
    assert len(reads) == reads_before + 1
    assert reads[-1].username == "medic.a2" and reads[-1].resident_id == resident.id


async def test_a_completed_appointment_changed_again_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    # given a completed appointment
    resident = await new_resident()
    appointment = await book(world.staff, resident.id, world.medic, soon())
    await record_visit(world.medic.viewer, appointment.id, Visit(findings="Healthy"))
    target = {"appointment": encode_id("MedicalAppointment", appointment.id)}
    before = await written()

    # when someone records its visit again, cancels it, or marks it a no-show
    again = await world.medic_2.client(gql).data(
        VISIT_RECORD, {"input": {**target, "findings": "Something else"}}
    )
    cancel = await world.staff.client(gql).data(CANCEL, {"input": target})
    no_show = await world.staff.client(gql).data(NO_SHOW, {"input": target})

    # then each is refused, and the first visit stands alone
    for payload in (
        again["visitRecord"],
        cancel["appointmentCancel"],
        no_show["appointmentMarkNoShow"],
    ):
        assert payload["appointment"] is None
        assert codes(payload) == ["STATUS_CHANGE_NOT_ALLOWED"]
        assert "already completed" in payload["errors"][0]["message"]
    assert await written() == before == (1, 2, 1)
    assert (await MedicalVisit.get()).findings == "Healthy"
    assert (await MedicalAppointment.get()).status is AppointmentStatus.COMPLETED


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"findings": "  "}, "REQUIRED", "findings"),
        ({"findings": "x" * 20_001}, "TOO_LONG", "findings"),
        ({"notes": "a\x00b"}, "INVALID_VALUE", "notes"),
        ({"referredToHospital": True}, "REQUIRED", "hospital"),
        ({"hospital": "City Hospital No. 1"}, "INVALID_VALUE", "hospital"),
        ({"followUpOn": "2001-01-01"}, "INVALID_VALUE", "followUpOn"),
        ({"followUpOn": "9999-12-31"}, "INVALID_VALUE", "followUpOn"),
        ({"appointment": encode_id("MedicalAppointment", 999_999)}, "NOT_FOUND", "appointment"),
    ],
)
async def test_bad_visit_records_are_refused_and_nothing_is_written(
    gql: GraphQLClient, world: World, change: dict[str, Any], code: str, field: str
) -> None:
    # given an appointment whose time has come
    resident = await new_resident()
    appointment = await book(world.staff, resident.id, world.medic, soon())
    variables = {
        "appointment": encode_id("MedicalAppointment", appointment.id),
        "findings": "Healthy",
        **change,
    }

    # when the visit record has one thing wrong
    result = (await world.medic.client(gql).data(VISIT_RECORD, {"input": variables}))["visitRecord"]

    # then it is refused and the appointment is still scheduled, with no visit
    assert codes(result) == [code] and result["errors"][0]["field"] == ["input", field]
    assert await written() == (1, 1, 0)
    assert (await MedicalAppointment.get()).status is AppointmentStatus.SCHEDULED


async def test_only_medics_record_visits_and_not_before_the_time(
    gql: GraphQLClient, world: World
) -> None:
    # given an appointment tomorrow and one due now
    resident, other = await new_resident(), await new_resident("Gulnora", "Tosheva")
    later = await book(world.staff, resident.id, world.medic, local(tomorrow(), 10))
    due = await book(world.staff, other.id, world.medic, soon())

    def record(row: MedicalAppointment) -> dict[str, Any]:
        return {
            "input": {
                "appointment": encode_id("MedicalAppointment", row.id),
                "findings": "Healthy",
            }
        }

    # when staff record the due one, and the medic the one tomorrow
    by_staff = await world.staff.client(gql).data(VISIT_RECORD, record(due))
    too_early = await world.medic.client(gql).data(VISIT_RECORD, record(later))

    # then both are refused, and nothing is written
    assert codes(by_staff["visitRecord"]) == ["FORBIDDEN"]
    assert codes(too_early["visitRecord"]) == ["NOT_YET_STARTED"]
    assert await written() == (2, 2, 0)


async def test_a_days_schedule_per_shelter_and_provider_by_start_time(
    gql: GraphQLClient, world: World
) -> None:
    # given appointments booked out of order over two days, local time in Almaty
    day = tomorrow()
    people = [await new_resident(name) for name in ("Aziza", "Bahor", "Chinara", "Dildora")]
    plan = [
        (people[0], world.medic, local(day, 14)),
        (people[1], world.medic_2, local(day, 0, 0)),
        (people[2], world.medic, local(day, 9)),
        (people[3], world.medic, local(day + timedelta(days=1), 0, 0)),  # the next day
        (people[1], world.medic_2, local(day, 9)),  # the same time as people[2], booked later
    ]
    for resident, provider, at in plan:
        await book(world.staff, resident.id, provider, at)
    shelter = encode_id("Shelter", world.network.shelters[0].id)

    # when the front desk asks for the day, and the medic for their own day
    desk = (
        await world.staff.client(gql).data(
            SCHEDULE_OF_DAY, {"shelter": shelter, "day": day.isoformat()}
        )
    )["appointments"]
    own = (
        await world.medic.client(gql).data(
            SCHEDULE_OF_DAY, {"provider": world.medic.id, "day": day.isoformat()}
        )
    )["appointments"]

    # then each lists that day only, by start time (ties by booking)
    assert [
        (edge["node"]["resident"]["code"], edge["node"]["provider"]["username"])
        for edge in desk["edges"]
    ] == [
        (people[1].code, "medic.a2"),
        (people[2].code, "medic.a"),
        (people[1].code, "medic.a2"),
        (people[0].code, "medic.a"),
    ]
    assert desk["totalCount"] == 4
    assert [edge["node"]["resident"]["code"] for edge in own["edges"]] == [
        people[2].code,
        people[0].code,
    ]


async def test_schedule_pages_follow_start_time(gql: GraphQLClient, world: World) -> None:
    # given five appointments booked in reverse order, two at the same time
    day = tomorrow()
    people = [await new_resident(f"Person{n}") for n in range(5)]
    times = [local(day, 15), local(day, 13), local(day, 11), local(day, 11), local(day, 9)]
    providers = [world.medic, world.medic, world.medic, world.medic_2, world.medic]
    for resident, at, provider in zip(people, times, providers, strict=True):
        await book(world.staff, resident.id, provider, at)

    # when the schedule is read two at a time
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (
            await world.staff.client(gql).data(
                SCHEDULE_OF_DAY, {"day": day.isoformat(), "first": 2, "after": after}
            )
        )["appointments"]
        seen += [edge["node"]["startsAt"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then every appointment comes once, in time order
    assert pages == 3
    assert [datetime.fromisoformat(value) for value in seen] == sorted(times)
    bad = await world.staff.client(gql).post(
        SCHEDULE_OF_DAY, {"after": encode_id("Bed", 1), "first": 2}
    )
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_VALUE"


async def test_status_filter_and_another_shelters_schedule(
    gql: GraphQLClient, world: World
) -> None:
    # given a scheduled and a cancelled appointment in shelter 0
    day = tomorrow()
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    await book(world.staff, first.id, world.medic, local(day, 9))
    cancelled = await book(world.staff, second.id, world.medic, local(day, 10))
    await gql.as_token(world.staff.token).data(
        CANCEL, {"input": {"appointment": encode_id("MedicalAppointment", cancelled.id)}}
    )
    other = encode_id("Shelter", world.network.shelters[1].id)

    # when staff ask for the cancelled ones, and for shelter 1's day
    only = (await world.staff.client(gql).data(SCHEDULE_OF_DAY, {"status": "CANCELLED"}))[
        "appointments"
    ]
    elsewhere = (await world.staff.client(gql).data(SCHEDULE_OF_DAY, {"shelter": other}))[
        "appointments"
    ]

    # then the cancelled one alone, and nothing for a shelter they do not work in
    assert [edge["node"]["resident"]["code"] for edge in only["edges"]] == [second.code]
    assert elsewhere == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    yield
    install(Keyring([DATA_KEY.encode()]))


async def test_findings_and_notes_survive_a_key_rotation(
    world: World, restore_keyring: None
) -> None:
    # given a visit written under the old key
    resident = await new_resident()
    appointment = await book(world.staff, resident.id, world.medic, soon())
    await record_visit(world.medic.viewer, appointment.id, Visit(findings=FINDINGS, notes=NOTES))
    before = await _raw_visits()

    # when a new key is put first and the visits are written again
    new_key = Fernet.generate_key()
    install(Keyring([new_key, DATA_KEY.encode()]))
    assert await reencrypt(MedicalVisit) == 1

    # then the new key alone opens them
    after = await _raw_visits()
    assert after[0]["findings"] != before[0]["findings"]
    install(Keyring([new_key]))
    visit = await MedicalVisit.get()
    assert (visit.findings, visit.notes) == (FINDINGS, NOTES)


EVERYTHING = """
{
  appointments(first: 100) {
    totalCount
    edges { node { kind startsAt status place durationMinutes
      resident { code appointments { status } }
      provider { username shelters { name } } shelter { name }
      history { status by { username } }
      visit { findings notes followUpOn recordedBy { username } } } }
  }
}"""


async def _appointments(world: World, count: int) -> None:
    """``count`` residents, each with a completed appointment and one tomorrow."""
    day = tomorrow()
    for number in range(count):
        resident = await new_resident(f"Person{number}")
        medic = await member(Role.MEDICAL, world.network.shelters[:1])
        due = await book(world.staff, resident.id, medic, soon())
        await record_visit(medic.viewer, due.id, Visit(findings=f"Findings {number}"))
        await book(world.staff, resident.id, medic, local(day, 8) + timedelta(minutes=30 * number))


async def test_the_schedule_costs_the_same_queries_for_3_and_for_12_appointments(
    gql: GraphQLClient, world: World
) -> None:
    # given 3 residents with appointments (each with visit, history, provider), then 12
    medic = world.medic.client(gql)
    counts = []
    for total in (3, 12):
        await _appointments(world, total - (3 if counts else 0))
        # when the medic reads everything of every appointment
        with QueryCounter() as counter:
            result = await medic.data(EVERYTHING)
        assert result["appointments"]["totalCount"] == 2 * total
        assert all(
            edge["node"]["visit"] is None or edge["node"]["visit"]["findings"]
            for edge in result["appointments"]["edges"]
        )
        counts.append(counter.count)

    # then the number of statements does not grow with the number of appointments
    assert counts[0] == counts[1] <= 15, counts


SCHEDULE_ONCE = """
mutation ($input: AppointmentScheduleInput!, $key: UUID) {
  appointmentSchedule(input: $input, idempotencyKey: $key) {
    appointment { id startsAt } errors { code field }
  }
}"""

VISIT_ONCE = """
mutation ($input: VisitRecordInput!, $key: UUID) {
  visitRecord(input: $input, idempotencyKey: $key) {
    appointment { id status visit { findings } } errors { code field }
  }
}"""


async def test_a_replayed_booking_books_once_and_a_reused_key_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    # given a booking sent with a key, as a tablet's offline queue would
    resident = await new_resident()
    day = tomorrow()
    key = str(uuid.uuid4())
    variables = {**booking(resident.id, world.medic, local(day, 10)), "key": key}
    desk = world.staff.client(gql)

    # when it is sent three times, then the key is sent with another time
    answers = [(await desk.data(SCHEDULE_ONCE, variables))["appointmentSchedule"] for _ in range(3)]
    other = {**booking(resident.id, world.medic, local(day, 11)), "key": key}
    reused = (await desk.data(SCHEDULE_ONCE, other))["appointmentSchedule"]

    # then one appointment, the same answer each time, and the reuse refused
    assert answers[0]["errors"] == [] and answers == [answers[0]] * 3
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await written() == (1, 1, 0)
    assert await audit_count("appointment_schedule") == 1


async def test_a_replayed_visit_record_writes_one_visit(gql: GraphQLClient, world: World) -> None:
    # given an appointment whose time has come
    resident = await new_resident()
    appointment = await book(world.staff, resident.id, world.medic, soon())
    variables = {
        "input": {
            "appointment": encode_id("MedicalAppointment", appointment.id),
            "findings": "Healthy",
        },
        "key": str(uuid.uuid4()),
    }

    # when the medic's tablet sends the record twice
    first, second = [
        (await world.medic.client(gql).data(VISIT_ONCE, variables))["visitRecord"] for _ in range(2)
    ]

    # then the second gets the first's answer, not "already completed"
    assert first == second
    assert first["errors"] == [] and first["appointment"]["status"] == "COMPLETED"
    assert await written() == (1, 2, 1)


async def test_the_database_itself_refuses_what_the_rules_refuse(world: World) -> None:
    # given a completed appointment, a cancelled one, and a scheduled session
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    done = await book(world.staff, first.id, world.medic, soon())
    await record_visit(world.medic.viewer, done.id, Visit(findings="Healthy"))
    cancelled = await book(world.staff, second.id, world.medic, local(tomorrow(), 10))
    await MedicalAppointment.filter(id=cancelled.id).update(status=AppointmentStatus.CANCELLED)
    counsellor = await member(Role.COUNSELLOR, world.network.shelters[:1])
    session = await book_session(world.staff, counsellor, [second.id], local(tomorrow(), 15))
    start = local(tomorrow(), 12)

    # when a writer that skips the rules changes a final status, stretches or inverts a booking,
    # names a hospital without a referral, or adds a second visit
    attempts = {
        "completed to cancelled": MedicalAppointment.filter(id=done.id).update(
            status=AppointmentStatus.CANCELLED
        ),
        "cancelled to scheduled": MedicalAppointment.filter(id=cancelled.id).update(
            status=AppointmentStatus.SCHEDULED
        ),
        "ends before it starts": MedicalAppointment.filter(id=cancelled.id).update(
            starts_at=start, ends_at=start - timedelta(minutes=1)
        ),
        "nine hours": MedicalAppointment.filter(id=cancelled.id).update(
            starts_at=start, ends_at=start + timedelta(hours=9)
        ),
        "a session of no time": CounsellingSession.filter(id=session).update(
            starts_at=start, ends_at=start
        ),
        "a hospital without a referral": MedicalVisit.filter(appointment_id=done.id).update(
            hospital="City Hospital No. 1"
        ),
        "a second visit": MedicalVisit.create(
            appointment_id=done.id,
            recorded_by_id=world.medic.user.id,
            recorded_at=datetime.now(UTC),
            findings="Again",
        ),
    }
    refused = []
    for name, attempt in attempts.items():
        try:
            await attempt
        except IntegrityError:
            refused.append(name)

    # then the database refuses each
    assert refused == list(attempts)
    assert (await MedicalAppointment.get(id=done.id)).status is AppointmentStatus.COMPLETED
    assert await MedicalVisit.all().count() == 1


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-02", "9999-12-31", "1899-12-31"])
@pytest.mark.parametrize("schedule", ["appointments", "counsellingSessions"])
async def test_a_day_the_database_cannot_carry_is_a_clear_error(
    gql: GraphQLClient, day: str, schedule: str
) -> None:
    # the fuzzer's year-1 instants failed the server on PostgreSQL (asyncpg cannot carry them)
    network = await build_network(shelters=1)
    medic = (await member(Role.MEDICAL, network.shelters)).client(gql)

    body = await medic.post(
        f"query ($d: Date) {{ {schedule}(day: $d) {{ totalCount }} }}", {"d": day}
    )

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VALUE"
    assert body["errors"][0]["message"] in ("The time is out of range.", "The day is out of range.")


async def test_a_schedule_goes_on_after_a_row_that_left_the_filtered_list(
    gql: GraphQLClient, world: World
) -> None:
    # given three scheduled appointments, and the first page (of one) of the scheduled ones
    day = tomorrow()
    people = [await new_resident(f"Person{n}") for n in range(3)]
    booked = [
        await book(world.staff, resident.id, world.medic, local(day, 9 + n))
        for n, resident in enumerate(people)
    ]
    desk = world.staff.client(gql)
    query = {"day": day.isoformat(), "status": "SCHEDULED", "first": 1}
    page = (await desk.data(SCHEDULE_OF_DAY, query))["appointments"]
    # when the row the cursor points at is cancelled before the next page is asked for
    await desk.data(
        CANCEL, {"input": {"appointment": encode_id("MedicalAppointment", booked[0].id)}}
    )
    rest = (
        await desk.data(
            SCHEDULE_OF_DAY, {**query, "first": 10, "after": page["pageInfo"]["endCursor"]}
        )
    )["appointments"]

    # then the list goes on after it, with the other two
    assert [edge["node"]["resident"]["code"] for edge in rest["edges"]] == [
        people[1].code,
        people[2].code,
    ]
