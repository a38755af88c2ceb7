"""The real app, offscreen, against a real server: a person is checked in, handed an item, seen
by a medical volunteer and checked out, each step through the app's screens as staff touch them,
and the server's state checked after each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.mobile.app_driver import run_app
from tests.mobile.server import HavenServer

STATE = """
query State($id: ID!) {
  resident(id: $id) {
    code
    currentStay { id bed { id label } }
    stays { id checkedOutAt exitDestination }
  }
}
"""

OUTSIDE = """
query Outside {
  viewer { shelters { id name } }
  residents(inShelter: false, first: 5) { edges { node { id code } } }
}
"""

STOCK = """
query Stock($shelter: ID!) {
  stock(shelter: $shelter, first: 200) { edges { node { onHand item { id } } } }
}
"""

SCHEDULE = """
mutation Schedule($input: AppointmentScheduleInput!) {
  appointmentSchedule(input: $input) { appointment { id } errors { code message } }
}
"""

WAITING = """
query Waiting($provider: ID!) {
  appointments(provider: $provider, status: SCHEDULED, first: 100) {
    edges { node { id startsAt } }
  }
}
"""

APPOINTMENT = """
query Appointment($id: ID!) {
  node(id: $id) { ... on MedicalAppointment { status visit { findings recordedAt } } }
}
"""

CHECK_IN = """
    await ui.sign_in("staff.almaty")
    await ui.show("dashboard")
    ui.press(ui.screen.ids.new_arrival)
    await ui.wait(lambda: app.manager.current == "find_resident")
    find = ui.screen
    ui.type(find.ids.query, CODE)
    ui.press(find.ids.search)
    await ui.settle()
    rows = [row for row in find.ids.results.children if CODE in row.headline]
    ui.press(rows[0])
    await ui.wait(lambda: app.manager.current == "check_in")
    await ui.settle()
    check_in = ui.screen
    ui.press(check_in.ids.use_suggested)
    bed = check_in.bed
    ui.press(check_in.ids.confirm)
    await ui.wait(lambda: app.manager.current == "resident", what="the resident's page")
    await ui.settle()
    return {"bed": bed, "shelter": app.shelter_id, "notices": list(app.notices)}
"""

HAND_OUT = """
    await ui.sign_in("staff.almaty")
    page = await ui.show("resident", resident=RESIDENT)
    buttons = {child.children[0].text: child for child in page.ids.actions.children}
    ui.press(buttons["Hand out"])
    await ui.wait(lambda: app.manager.current == "handout")
    await ui.settle()
    handout = ui.screen
    level = next(level for level in handout.levels if level["onHand"] > 0)
    handout.item_id = level["item"]["id"]
    ui.type(handout.ids.quantity, "2")
    ui.press(handout.ids.submit)
    await ui.settle()
    return {"item": level["item"]["id"], "notices": list(app.notices)}
"""

VISIT = """
    await ui.sign_in("medic.almaty")
    visit = await ui.show("visit", appointment=APPOINTMENT)
    ui.type(visit.ids.findings, "Blood pressure normal; rest advised.")
    ui.press(visit.ids.submit)
    await ui.settle()
    return {"notices": list(app.notices)}
"""

CHECK_OUT = """
    await ui.sign_in("staff.almaty")
    page = await ui.show("resident", resident=RESIDENT)
    buttons = {child.children[0].text: child for child in page.ids.actions.children}
    ui.press(buttons["Check out"])
    await ui.wait(lambda: app.manager.current == "check_out")
    await ui.settle()
    check_out = ui.screen
    choice = next(b for b in check_out.ids.destination.children if b.choice == "RETURNED_HOME")
    ui.press(choice)
    ui.press(check_out.ids.confirm)
    await ui.wait(lambda: app.manager.current == "dashboard", what="the dashboard")
    await ui.settle()
    left = [row.headline for row in ui.screen.ids.departures.children]
    return {"notices": list(app.notices), "departures": left}
