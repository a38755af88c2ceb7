"""Stock at the front desk, driven through the real app against a real server: a hand-out to a
resident staying now, a refused one, a delivery received and a count recorded, each checked in
the server's ledger; and the medical screens are not a shelter staff member's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.mobile.app_driver import run_app
from tests.mobile.server import HavenServer, ServerAccount

SHELTER_STOCK = """
query Setup {
  viewer { shelters { id } }
}
"""

LEVELS = """
query Levels($shelter: ID!) {
  stock(shelter: $shelter, first: 100) {
    edges { node { onHand item { id category perishable } } }
  }
  residents(shelter: $shelter, inShelter: true, first: 1) { edges { node { id code } } }
}
"""

LEDGER = """
query Ledger($shelter: ID!, $item: ID!) {
  stockMovements(shelter: $shelter, item: $item, first: 100) {
    edges {
      node { kind quantity change onHandAfter donor note resident { id } }
    }
  }
  stock(shelter: $shelter, first: 100) { edges { node { onHand item { id } } } }
}
"""

#: Helpers the scenarios share: find a row of a pick list, a button of a row of choices.
FINDERS = """
def row(picker, value):
    return next(r for r in picker.ids.rows.children if r.value == value)
def choice(choices, value):
    return next(b for b in choices.children if b.choice == value)
async def sent(screen):
    # A change may wait in the queue (the server closed an idle connection, say): the app
    # sends it within seconds. What the screen said is returned.
    await ui.settle()
    said = screen.status
    await ui.wait(lambda: app.pending_count == 0, timeout=60, what="the queue sent")
    return said
async def entered(name):
    await ui.wait(lambda: app.manager.current == name and ui.screen.ready, what=name)
    await ui.settle()
    return ui.screen
"""


def scenario(**given: Any) -> str:
    """A scenario's body with its givens as Python literals ahead of it."""
    lines = [f"{name.upper()} = {json.dumps(value)}" for name, value in given.items()]
    return "\n".join(lines) + "\n" + FINDERS


#: What a screen says of a change kept on the tablet, to be sent when the server answers.
QUEUED = "Saved on this tablet. It will be sent when the server answers."


def said(status: str, done: str) -> bool:
    """The screen said the change was done, or (a dropped connection) that it was kept."""
    return status.startswith(done) or status == QUEUED


def setup(staff: ServerAccount) -> dict[str, Any]:
    """The staff tablet's shelter, a resident staying there, and an item enough in stock."""
    shelter = staff.data(SHELTER_STOCK)["viewer"]["shelters"][0]["id"]
    found = staff.data(LEVELS, {"shelter": shelter})
    level = next(
        edge["node"]
        for edge in found["stock"]["edges"]
        if edge["node"]["onHand"] >= 3 and not edge["node"]["item"]["perishable"]
    )
    return {
        "shelter": shelter,
        "resident": found["residents"]["edges"][0]["node"]["id"],
        "item": level["item"]["id"],
        "category": level["item"]["category"],
        "on_hand": level["onHand"],
    }


def test_hand_out_receive_and_count(haven_server: HavenServer, tmp_path: Path) -> None:
    staff = haven_server.as_account("staff.almaty")
    given = setup(staff)
    counted = given["on_hand"] + 5  # not what the books will say (on hand - 2 + 10)

    # when: staff hand out 2, try 100000, receive 10 and count what is on the shelf
    seen = run_app(
        scenario(**given, counted=counted)
        + """
await ui.sign_in("staff.almaty")
app.show("handout", resident=RESIDENT)
screen = await entered("handout")
ui.press(row(screen.ids.picker, ITEM))
ui.type(screen.ids.quantity, "2")
ui.press(screen.ids.submit)
handed = await sent(screen)

ui.press(row(screen.ids.picker, ITEM))
ui.type(screen.ids.quantity, "100000")
ui.press(screen.ids.submit)
refused = await sent(screen)

app.show("stock")
stock = await entered("stock")
ui.press(stock.ids.receive)
receive = await entered("stock_receive")
ui.press(choice(receive.ids.category, CATEGORY))
await ui.settle()
ui.press(row(receive.ids.picker, ITEM))
ui.type(receive.ids.quantity, "10")
ui.type(receive.ids.donor, "Red Crescent Almaty")
ui.press(receive.ids.submit)
received = await sent(receive)

app.show("stock")
stock = await entered("stock")
ui.press(row(stock.ids.picker, ITEM))
count = await entered("stock_count")
books = count.books
ui.type(count.ids.counted, str(COUNTED))
ui.press(count.ids.submit)
counted = await sent(count)
return {
    "handed": handed,
    "refused": refused,
    "refused_in_queue": [item.operation for item in app.outbox.refused()],
    "received": received,
    "count_screen": count.name,
    "books": books,
    "counted": counted,
    "pending": app.pending_count,
    "medical": [app.show(name) is None for name in ("appointments", "visit")],
    "current": app.manager.current,
    "navigation": list(app.navigation),
}
""",
        server_url=haven_server.url,
        data_dir=tmp_path / "tablet",
    )

    # then: the app said what happened, and the server's ledger holds each step exactly once
    assert said(seen["handed"], "Handed out: 2 ")
    assert said(seen["refused"], "Only ")  # the server's words: not enough on hand
    assert seen["refused_in_queue"] == ["stockDistribute"]
    assert said(seen["received"], "Received: 10 ")
    assert seen["count_screen"] == "stock_count"
    assert str(given["on_hand"] + 8) in seen["books"]
    assert said(seen["counted"], f"Count recorded: {counted} ")
    assert seen["pending"] == 0
    ledger = staff.data(LEDGER, {"shelter": given["shelter"], "item": given["item"]})
    moves = [edge["node"] for edge in ledger["stockMovements"]["edges"]]
    before = given["on_hand"]
    assert moves[-3:] == [
        {
            "kind": "DISTRIBUTION",
            "quantity": 2,
            "change": -2,
            "onHandAfter": before - 2,
            "donor": None,
            "note": "",
            "resident": {"id": given["resident"]},
        },
        {
            "kind": "RECEIPT",
            "quantity": 10,
            "change": 10,
            "onHandAfter": before + 8,
            "donor": "Red Crescent Almaty",
            "note": "",
            "resident": None,
        },
        {
            "kind": "ADJUSTMENT",
            "quantity": 3,
            "change": -3,
            "onHandAfter": counted,
            "donor": None,
            "note": "",
            "resident": None,
        },
    ]
    assert not any(move["quantity"] == 100000 for move in moves)
    levels = {e["node"]["item"]["id"]: e["node"]["onHand"] for e in ledger["stock"]["edges"]}
    assert levels[given["item"]] == counted

    # and: shelter staff get no medical screens
    assert seen["medical"] == [True, True]
    assert seen["current"] == "stock_count"
    assert "appointments" not in seen["navigation"]
