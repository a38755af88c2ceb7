"""The app's session, driven offscreen against a real server: each role's rail holds its own
screens and no other opens; the language switches at once; signing out, or a while without a
touch, forgets the token and every screen.
"""

from __future__ import annotations

from pathlib import Path

from tests.mobile.app_driver import run_app
from tests.mobile.server import HavenServer

ROLES_AND_SESSION = """
    seen = {}
    await ui.sign_in("medic.almaty")
    seen["medical"] = {"home": app.manager.current, "rail": list(app.navigation)}
    app.show("dashboard")
    await ui.settle()
    seen["medical"]["after_dashboard"] = app.manager.current
    await app.sign_out()
    await ui.settle()
    app._queue_changed()  # counting while locked must not read the queue
    seen["signed_out"] = {
        "screen": app.manager.current, "client": app.client is None, "viewer": dict(app.viewer),
        "locked": app.outbox.account is None, "pending": app.pending_count,
    }

    await ui.sign_in("counsellor.almaty")
    seen["counsellor"] = {"home": app.manager.current, "rail": list(app.navigation)}
    await app.sign_out()
    await ui.settle()

    await ui.sign_in("staff.almaty")
    seen["staff"] = {"home": app.manager.current, "rail": list(app.navigation)}
    settings = await ui.show("settings")
    kazakh = next(b for b in settings.ids.language.children if b.choice == "kk")
    ui.press(kazakh)
    await ui.settle()
    seen["kazakh"] = {"title": app.root.ids.title.text, "language": app.language}
    dashboard = await ui.show("dashboard")
    seen["kazakh"]["updated"] = dashboard.ids.updated.text

    app.idle_minutes = 0.03
    await ui.wait(lambda: app.manager.current == "signin", timeout=30, what="idle sign-out")
    await ui.settle()
    seen["idle"] = {"client": app.client is None, "screens": sorted(app._screens)}
    return seen
"""


def test_roles_language_and_sign_out(haven_server: HavenServer, tmp_path: Path) -> None:
    seen = run_app(ROLES_AND_SESSION, server_url=haven_server.url, data_dir=tmp_path / "tablet")

    assert seen["medical"] == {
        "home": "appointments",
        "rail": ["appointments", "pending"],
        "after_dashboard": "appointments",
    }
    assert seen["signed_out"] == {
        "screen": "signin",
        "client": True,
        "viewer": {},
        "locked": True,
        "pending": 0,
    }
    assert seen["counsellor"] == {
        "home": "sessions",
        "rail": ["sessions", "find_resident", "pending"],
    }
    assert seen["staff"] == {
        "home": "dashboard",
        "rail": ["dashboard", "find_resident", "stock", "pending"],
    }
    assert seen["kazakh"]["title"] == "Баптаулар"
    assert seen["kazakh"]["language"] == "kk"
    assert seen["kazakh"]["updated"].startswith("Жаңартылған уақыты")
    assert seen["idle"] == {"client": True, "screens": ["signin"]}
