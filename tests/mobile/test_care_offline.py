"""A hand-out made while the server cannot be reached is kept on the tablet and shown as
waiting; once the server is back and the person signs in again, it happens exactly once."""

from __future__ import annotations

from pathlib import Path

from tests.mobile.app_driver import run_app
from tests.mobile.server import HavenServer
from tests.mobile.test_care_stock import LEDGER, scenario, setup


def distributions(ledger: dict[str, object], resident: str) -> list[int]:
    edges = ledger["stockMovements"]["edges"]  # type: ignore[index]
    return [
        edge["node"]["quantity"]
        for edge in edges
        if edge["node"]["kind"] == "DISTRIBUTION" and edge["node"]["resident"] == {"id": resident}
    ]


def test_hand_out_offline_is_sent_once(haven_server: HavenServer, tmp_path: Path) -> None:
    staff = haven_server.as_account("staff.almaty")
    given = setup(staff)
    before = distributions(staff.data(LEDGER, given), given["resident"])
    tablet = tmp_path / "tablet"
    assert haven_server._process is not None
    pid = haven_server._process.pid

    # when: the network goes while the hand-out screen is open, and staff hand out 3
    offline = run_app(
        scenario(**given, server_pid=pid)
        + """
import asyncio, os, signal
await ui.sign_in("staff.almaty")
app.show("handout", resident=RESIDENT)
screen = await entered("handout")
os.kill(SERVER_PID, signal.SIGTERM)
await asyncio.sleep(1.5)
ui.press(row(screen.ids.picker, ITEM))
ui.type(screen.ids.quantity, "3")
ui.press(screen.ids.submit)
await ui.settle()
return {
    "status": screen.status,
    "pending": app.pending_count,
    "queued": [(item.operation, item.state) for item in app.outbox.all()],
}
""",
        server_url=haven_server.url,
        data_dir=tablet,
    )
    assert offline["status"] == "Saved on this tablet. It will be sent when the server answers."
    assert offline["pending"] == 1
    assert offline["queued"] == [["stockDistribute", "pending"]]

    # then: nothing reached the server; back online, the tablet sends it, once
    haven_server.stop()
    haven_server.start()
    assert distributions(staff.data(LEDGER, given), given["resident"]) == before
    online = run_app(
        """
await ui.sign_in("staff.almaty")
await ui.wait(lambda: app.pending_count == 0, what="the queue sent")
await ui.settle()
return [item.state for item in app.outbox.all()]
""",
        server_url=haven_server.url,
        data_dir=tablet,
    )
    assert online == ["done"]
    assert distributions(staff.data(LEDGER, given), given["resident"]) == [*before, 3]
