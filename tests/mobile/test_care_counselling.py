"""Counselling through the real app against a real server: the demo counsellor schedules a
session with a resident for now, finds it among their sessions, records who came and private
notes, and the server holds the session recorded with the notes for its author."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.mobile.app_driver import run_app
from tests.mobile.server import HavenServer, ServerAccount
from tests.mobile.test_care_medical import ZONE
from tests.mobile.test_care_stock import QUEUED, said, scenario

DAY = """
query Day($shelter: ID!, $day: Date!) {
  viewer { id shelters { id } }
  counsellingSessions(shelter: $shelter, day: $day, first: 100) {
    edges { node { participants { resident { id } } } }
  }
  appointments(shelter: $shelter, day: $day, first: 100) {
    edges { node { resident { id } } }
  }
  residents(shelter: $shelter, inShelter: true, first: 100) { edges { node { id } } }
}
"""

SHELTERS = "query { viewer { shelters { id } } }"

#: The counsellor's own day in every shelter they work in.
MY_DAY = """
query MyDay($me: ID!, $day: Date!) {
  counsellingSessions(counsellor: $me, day: $day, first: 100) {
    edges { node { id startsAt endsAt status } }
  }
}
"""

CANCEL = """
mutation Cancel($input: CounsellingSessionCancelInput!) {
  counsellingSessionCancel(input: $input) { errors { code message } }
}
"""

SESSIONS = """
query Sessions($resident: ID!) {
  counsellingSessions(resident: $resident, first: 100) {
    edges {
      node {
        id kind durationMinutes status notes interpreterLanguage
        counsellor { username }
        participants { attended resident { id } }
      }
    }
  }
}
"""


def free_the_hour(counsellor: ServerAccount) -> dict[str, str]:
    """A resident with nothing booked today, and the counsellor's next hour cleared."""
    shelter = counsellor.data(SHELTERS)["viewer"]["shelters"][0]["id"]
    now = dt.datetime.now(ZONE)
    day = counsellor.data(DAY, {"shelter": shelter, "day": now.date().isoformat()})
    me = day["viewer"]["id"]
    booked = {e["node"]["resident"]["id"] for e in day["appointments"]["edges"]}
    for edge in day["counsellingSessions"]["edges"]:
        booked |= {p["resident"]["id"] for p in edge["node"]["participants"]}
    resident = next(
        e["node"]["id"] for e in day["residents"]["edges"] if e["node"]["id"] not in booked
    )
    window = (now - dt.timedelta(minutes=10), now + dt.timedelta(minutes=70))
    mine = counsellor.data(MY_DAY, {"me": me, "day": now.date().isoformat()})
    for edge in mine["counsellingSessions"]["edges"]:
        node = edge["node"]
        starts = dt.datetime.fromisoformat(node["startsAt"])
        ends = dt.datetime.fromisoformat(node["endsAt"])
        if node["status"] == "SCHEDULED":
            if starts < window[1] and ends > window[0]:
                cancel = {"input": {"session": node["id"], "reason": "Test: hour needed"}}
                assert not counsellor.data(CANCEL, cancel)["counsellingSessionCancel"]["errors"]
    return {"resident": resident}


def test_schedule_then_record_a_session(
    haven_server: HavenServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a tablet in the shelters' time zone; a resident and the counsellor free now
    monkeypatch.setenv("TZ", "Asia/Almaty")
    counsellor = haven_server.as_account("counsellor.almaty")
    given = free_the_hour(counsellor)

    # when: the counsellor books a session for this minute, then records it from the list
    seen = run_app(
        scenario(**given)
        + """
import datetime as dt
await ui.sign_in("counsellor.almaty")
home = app.manager.current
app.show("session_new", resident=RESIDENT)
book = await entered("session_new")
ui.press(choice(book.ids.kind, "SOCIAL"))
ui.press(choice(book.ids.duration, "30"))
ui.press(choice(book.ids.interpreter, "uz"))
from mobile.i18n import now as shelter_now
now = shelter_now()  # times are typed in the shelter's zone
ui.type(book.ids.day, now.date().isoformat())
ui.type(book.ids.clock, now.strftime("%H:%M"))
ui.press(book.ids.submit)
booked = await sent(book)

app.show("sessions")
listed = await entered("sessions")
mine = [
    s["id"] for s in listed.sessions
    if [p["resident"]["id"] for p in s["participants"]] == [RESIDENT]
    and s["status"] == "SCHEDULED" and s["durationMinutes"] == 30
]
ui.press(row(listed.ids.picker, mine[0]))
record = await entered("session_record")
ready_to_record = record.open_for_record
ticked = list(record.attended)
ui.type(record.ids.notes, "Spoke about finding work at home; plans a call to her sister.")
ui.press(record.ids.submit)
status = await sent(record)
return {
    "home": home,
    "booked": booked,
    "mine": mine,
    "ready": ready_to_record,
    "ticked": ticked,
    "status": status,
    "recorded": record.recorded,
    "medical": [app.show(name) is None for name in ("appointments", "visit", "handout")],
}
""",
        server_url=haven_server.url,
        data_dir=tmp_path / "tablet",
    )

    # then: the app said so, and the server has the session recorded, notes for its author
    assert seen["home"] == "sessions"
    assert said(seen["booked"], "Session scheduled for"), seen
    assert len(seen["mine"]) == 1 and seen["ready"] and seen["ticked"] == [given["resident"]]
    assert said(seen["status"], "Session recorded.")
    if seen["status"] != QUEUED:
        assert "plans a call to her sister" in seen["recorded"]
    assert seen["medical"] == [True, True, True]
    sessions = counsellor.data(SESSIONS, given)["counsellingSessions"]["edges"]
    (session,) = [e["node"] for e in sessions if e["node"]["id"] == seen["mine"][0]]
    assert session == {
        "id": seen["mine"][0],
        "kind": "SOCIAL",
        "durationMinutes": 30,
        "status": "RECORDED",
        "notes": "Spoke about finding work at home; plans a call to her sister.",
        "interpreterLanguage": "uz",
        "counsellor": {"username": "counsellor.almaty"},
        "participants": [{"attended": True, "resident": {"id": given["resident"]}}],
    }
