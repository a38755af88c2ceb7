"""Medical care through the real app against a real server: the front desk books a resident
with the demo medical volunteer, and the volunteer finds an appointment whose time has come on
today's list and records the visit: the server has it completed with what was written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.mobile.app_driver import DEMO_PASSWORD, run_app
from tests.mobile.server import HavenServer, ServerAccount
from tests.mobile.test_care_stock import QUEUED, said, scenario

ZONE = ZoneInfo("Asia/Almaty")

DAY = """
query Day($shelter: ID!, $day: Date!) {
  careWorkers(shelter: $shelter, role: MEDICAL) { id username }
  appointments(shelter: $shelter, day: $day, first: 100) {
    edges { node { resident { id } } }
  }
  counsellingSessions(shelter: $shelter, day: $day, first: 100) {
    edges { node { participants { resident { id } } } }
  }
  residents(shelter: $shelter, inShelter: true, first: 100) { edges { node { id } } }
}
"""

SHELTERS = "query { viewer { shelters { id } } }"

#: The medic's day in every shelter they work in.
MEDIC_DAY = """
query MedicDay($medic: ID!, $day: Date!) {
  appointments(provider: $medic, day: $day, first: 100) {
    edges { node { id startsAt endsAt status } }
  }
}
"""

CANCEL = """
mutation Cancel($input: AppointmentCancelInput!) {
  appointmentCancel(input: $input) { errors { code message } }
}
"""

BOOKED = """
query Booked($resident: ID!) {
  appointments(resident: $resident, first: 100) {
    edges { node { id kind startsAt durationMinutes place status provider { username } } }
  }
}
"""

VISIT = """
query Visit($id: ID!) {
  node(id: $id) {
    ... on MedicalAppointment {
      status
      visit { findings notes followUpOn referredToHospital hospital recordedBy { username } }
    }
  }
}
"""


SCHEDULE = """
mutation Book($input: AppointmentScheduleInput!) {
  appointmentSchedule(input: $input) { appointment { id } errors { code message } }
}
"""

CREATE_USER = """
mutation Create($input: UserCreateInput!) {
  userCreate(input: $input) { user { id } errors { code message } }
}
"""


def desk_and_medic(staff: ServerAccount) -> dict[str, str]:
    """The desk's shelter, the demo medic, and a resident with nothing booked today."""
    shelter = staff.data(SHELTERS)["viewer"]["shelters"][0]["id"]
    now = dt.datetime.now(ZONE)
    day = staff.data(DAY, {"shelter": shelter, "day": now.date().isoformat()})
    medic = next(w["id"] for w in day["careWorkers"] if w["username"] == "medic.almaty")
    booked = {e["node"]["resident"]["id"] for e in day["appointments"]["edges"]}
    for edge in day["counsellingSessions"]["edges"]:
        booked |= {p["resident"]["id"] for p in edge["node"]["participants"]}
    resident = next(
        e["node"]["id"] for e in day["residents"]["edges"] if e["node"]["id"] not in booked
    )
    return {"shelter": shelter, "resident": resident, "medic": medic}


def due_now(haven_server: HavenServer, given: dict[str, str]) -> tuple[str, str]:
    """(appointment, medic's username): one of the demo medic's appointments whose time has
    come and that waits for its visit; if none, one the desk books for this minute; if the
    medic's hour is taken by visits already recorded, a new volunteer's."""
    staff = haven_server.as_account("staff.almaty")
    now = dt.datetime.now(ZONE)
    medic_day = staff.data(MEDIC_DAY, {"medic": given["medic"], "day": now.date().isoformat()})
    for edge in medic_day["appointments"]["edges"]:
        node = edge["node"]
        starts = dt.datetime.fromisoformat(node["startsAt"])
        if node["status"] == "SCHEDULED" and starts <= now + dt.timedelta(minutes=4):
            return node["id"], "medic.almaty"
    for minutes in range(-4, 4):
        start = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=minutes)
        entry = {
            "resident": given["resident"],
            "provider": given["medic"],
            "kind": "GENERAL",
            "startsAt": start.isoformat(),
            "durationMinutes": 5,
        }
        booked = staff.data(SCHEDULE, {"input": entry})["appointmentSchedule"]
        if not booked["errors"]:
            return booked["appointment"]["id"], "medic.almaty"
    # Rare: the demo medic saw someone this very half hour. A volunteer of our own then.
    admin = haven_server.as_account("admin")
    account = {
        "username": "medic.test",
        "fullName": "Test Medical Volunteer",
        "role": "MEDICAL",
        "password": "test-medic-password",
        "shelters": [given["shelter"]],
    }
    created = admin.data(CREATE_USER, {"input": account})["userCreate"]
    assert not created["errors"], created
    start = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    entry = {
        "resident": given["resident"],
        "provider": created["user"]["id"],
        "kind": "GENERAL",
        "startsAt": start.isoformat(),
        "durationMinutes": 5,
    }
    booked = staff.data(SCHEDULE, {"input": entry})["appointmentSchedule"]
    assert not booked["errors"], booked
    return booked["appointment"]["id"], "medic.test"


