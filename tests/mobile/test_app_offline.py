"""The app offline: actions made while the server is down wait in the tablet's queue, survive the
app's restart, and are sent once each when the server is back; a bed another client took in the
meantime comes back as a refusal on the queue's screen, kept, for the person to redo or discard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mobile.api import operations
from tests.mobile.app_driver import AppRun
from tests.mobile.server import HavenServer, ServerAccount

SETUP = """
query Setup {
  viewer { shelters { id } }
  outside: residents(inShelter: false, first: 5) { edges { node { id code } } }
}
"""

SHELTER = """
query Shelter($id: ID!) {
  shelter(id: $id) { rooms { beds { id status currentStay { resident { id } } } } }
  stock(shelter: $id, first: 200) { edges { node { onHand item { id } } } }
}
"""

STAYS = """
query Stays($id: ID!) {
  resident(id: $id) {
    currentStay { id bed { id } }
    stays { id checkedOutAt exitDestination }
  }
}
"""

OFFLINE_ACTIONS = """
    await ui.sign_in("staff.almaty")
    # Online first: the screens the actions need are loaded once (the app keeps what it read).
    await ui.show("check_in", resident=ARRIVING)
    await ui.show("handout", resident=STAYING)
    await ui.show("check_out", resident=STAYING)
    await ui.handshake("offline")

    check_in = await ui.show("check_in", resident=ARRIVING)
    bed = next(b for room in check_in.rooms for b in room["beds"] if b["id"] == BED)
    check_in.pick(bed)
    ui.press(check_in.ids.confirm)
    await ui.settle()

    handout = await ui.show("handout", resident=STAYING)
    handout.item_id = ITEM
    ui.type(handout.ids.quantity, "2")
    ui.press(handout.ids.submit)
    await ui.settle()

    check_out = await ui.show("check_out", resident=STAYING)
    choice = next(b for b in check_out.ids.destination.children if b.choice == "OTHER_SHELTER")
    ui.press(choice)
    ui.press(check_out.ids.confirm)
    await ui.settle()
    return {
        "pending": app.pending_count,
        "online": app.online,
        "states": [item.state.value for item in app.outbox.all()],
        "notices": list(app.notices),
    }
"""

AFTER_RESTART = """
    await ui.handshake("restarted")
    await ui.sign_in("staff.almaty")
    await ui.wait(lambda: app.pending_count == 0, what="the queue to drain")
    await ui.settle()
    pending = await ui.show("pending")
    return {
        "states": [item.state.value for item in app.outbox.all()],
        "sent": [row.headline for row in pending.ids.sent.children],
        "notices": list(app.notices),
    }
"""

QUEUE_A_TAKEN_BED = """
    await ui.sign_in("staff.almaty")
    await ui.show("check_in", resident=ARRIVING)
    await ui.handshake("offline")
    check_in = await ui.show("check_in", resident=ARRIVING)
    bed = next(b for room in check_in.rooms for b in room["beds"] if b["id"] == BED)
    check_in.pick(bed)
    ui.press(check_in.ids.confirm)
    await ui.settle()
    return {"pending": app.pending_count, "notices": list(app.notices)}
"""

SEE_THE_REFUSAL = """
    await ui.sign_in("staff.almaty")
    await ui.wait(lambda: app.refused_count == 1, what="the refusal")
    pending = await ui.show("pending")
    refused = [child for child in pending.ids.refused.children]
    row = refused[0].children[-1]
    shown = {"headline": row.headline, "detail": row.detail}
    buttons = [b.children[0].text for b in refused[0].children[0].children]
    discard = next(b for b in refused[0].children[0].children if b.children[0].text == "Discard")
    ui.press(discard)
    await ui.settle()
    return {
        "shown": shown,
        "buttons": buttons,
        "states": [item.state.value for item in app.outbox.all()],
        "errors": [[e.code for e in item.errors] for item in app.outbox.all()],
    }
