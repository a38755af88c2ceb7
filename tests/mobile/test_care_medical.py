"""Medical care through the real app against a real server: the front desk books a resident
with the demo medical volunteer for now, the volunteer finds it on today's list and records the
visit, and the server has the appointment completed with what was written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.mobile.app_driver import run_app
from tests.mobile.server import HavenServer, ServerAccount
from tests.mobile.test_care_stock import QUEUED, said, scenario

ZONE = ZoneInfo("Asia/Almaty")

DAY = """
query Day($shelter: ID!, $day: Date!) {
  viewer { shelters { id } }
  careWorkers(shelter: $shelter, role: MEDICAL) { id username }
  appointments(shelter: $shelter, day: $day, first: 100) {
    edges { node { id startsAt endsAt status resident { id } provider { id } } }
  }
  counsellingSessions(shelter: $shelter, day: $day, first: 100) {
    edges { node { participants { resident { id } } } }
  }
  residents(shelter: $shelter, inShelter: true, first: 100) { edges { node { id } } }
}
"""

SHELTERS = "query { viewer { shelters { id } } }"

CANCEL = """
mutation Cancel($input: AppointmentCancelInput!) {
  appointmentCancel(input: $input) { errors { code message } }
}
"""

BOOKED = """
query Booked($resident: ID!) {
  appointments(resident: $resident, first: 100) {
    edges { node { id kind durationMinutes status provider { username } } }
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


def free_the_hour(staff: ServerAccount) -> dict[str, str]:
    """A resident with nothing booked today, and the demo medic's next half hour cleared (a
    demo appointment there is cancelled), so a booking made now cannot clash."""
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
    window = (now - dt.timedelta(minutes=10), now + dt.timedelta(minutes=40))
    for edge in day["appointments"]["edges"]:
        node = edge["node"]
        starts = dt.datetime.fromisoformat(node["startsAt"])
        ends = dt.datetime.fromisoformat(node["endsAt"])
        if node["provider"]["id"] == medic and node["status"] == "SCHEDULED":
            if starts < window[1] and ends > window[0]:
                cancel = {"input": {"appointment": node["id"], "reason": "Test: slot needed"}}
                assert not staff.data(CANCEL, cancel)["appointmentCancel"]["errors"]
    return {"resident": resident, "medic": medic}


def test_book_then_record_a_visit(
    haven_server: HavenServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: tablets in the shelters' time zone; a resident and the medic free now
    monkeypatch.setenv("TZ", "Asia/Almaty")
    staff = haven_server.as_account("staff.almaty")
    given = free_the_hour(staff)

    # when: the front desk books the resident with the medic, starting this minute
    booked = run_app(
        scenario(**given)
        + """
import datetime as dt
await ui.sign_in("staff.almaty")
app.show("appointment_new", resident=RESIDENT)
screen = await entered("appointment_new")
ui.press(choice(screen.ids.provider, MEDIC))
ui.press(choice(screen.ids.kind, "DENTAL"))
ui.press(choice(screen.ids.duration, "15"))
now = dt.datetime.now().astimezone()
ui.type(screen.ids.day, now.date().isoformat())
ui.type(screen.ids.clock, now.strftime("%H:%M"))
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

    # when: the medical volunteer opens today's list and records the visit
    follow_up = (dt.datetime.now(ZONE).date() + dt.timedelta(days=14)).isoformat()
    seen = run_app(
        scenario(**given, appointment=appointment["id"], follow_up=follow_up)
        + """
await ui.sign_in("medic.almaty")
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
    medic = haven_server.as_account("medic.almaty")
    node = medic.data(VISIT, {"id": appointment["id"]})["node"]
    assert node == {
        "status": "COMPLETED",
        "visit": {
            "findings": "Two carious molars; one filled today.",
            "notes": "Prefers a female dentist.",
            "followUpOn": follow_up,
            "referredToHospital": True,
            "hospital": "City Dental Clinic No. 2",
            "recordedBy": {"username": "medic.almaty"},
        },
    }
