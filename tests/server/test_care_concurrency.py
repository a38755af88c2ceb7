"""Races for one slot: many bookings of the same provider, resident or counsellor at the same
moment, and many visit records of one appointment. PostgreSQL only (SQLite runs one
transaction at a time, so nothing races there).

The harness is tests/server/test_concurrency.py's: each request runs in a transaction of its
own, held just after BEGIN until all have begun, so they all read, decide and write side by side.
At most 20 at once, well inside the test pool. Exactly one may win; the others get the refusal
a lone request would, and the database holds the winner's rows alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import server.domain.counselling
import server.domain.medical
from server.models import (
    AppointmentStatus,
    AppointmentStatusChange,
    CounsellingParticipant,
    CounsellingSession,
    MedicalAppointment,
    MedicalVisit,
    Role,
)
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient
from tests.server.care import Member, book, local, member, soon, tomorrow
from tests.server.network import build_network, new_resident
from tests.server.test_concurrency import Counted, Race, Transactions, codes

RACERS = 20

SCHEDULE = """
mutation ($input: AppointmentScheduleInput!) {
  appointmentSchedule(input: $input) {
    appointment { id resident { code } provider { username } } errors { code field }
  }
}"""

SESSION = """
mutation ($input: CounsellingSessionScheduleInput!) {
  counsellingSessionSchedule(input: $input) {
    session { id participants { resident { code } } } errors { code field }
  }
}"""

VISIT = """
mutation ($input: VisitRecordInput!) {
  visitRecord(input: $input) { appointment { id status } errors { code field } }
}"""


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch, on_postgres: bool) -> Iterator[Transactions]:
    if not on_postgres:
        pytest.skip("needs PostgreSQL: SQLite runs one transaction at a time")
    overlap = Transactions()
    for module in (server.domain.medical, server.domain.counselling):
        real: Callable[..., Any] = module.in_transaction

        @asynccontextmanager
        async def counted(
            connection_name: str | None = None, real: Callable[..., Any] = real
        ) -> AsyncIterator[Any]:
            async with real(connection_name) as connection:
                with overlap:
                    if overlap.gate is not None:
                        await overlap.gate.wait()
                    yield connection

        monkeypatch.setattr(module, "in_transaction", counted)
    yield overlap


@pytest.fixture
async def race(app: Starlette, transactions: Transactions) -> AsyncIterator[Race]:
    counted = Counted(app)
    transport = httpx.ASGITransport(app=counted)
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
        yield Race(GraphQLClient(http), counted.requests, transactions, parallel=True)


def booking(resident: int, provider: Member) -> dict[str, Any]:
    return {
        "input": {
            "resident": encode_id("Resident", resident),
            "provider": provider.id,
            "kind": "GENERAL",
            "startsAt": local(tomorrow(), 10).isoformat(),
            "durationMinutes": 30,
        }
    }


async def test_twenty_residents_booked_with_one_provider_at_once_one_gets_the_slot(
    race: Race,
) -> None:
    # given twenty residents, one medical volunteer, and a desk that books
    network = await build_network(shelters=1)
    medic = await member(Role.MEDICAL, network.shelters)
    desk = await member(Role.SHELTER_STAFF, network.shelters)
    residents = [await new_resident(f"Resident{n}", "Racer") for n in range(RACERS)]
    race.gql.token = desk.token

    # when all are booked with the medic at 10:00 at the same moment
    payloads = await race.run(
        SCHEDULE, "appointmentSchedule", [booking(resident.id, medic) for resident in residents]
    )

    # then one is booked; the others are refused as a double booking of the provider
    race.assert_concurrent(RACERS)
    winners = [payload for payload in payloads if not payload["errors"]]
    losers = [payload for payload in payloads if payload["errors"]]
    assert len(winners) == 1
    assert [codes(payload) for payload in losers] == [["PROVIDER_DOUBLE_BOOKED"]] * (RACERS - 1)
    assert all(payload["appointment"] is None for payload in losers)
    rows = await MedicalAppointment.all()
    assert len(rows) == 1 and await AppointmentStatusChange.all().count() == 1
    assert winners[0]["appointment"]["id"] == encode_id("MedicalAppointment", rows[0].id)


async def test_one_resident_booked_with_twenty_providers_at_once_gets_one(race: Race) -> None:
    # given one resident and twenty medical volunteers
    network = await build_network(shelters=1)
    medics = [await member(Role.MEDICAL, network.shelters) for _ in range(RACERS)]
    desk = await member(Role.SHELTER_STAFF, network.shelters)
    resident = await new_resident()
    race.gql.token = desk.token

    # when the resident is booked with each of them at 10:00 at the same moment
    payloads = await race.run(
        SCHEDULE, "appointmentSchedule", [booking(resident.id, medic) for medic in medics]
    )

    # then one booking holds; the others are refused as a double booking of the resident
    race.assert_concurrent(RACERS)
    assert sorted(tuple(codes(payload)) for payload in payloads) == [()] + [
        ("RESIDENT_DOUBLE_BOOKED",)
    ] * (RACERS - 1)
    assert all(p["errors"][0]["field"] == ["input", "resident"] for p in payloads if p["errors"])
    assert await MedicalAppointment.filter(resident_id=resident.id).count() == 1


async def test_twenty_sessions_with_one_counsellor_at_once_one_is_scheduled(race: Race) -> None:
    # given twenty residents and one counsellor
    network = await build_network(shelters=1)
    counsellor = await member(Role.COUNSELLOR, network.shelters)
    residents = [await new_resident(f"Resident{n}", "Racer") for n in range(RACERS)]
    race.gql.token = counsellor.token

    # when the counsellor schedules a session with each at 15:00 at the same moment
    payloads = await race.run(
        SESSION,
        "counsellingSessionSchedule",
        [
            {
                "input": {
                    "kind": "PSYCHOLOGICAL",
                    "counsellor": counsellor.id,
                    "residents": [encode_id("Resident", resident.id)],
                    "startsAt": local(tomorrow(), 15).isoformat(),
                    "durationMinutes": 50,
                }
            }
            for resident in residents
        ],
    )

    # then one is scheduled; the others are refused as a double booking of the counsellor
    race.assert_concurrent(RACERS)
    assert sorted(tuple(codes(payload)) for payload in payloads) == [()] + [
        ("COUNSELLOR_DOUBLE_BOOKED",)
    ] * (RACERS - 1)
    assert await CounsellingSession.all().count() == 1
    assert await CounsellingParticipant.all().count() == 1


async def test_ten_visit_records_of_one_appointment_complete_it_once(race: Race) -> None:
    # given an appointment whose time has come, and ten medics of the shelter
    network = await build_network(shelters=1)
    medics = [await member(Role.MEDICAL, network.shelters) for _ in range(10)]
    desk = await member(Role.SHELTER_STAFF, network.shelters)
    appointment = await book(desk, (await new_resident()).id, medics[0], soon())
    race.gql.token = medics[0].token

    # when ten visit records are sent at once
    payloads = await race.run(
        VISIT,
        "visitRecord",
        [
            {
                "input": {
                    "appointment": encode_id("MedicalAppointment", appointment.id),
                    "findings": f"Findings {n}",
                }
            }
            for n in range(10)
        ],
    )

    # then one completes it; the others find it completed
    race.assert_concurrent(10)
    assert (
        sorted(tuple(codes(payload)) for payload in payloads)
        == [()] + [("STATUS_CHANGE_NOT_ALLOWED",)] * 9
    )
    assert await MedicalVisit.all().count() == 1
    assert await AppointmentStatusChange.filter(status=AppointmentStatus.COMPLETED).count() == 1