"""


def scenario(script: str, **names: str) -> str:
    lines = "".join(f"    {name} = {value!r}\n" for name, value in names.items())
    return lines + script


def setup(staff: ServerAccount) -> dict[str, Any]:
    found = staff.data(SETUP)
    shelter = found["viewer"]["shelters"][0]["id"]
    here = staff.data(SHELTER, {"id": shelter})
    beds = [bed for room in here["shelter"]["rooms"] for bed in room["beds"]]
    return {
        "shelter": shelter,
        "outside": [edge["node"]["id"] for edge in found["outside"]["edges"]],
        "free": [bed["id"] for bed in beds if bed["status"] == "FREE"],
        "staying": [bed["currentStay"]["resident"]["id"] for bed in beds if bed["currentStay"]],
        "stock": {
            edge["node"]["item"]["id"]: edge["node"]["onHand"] for edge in here["stock"]["edges"]
        },
    }


def test_actions_made_offline_are_sent_once_after_a_restart(
    haven_server: HavenServer, tmp_path: Path
) -> None:
    staff = haven_server.as_account("staff.almaty")
    given = setup(staff)
    arriving, staying, bed = given["outside"][0], given["staying"][0], given["free"][0]
    item = next(item for item, on_hand in given["stock"].items() if on_hand >= 2)
    stays_before = {
        person: staff.data(STAYS, {"id": person})["resident"]["stays"]
        for person in (arriving, staying)
    }
    tablet = tmp_path / "tablet"

    # Offline: three actions, queued on the tablet; then the app is closed.
    run = AppRun(
        scenario(OFFLINE_ACTIONS, ARRIVING=arriving, STAYING=staying, BED=bed, ITEM=item),
        server_url=haven_server.url,
        data_dir=tablet,
    )
    run.reached("offline")
    haven_server.stop()
    run.go("offline")
    queued = run()
    assert queued["pending"] == 3, queued["notices"]
    assert queued["states"] == ["pending", "pending", "pending"]
    assert queued["online"] is False

    # The app starts again with the server still down; the server comes back; the queue drains.
    run = AppRun(AFTER_RESTART, server_url=haven_server.url, data_dir=tablet)
    run.reached("restarted")
    haven_server.start()
    run.go("restarted")
    drained = run()
    assert drained["states"] == ["done", "done", "done"], drained["notices"]
    assert len(drained["sent"]) == 3

    # Each happened on the server, once.
    now = {person: staff.data(STAYS, {"id": person})["resident"] for person in (arriving, staying)}
    assert now[arriving]["currentStay"]["bed"]["id"] == bed
    assert len(now[arriving]["stays"]) == len(stays_before[arriving]) + 1
    assert now[staying]["currentStay"] is None
    ended = [stay for stay in now[staying]["stays"] if stay["exitDestination"] == "OTHER_SHELTER"]
    ended_before = [s for s in stays_before[staying] if s["exitDestination"] == "OTHER_SHELTER"]
    assert len(ended) == len(ended_before) + 1
    assert setup(staff)["stock"][item] == given["stock"][item] - 2


def test_a_bed_taken_while_offline_comes_back_as_a_refusal(
    haven_server: HavenServer, tmp_path: Path
) -> None:
    staff = haven_server.as_account("staff.almaty")
    given = setup(staff)
    arriving, other, bed = given["outside"][0], given["outside"][1], given["free"][0]
    tablet = tmp_path / "tablet"

    run = AppRun(
        scenario(QUEUE_A_TAKEN_BED, ARRIVING=arriving, BED=bed),
        server_url=haven_server.url,
        data_dir=tablet,
    )
    run.reached("offline")
    haven_server.stop()
    run.go("offline")
    queued = run()
    assert queued["pending"] == 1, queued["notices"]

    # Meanwhile another client puts someone else in that bed.
    haven_server.start()
    taken = staff.data(operations.CHECK_IN, {"input": {"resident": other, "bed": bed}})
    assert taken["checkIn"]["errors"] == []

    seen = AppRun(SEE_THE_REFUSAL, server_url=haven_server.url, data_dir=tablet)()
    assert seen["errors"] == [["BED_OCCUPIED"]], seen
    assert seen["shown"]["detail"].startswith("The server said: "), seen
    assert "occupied" in seen["shown"]["detail"]
    assert set(seen["buttons"]) == {"Choose another bed", "Redo", "Discard"}
    # Discarded, and still there: nothing leaves the queue silently.
    assert seen["states"] == ["discarded"]
    resident = staff.data(STAYS, {"id": arriving})["resident"]
    assert resident["currentStay"] is None