"""


def scenario(script: str, **names: str) -> str:
    """The script with its constants set (CODE = "HV-…")."""
    lines = "".join(f"    {name} = {value!r}\n" for name, value in names.items())
    return lines + script


def stock_of(staff: Any, shelter: str) -> dict[str, int]:
    edges = staff.data(STOCK, {"shelter": shelter})["stock"]["edges"]
    return {edge["node"]["item"]["id"]: edge["node"]["onHand"] for edge in edges}


def appointment_for(server: HavenServer, resident: str) -> str:
    """A visit the medical volunteer can record now: one of theirs that has begun and is still
    scheduled, or one booked for this resident a minute ahead (within the server's clock skew)."""
    staff = server.as_account("staff.almaty")
    medical = server.as_account("medic.almaty")
    medic = medical.data("{ viewer { id } }")["viewer"]["id"]
    now = dt.datetime.now(dt.UTC)
    waiting = medical.data(WAITING, {"provider": medic})["appointments"]["edges"]
    begun = [
        edge["node"]
        for edge in waiting
        if dt.datetime.fromisoformat(edge["node"]["startsAt"]) <= now + dt.timedelta(minutes=3)
    ]
    if begun:
        return str(begun[-1]["id"])
    start = now.replace(microsecond=0) + dt.timedelta(minutes=1)
    for minutes in range(0, 4):
        payload = staff.data(
            SCHEDULE,
            {
                "input": {
                    "resident": resident,
                    "provider": medic,
                    "kind": "GENERAL",
                    "startsAt": (start + dt.timedelta(minutes=minutes)).isoformat(),
                    "durationMinutes": 5,
                }
            },
        )["appointmentSchedule"]
        if not payload["errors"]:
            return str(payload["appointment"]["id"])
    raise AssertionError(f"no free slot for the medical volunteer: {payload['errors']}")


def test_check_in_hand_out_visit_and_check_out(haven_server: HavenServer, tmp_path: Path) -> None:
    staff = haven_server.as_account("staff.almaty")
    found = staff.data(OUTSIDE)
    person = found["residents"]["edges"][0]["node"]
    tablet = tmp_path / "tablet"

    # Check-in: found by code, the suggested bed, confirmed.
    done = run_app(
        scenario(CHECK_IN, CODE=person["code"]), server_url=haven_server.url, data_dir=tablet
    )
    stay = staff.data(STATE, {"id": person["id"]})["resident"]["currentStay"]
    assert stay is not None, done["notices"]
    assert stay["bed"]["id"] == done["bed"]
    shelter = done["shelter"]

    # A hand-out from the resident's page: two of an item in stock.
    before = stock_of(staff, shelter)
    done = run_app(
        scenario(HAND_OUT, RESIDENT=person["id"]), server_url=haven_server.url, data_dir=tablet
    )
    after = stock_of(staff, shelter)
    assert after[done["item"]] == before[done["item"]] - 2, done["notices"]

    # The medical volunteer records the visit.
    appointment = appointment_for(haven_server, person["id"])
    done = run_app(
        scenario(VISIT, APPOINTMENT=appointment), server_url=haven_server.url, data_dir=tablet
    )
    medic = haven_server.as_account("medic.almaty")
    seen = medic.data(APPOINTMENT, {"id": appointment})["node"]
    assert seen["status"] == "COMPLETED", done["notices"]
    assert seen["visit"]["findings"] == "Blood pressure normal; rest advised."

    # Check-out from the resident's page, returned home.
    done = run_app(
        scenario(CHECK_OUT, RESIDENT=person["id"]), server_url=haven_server.url, data_dir=tablet
    )
    resident = staff.data(STATE, {"id": person["id"]})["resident"]
    assert resident["currentStay"] is None, done["notices"]
    last = max(resident["stays"], key=lambda stay: stay["checkedOutAt"] or "")
    assert last["exitDestination"] == "RETURNED_HOME"
    # The dashboard it returns to lists her among today's departures.
    assert any(person["code"] in line for line in done["departures"]), done["departures"]
