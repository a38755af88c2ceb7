"""Counselling sessions through the API: scheduling (staff, or a counsellor for themselves),
double-booking refusals, recording by the session's own counsellor only, notes encrypted and
read by their author alone, and the schedule."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from tortoise import Tortoise

from server.domain.counselling import record_session
from server.domain.keys import reencrypt
from server.domain.stays import check_in, check_out
from server.encryption import Keyring, install
from server.models import (
    AuditEvent,
    CounsellingParticipant,
    CounsellingSession,
    ExitDestination,
    Role,
    SessionKind,
    SessionStatus,
)
from server.schema.relay import encode_id
from tests.conftest import DATA_KEY, GraphQLClient, QueryCounter
from tests.server.care import Member, audit_count, book, book_session, local, member, soon, tomorrow
from tests.server.network import Network, build_network, new_resident, staff

SCHEDULE = """
mutation ($input: CounsellingSessionScheduleInput!) {
  counsellingSessionSchedule(input: $input) {
    session { id kind format startsAt durationMinutes interpreterLanguage status
      counsellor { username } shelter { name }
      participants { attended resident { code } } }
    errors { code field message }
  }
}"""

RECORD = """
mutation ($input: CounsellingSessionRecordInput!) {
  counsellingSessionRecord(input: $input) {
    session { id status recordedAt notes participants { attended resident { code } } }
    errors { code field message }
  }
}"""

CANCEL = """
mutation ($input: CounsellingSessionCancelInput!) {
  counsellingSessionCancel(input: $input) { session { id status } errors { code field } }
}"""

NOTES = "query ($id: ID!) { node(id: $id) { ... on CounsellingSession { status notes } } }"

SESSIONS = """
query ($shelter: ID, $counsellor: ID, $day: Date, $status: SessionStatus) {
  counsellingSessions(shelter: $shelter, counsellor: $counsellor, day: $day, status: $status) {
    totalCount
    edges { node { startsAt kind counsellor { username } participants { resident { code } } } }
  }
}"""


class World:
    def __init__(self, network: Network, **people: Member) -> None:
        self.network = network
        self.staff = people["staff"]
        self.counsellor = people["counsellor"]
        self.counsellor_2 = people["counsellor_2"]
        self.legal = people["legal"]
        self.medic = people["medic"]


@pytest.fixture
async def world(app: Starlette) -> World:
    network = await build_network(shelters=2)
    here = network.shelters[:1]
    return World(
        network,
        staff=await member(Role.SHELTER_STAFF, here, "staff.a"),
        counsellor=await member(Role.COUNSELLOR, here, "counsellor.a"),
        counsellor_2=await member(Role.COUNSELLOR, here, "counsellor.a2"),
        legal=await member(Role.LEGAL, here, "legal.a"),
        medic=await member(Role.MEDICAL, here, "medic.a"),
    )


def session(counsellor: Member, residents: list[int], at: datetime, **more: Any) -> dict[str, Any]:
    return {
        "input": {
            "kind": "PSYCHOLOGICAL",
            "counsellor": counsellor.id,
            "residents": [encode_id("Resident", resident) for resident in residents],
            "startsAt": at.isoformat(),
            "durationMinutes": 50,
            **more,
        }
    }


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


async def written() -> tuple[int, int]:
    return await CounsellingSession.all().count(), await CounsellingParticipant.all().count()


async def test_staff_schedule_a_group_session_with_an_interpreter(
    gql: GraphQLClient, world: World
) -> None:
    # given three residents of shelter 0
    people = [await new_resident(name) for name in ("Aziza", "Bahor", "Chinara")]
    at = local(tomorrow(), 15)

    # when the front desk schedules a group session for them
    result = await world.staff.client(gql).data(
        SCHEDULE,
        session(
            world.counsellor,
            [p.id for p in people],
            at,
            format="GROUP",
            kind="SOCIAL",
            interpreterLanguage=" UZ ",
        ),
    )

    # then it is scheduled, with its participants, nobody marked yet
    payload = result["counsellingSessionSchedule"]
    assert payload["errors"] == []
    assert payload["session"] | {"id": None, "startsAt": None} == {
        "id": None,
        "kind": "SOCIAL",
        "format": "GROUP",
        "startsAt": None,
        "durationMinutes": 50,
        "interpreterLanguage": "uz",
        "status": "SCHEDULED",
        "counsellor": {"username": "counsellor.a"},
        "shelter": {"name": "Shelter 0"},
        "participants": [{"attended": None, "resident": {"code": p.code}} for p in people],
    }
    assert datetime.fromisoformat(payload["session"]["startsAt"]) == at
    assert await written() == (1, 3)
    assert await audit_count("session_schedule") == 3  # one per participant


async def test_a_counsellor_schedules_their_own_sessions_only(
    gql: GraphQLClient, world: World
) -> None:
    # given a resident
    resident = await new_resident()
    at = local(tomorrow(), 15)

    # when a counsellor schedules for themselves, then for a colleague
    own = await world.counsellor.client(gql).data(
        SCHEDULE, session(world.counsellor, [resident.id], at)
    )
    other = await world.counsellor.client(gql).data(
        SCHEDULE, session(world.counsellor_2, [resident.id], at + timedelta(hours=2))
    )

    # then only their own is scheduled
    assert own["counsellingSessionSchedule"]["errors"] == []
    assert codes(other["counsellingSessionSchedule"]) == ["FORBIDDEN"]
    assert await written() == (1, 1)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"kind": "LEGAL"}, "NOT_FOUND", "counsellor"),  # a counsellor holds no legal session
        ({"format": "GROUP"}, "INVALID_VALUE", "residents"),  # a group of one
        ({"residents": []}, "INVALID_VALUE", "residents"),
        ({"interpreterLanguage": "uzbek"}, "TOO_LONG", "interpreterLanguage"),
        ({"interpreterLanguage": "u1"}, "INVALID_VALUE", "interpreterLanguage"),
        ({"durationMinutes": 4}, "INVALID_VALUE", "durationMinutes"),
        ({"startsAt": "2020-01-01T10:00:00+05:00"}, "DATE_IN_PAST", "startsAt"),
        ({"residents": [encode_id("Resident", 999_999)]}, "NOT_FOUND", "residents"),
        ({"residents": ["nope"]}, "INVALID_ID", "residents"),
    ],
)
async def test_bad_sessions_are_refused_and_nothing_is_written(
    gql: GraphQLClient, world: World, change: dict[str, Any], code: str, field: str
) -> None:
    resident = await new_resident()
    variables = session(world.counsellor, [resident.id], local(tomorrow(), 15))
    variables["input"].update(change)

    result = (await world.staff.client(gql).data(SCHEDULE, variables))["counsellingSessionSchedule"]

    assert codes(result) == [code]
    assert result["errors"][0]["field"][:2] == ["input", field]
    assert await written() == (0, 0)


async def test_an_individual_session_has_one_resident_of_one_shelter(
    gql: GraphQLClient, world: World
) -> None:
    # given two residents of shelter 0 and one of shelter 1
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    elsewhere = await new_resident("Aziz", "Rahimov", shelter=world.network.shelters[1])
    staff_both = await member(Role.SHELTER_STAFF, world.network.shelters)
    at = local(tomorrow(), 15)

    # when an individual session names two, and a group mixes shelters
    two = await world.staff.client(gql).data(
        SCHEDULE, session(world.counsellor, [first.id, second.id], at)
    )
    mixed = await staff_both.client(gql).data(
        SCHEDULE, session(world.counsellor, [first.id, elsewhere.id], at, format="GROUP")
    )

    # then both are refused
    assert codes(two["counsellingSessionSchedule"]) == ["INVALID_VALUE"]
    assert codes(mixed["counsellingSessionSchedule"]) == ["INVALID_VALUE"]
    assert "one shelter" in mixed["counsellingSessionSchedule"]["errors"][0]["message"]
    assert await written() == (0, 0)


async def test_a_double_booked_counsellor_or_resident_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    # given the counsellor in a session 15:00-15:50, and a resident at the dentist 17:00-17:30
    day = tomorrow()
    first, second, third = [await new_resident(name) for name in ("Aziza", "Bahor", "Chinara")]
    await book_session(world.staff, world.counsellor, [first.id], local(day, 15))
    await book(world.staff, second.id, world.medic, local(day, 17))

    # when the counsellor is booked at 15:30, and a group with the resident at 16:45
    busy = await world.staff.client(gql).data(
        SCHEDULE, session(world.counsellor, [third.id], local(day, 15, 30))
    )
    resident_busy = await world.staff.client(gql).data(
        SCHEDULE,
        session(world.counsellor_2, [third.id, second.id], local(day, 16, 45), format="GROUP"),
    )

    # then both are refused, naming the clash
    payload = busy["counsellingSessionSchedule"]
    assert codes(payload) == ["COUNSELLOR_DOUBLE_BOOKED"]
    assert payload["errors"][0]["field"] == ["input", "counsellor"]
    assert payload["errors"][0]["message"] == (
        f"Test counsellor already has a session at {day.isoformat()} 15:00–15:50."
    )
    payload = resident_busy["counsellingSessionSchedule"]
    assert codes(payload) == ["RESIDENT_DOUBLE_BOOKED"]
    assert payload["errors"][0]["message"] == (
        f"{second.code} already has a medical appointment at {day.isoformat()} 17:00–17:30."
    )
    assert await written() == (1, 1)


async def test_a_cancelled_session_frees_the_time(gql: GraphQLClient, world: World) -> None:
    # given a session at 15:00
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    at = local(tomorrow(), 15)
    session_id = await book_session(world.staff, world.counsellor, [first.id], at)
    target = {"input": {"session": encode_id("CounsellingSession", session_id)}}

    # when its counsellor cancels it, cancels again, and books another at that time
    cancelled = await world.counsellor.client(gql).data(CANCEL, target)
    again = await world.staff.client(gql).data(CANCEL, target)
    rebooked = await world.staff.client(gql).data(
        SCHEDULE, session(world.counsellor, [second.id], at)
    )

    # then it was cancelled once and the time is free
    assert cancelled["counsellingSessionCancel"]["session"]["status"] == "CANCELLED"
    assert codes(again["counsellingSessionCancel"]) == ["STATUS_CHANGE_NOT_ALLOWED"]
    assert rebooked["counsellingSessionSchedule"]["errors"] == []


SECRET = "Disclosed the recruiter's name: Bakhtiyor, white Lada, Samarkand bus station"


async def _raw_notes() -> list[Any]:
    connection = Tortoise.get_connection("default")
    rows = await connection.execute_query_dict("SELECT notes FROM counselling_session")
    return [row["notes"] for row in rows]


async def test_the_counsellor_records_attendance_and_notes_only_they_read(
    gql: GraphQLClient, world: World
) -> None:
    # given a group session that has just begun
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    session_id = await book_session(world.staff, world.counsellor, [first.id, second.id], soon())
    node = encode_id("CounsellingSession", session_id)

    # when its counsellor records that the first came, with notes
    result = await world.counsellor.client(gql).data(
        RECORD,
        {
            "input": {
                "session": node,
                "attended": [encode_id("Resident", first.id)],
                "notes": SECRET,
            }
        },
    )

    # then the session is recorded, with who came
    payload = result["counsellingSessionRecord"]
    assert payload["errors"] == []
    assert payload["session"]["status"] == "RECORDED" and payload["session"]["notes"] == SECRET
    assert payload["session"]["participants"] == [
        {"attended": True, "resident": {"code": first.code}},
        {"attended": False, "resident": {"code": second.code}},
    ]
    # and the notes are ciphertext at rest
    raw = await _raw_notes()
    assert len(raw) == 1 and raw[0].startswith("fernet:") and "Bakhtiyor" not in raw[0]

    # and only their author reads them, each read audited per participant
    reads_before = await audit_count("read_session_notes")
    answers = {
        who: await person.client(gql).post(NOTES, {"id": node})
        for who, person in (
            ("author", world.counsellor),
            ("colleague", world.counsellor_2),
            ("staff", world.staff),
            ("legal", world.legal),
        )
    }
    assert answers["author"] == {"data": {"node": {"status": "RECORDED", "notes": SECRET}}}
    for who in ("colleague", "staff", "legal"):
        assert answers[who]["data"] == {"node": {"status": "RECORDED", "notes": None}}, who
        assert [e["extensions"]["code"] for e in answers[who]["errors"]] == ["FORBIDDEN"]
    reads = await AuditEvent.filter(action="read_session_notes").order_by("id")
    assert len(reads) == reads_before + 2
    assert {event.resident_id for event in reads[-2:]} == {first.id, second.id}
    assert {event.username for event in reads[-2:]} == {"counsellor.a"}


@pytest.mark.parametrize("who", ["staff", "counsellor_2", "legal", "medic"])
async def test_a_note_by_anyone_but_the_sessions_counsellor_is_refused(
    gql: GraphQLClient, world: World, who: str
) -> None:
    # given a session that has just begun
    resident = await new_resident()
    session_id = await book_session(world.staff, world.counsellor, [resident.id], soon())
    someone: Member = getattr(world, who)
    audit_before = await AuditEvent.all().count()

    # when someone else records it
    result = await someone.client(gql).data(
        RECORD,
        {
            "input": {
                "session": encode_id("CounsellingSession", session_id),
                "attended": [encode_id("Resident", resident.id)],
                "notes": SECRET,
            }
        },
    )

    # then it is refused and nothing is written
    assert result["counsellingSessionRecord"]["session"] is None
    assert codes(result["counsellingSessionRecord"]) == ["FORBIDDEN"]
    row = await CounsellingSession.get(id=session_id)
    assert row.status is SessionStatus.SCHEDULED
    assert (row.notes, row.recorded_at, row.recorded_by_id) == (None, None, None)  # type: ignore[attr-defined]
    assert await CounsellingParticipant.filter(attended__isnull=False).count() == 0
    assert await _raw_notes() == [None]
    assert await AuditEvent.all().count() == audit_before


async def test_recording_twice_or_too_early_or_a_stranger_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    # given a session recorded already, and one tomorrow
    first, second = await new_resident(), await new_resident("Gulnora", "Tosheva")
    done = await book_session(world.staff, world.counsellor, [first.id], soon())
    await record_session(world.counsellor.viewer, done, attended_ids={first.id}, notes="First")
    later = await book_session(world.staff, world.counsellor, [second.id], local(tomorrow(), 9))

    def record(session_id: int, attended: list[int]) -> dict[str, Any]:
        return {
            "input": {
                "session": encode_id("CounsellingSession", session_id),
                "attended": [encode_id("Resident", r) for r in attended],
                "notes": "Second",
            }
        }

    # when the counsellor records each again, or marks a non-participant as attending
    again = await world.counsellor.client(gql).data(RECORD, record(done, [first.id]))
    early = await world.counsellor.client(gql).data(RECORD, record(later, [second.id]))

    # then each is refused, and the first record stands
    assert codes(again["counsellingSessionRecord"]) == ["STATUS_CHANGE_NOT_ALLOWED"]
    assert codes(early["counsellingSessionRecord"]) == ["NOT_YET_STARTED"]
    assert (await CounsellingSession.get(id=done)).notes == "First"
    assert (await CounsellingSession.get(id=later)).status is SessionStatus.SCHEDULED


async def test_attendance_names_only_participants(gql: GraphQLClient, world: World) -> None:
    first, stranger = await new_resident(), await new_resident("Gulnora", "Tosheva")
    session_id = await book_session(world.staff, world.counsellor, [first.id], soon())

    result = await world.counsellor.client(gql).data(
        RECORD,
        {
            "input": {
                "session": encode_id("CounsellingSession", session_id),
                "attended": [encode_id("Resident", stranger.id)],
            }
        },
    )

    assert codes(result["counsellingSessionRecord"]) == ["INVALID_VALUE"]
    assert (await CounsellingSession.get(id=session_id)).status is SessionStatus.SCHEDULED


async def test_a_days_sessions_per_shelter_and_counsellor(gql: GraphQLClient, world: World) -> None:
    # given sessions of two counsellors and a legal adviser over two days, booked out of order
    day = tomorrow()
    people = [await new_resident(name) for name in ("Aziza", "Bahor", "Chinara", "Dildora")]
    await book_session(world.staff, world.counsellor, [people[0].id], local(day, 16))
    await book_session(world.staff, world.counsellor_2, [people[1].id, people[2].id], local(day, 9))
    await book_session(world.staff, world.counsellor, [people[3].id], local(day, 11))
    await book_session(
        world.staff, world.counsellor, [people[0].id], local(day + timedelta(days=1), 9)
    )
    await book_session(
        world.staff, world.legal, [people[3].id], local(day, 14), kind=SessionKind.LEGAL
    )
    shelter = encode_id("Shelter", world.network.shelters[0].id)

    # when staff ask for the shelter's day, and a counsellor for their own
    desk = (
        await world.staff.client(gql).data(SESSIONS, {"shelter": shelter, "day": day.isoformat()})
    )["counsellingSessions"]
    own = (
        await world.counsellor.client(gql).data(
            SESSIONS, {"counsellor": world.counsellor.id, "day": day.isoformat()}
        )
    )["counsellingSessions"]

    # then by start time, that day only
    assert [
        (edge["node"]["kind"], edge["node"]["counsellor"]["username"]) for edge in desk["edges"]
    ] == [
        ("PSYCHOLOGICAL", "counsellor.a2"),
        ("PSYCHOLOGICAL", "counsellor.a"),
        ("LEGAL", "legal.a"),
        ("PSYCHOLOGICAL", "counsellor.a"),
    ]
    assert desk["edges"][0]["node"]["participants"] == [
        {"resident": {"code": people[1].code}},
        {"resident": {"code": people[2].code}},
    ]
    assert own["totalCount"] == 2


async def test_notes_survive_a_key_rotation(world: World) -> None:
    resident = await new_resident()
    session_id = await book_session(world.staff, world.counsellor, [resident.id], soon())
    await record_session(world.counsellor.viewer, session_id, attended_ids=set(), notes=SECRET)
    new_key = Fernet.generate_key()
    try:
        install(Keyring([new_key, DATA_KEY.encode()]))
        assert await reencrypt(CounsellingSession) == 1
        install(Keyring([new_key]))
        assert (await CounsellingSession.get(id=session_id)).notes == SECRET
    finally:
        install(Keyring([DATA_KEY.encode()]))


EVERYTHING = """
{
  counsellingSessions(first: 100) {
    totalCount
    edges { node { kind format startsAt status interpreterLanguage durationMinutes notes
      counsellor { username } shelter { name }
      participants { attended resident { code counsellingSessions { status } } } } }
  }
}"""


async def test_the_schedule_costs_the_same_queries_for_3_and_for_12_sessions(
    gql: GraphQLClient, world: World
) -> None:
    # given sessions of one counsellor: recorded groups of two, and individual ones tomorrow
    counsellor = world.counsellor.client(gql)
    counts = []
    made = 0
    for total in (3, 12):
        for number in range(made, total):
            pair = [await new_resident(f"Person{number}"), await new_resident(f"Other{number}")]
            helper = await member(Role.COUNSELLOR, world.network.shelters[:1])
            group = await book_session(world.staff, helper, [p.id for p in pair], soon())
            await record_session(helper.viewer, group, attended_ids={pair[0].id}, notes="n")
            at = local(tomorrow(), 8) + timedelta(minutes=60 * number)
            await book_session(world.staff, world.counsellor, [pair[1].id], at)
        made = total

        # when the counsellor reads everything of every session
        with QueryCounter() as counter:
            result = await counsellor.post(EVERYTHING)
        assert result["data"]["counsellingSessions"]["totalCount"] == 2 * total
        counts.append(counter.count)

    # then the number of statements does not grow with the number of sessions
    assert counts[0] == counts[1] <= 15, counts


RECORD_ONCE = """
mutation ($input: CounsellingSessionRecordInput!, $key: UUID) {
  counsellingSessionRecord(input: $input, idempotencyKey: $key) {
    session { id status notes } errors { code field }
  }
}"""


async def test_a_replayed_record_is_answered_as_the_first(gql: GraphQLClient, world: World) -> None:
    # given a session that has just begun
    resident = await new_resident()
    session_id = await book_session(world.staff, world.counsellor, [resident.id], soon())
    variables = {
        "input": {
            "session": encode_id("CounsellingSession", session_id),
            "attended": [encode_id("Resident", resident.id)],
            "notes": SECRET,
        },
        "key": str(uuid.uuid4()),
    }

    # when the counsellor's tablet sends the record twice, then the key with other notes
    first, second = [
        (await world.counsellor.client(gql).data(RECORD_ONCE, variables))[
            "counsellingSessionRecord"
        ]
        for _ in range(2)
    ]
    variables["input"]["notes"] = "Something else"
    reused = (await world.counsellor.client(gql).data(RECORD_ONCE, variables))[
        "counsellingSessionRecord"
    ]

    # then the replay answers as the first did, and the reuse is refused
    assert first == second and first["errors"] == []
    assert first["session"]["notes"] == SECRET
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await audit_count("session_record") == 1


BY_RESIDENT = """query ($resident: ID) {
  counsellingSessions(resident: $resident) { totalCount } }"""


async def test_a_group_session_does_not_confirm_a_participant_the_viewer_cannot_see(
    gql: GraphQLClient,
) -> None:
    # given a group session in shelter 0 with Aziza and Malika, and Aziza later moved to shelter 1
    network = await build_network(shelters=2)
    first, second = network.shelters
    aziza = await new_resident("Aziza", shelter=first)
    malika = await new_resident("Malika", shelter=first)
    setup = await staff()
    stay = await check_in(setup, aziza.id, network.beds_of(first)[0].id)
    await check_in(setup, malika.id, network.beds_of(first)[1].id)
    counsellor = await member(Role.COUNSELLOR, [first])
    await book_session(counsellor, counsellor, [aziza.id, malika.id], soon())
    await check_out(setup, stay.id, ExitDestination.OTHER_SHELTER)
    await check_in(setup, aziza.id, network.beds_of(second)[0].id)
    # when staff of shelter 1, who see Aziza (and so the session) but never met Malika, ask
    theirs = (await member(Role.SHELTER_STAFF, [second])).client(gql)
    by_aziza = await theirs.data(BY_RESIDENT, {"resident": encode_id("Resident", aziza.id)})
    by_malika = await theirs.data(BY_RESIDENT, {"resident": encode_id("Resident", malika.id)})

    # then the session is theirs through Aziza, and says nothing about Malika
    assert by_aziza["counsellingSessions"]["totalCount"] == 1
    assert by_malika["counsellingSessions"]["totalCount"] == 0