def test_book_then_record_a_visit(
    haven_server: HavenServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: tablets in the shelters' time zone; a resident free today, the demo medic
    monkeypatch.setenv("TZ", "Asia/Almaty")
    staff = haven_server.as_account("staff.almaty")
    given = desk_and_medic(staff)
    tomorrow = (dt.datetime.now(ZONE) + dt.timedelta(days=1)).date()

    # when: the front desk books the resident with the medic tomorrow evening (nobody's busy)
    booked = run_app(
        scenario(resident=given["resident"], medic=given["medic"], day=tomorrow.isoformat())
        + """
await ui.sign_in("staff.almaty")
app.show("appointment_new", resident=RESIDENT)
screen = await entered("appointment_new")
ui.press(choice(screen.ids.provider, MEDIC))
ui.press(choice(screen.ids.kind, "DENTAL"))
ui.press(choice(screen.ids.duration, "15"))
ui.type(screen.ids.day, DAY)
ui.type(screen.ids.clock, "19:30")
ui.type(screen.ids.place, "Dental clinic Aqniet")
ui.press(screen.ids.submit)
status = await sent(screen)
return {"status": status, "medical": app.show("appointments") is None}
""",
        server_url=haven_server.url,
        data_dir=tmp_path / "desk",
    )
    assert said(booked["status"], "Appointment booked for"), booked
    assert booked["medical"] is True  # the desk has no medical list
    (appointment,) = [
        e["node"]
        for e in staff.data(BOOKED, given)["appointments"]["edges"]
        if e["node"]["status"] == "SCHEDULED" and e["node"]["durationMinutes"] == 15
    ]  # the demo books 30 minutes
    assert appointment["kind"] == "DENTAL"
    assert appointment["provider"]["username"] == "medic.almaty"
    starts = dt.datetime.fromisoformat(appointment["startsAt"]).astimezone(ZONE)
    assert (starts.date(), starts.strftime("%H:%M")) == (tomorrow, "19:30")
    assert appointment["place"] == "Dental clinic Aqniet"

    # when: the medical volunteer opens today's list and records the visit
    due, medic_name = due_now(haven_server, given)
    password = "test-medic-password" if medic_name == "medic.test" else DEMO_PASSWORD
    follow_up = (dt.datetime.now(ZONE).date() + dt.timedelta(days=14)).isoformat()
    seen = run_app(
        scenario(appointment=due, follow_up=follow_up, medic=medic_name, password=password)
        + """
await ui.sign_in(MEDIC, PASSWORD)
listed = await entered("appointments")
starts = [a["startsAt"] for a in listed.appointments]
ids = [a["id"] for a in listed.appointments]
ui.press(row(listed.ids.picker, APPOINTMENT))
visit = await entered("visit")
shown = visit.heading
ui.type(visit.ids.findings, "Two carious molars; one filled today.")
ui.type(visit.ids.notes, "Prefers a female dentist.")
ui.type(visit.ids.follow_up, FOLLOW_UP)
visit.ids.referred.active = True
ui.type(visit.ids.hospital, "City Dental Clinic No. 2")
ui.press(visit.ids.submit)
status = await sent(visit)
return {
    "home": listed.name,
    "listed": APPOINTMENT in ids,
    "ordered": starts == sorted(starts),
    "shown": shown,
    "status": status,
    "recorded": visit.recorded,
    "open": visit.open_for_record,
    "desk_screens": [app.show(name) is None for name in ("handout", "stock", "stock_count")],
}
""",
        server_url=haven_server.url,
        data_dir=tmp_path / "medic",
    )

    # then: the list held it in time order, and the server has the appointment completed
    assert seen["home"] == "appointments" and seen["listed"] and seen["ordered"]
    assert said(seen["status"], "Visit recorded.")
    assert not seen["open"]
    if seen["status"] != QUEUED:
        assert "Two carious molars" in seen["recorded"]
    assert seen["desk_screens"] == [True, True, True]
    medic = haven_server.as_account(medic_name, password)
    node = medic.data(VISIT, {"id": due})["node"]
    assert node == {
        "status": "COMPLETED",
        "visit": {
            "findings": "Two carious molars; one filled today.",
            "notes": "Prefers a female dentist.",
            "followUpOn": follow_up,
            "referredToHospital": True,
            "hospital": "City Dental Clinic No. 2",
            "recordedBy": {"username": medic_name},
        },
    }
