"""The care and stock screens switch language while open: their text, their choices and the
hints drawn in their text fields (which KivyMD copies as a texture; the app redraws them) all
change at once."""

from __future__ import annotations

from pathlib import Path

from tests.mobile.app_driver import run_app
from tests.mobile.server import HavenServer
from tests.mobile.test_care_stock import LEVELS, SHELTER_STOCK, scenario


def test_open_screens_follow_a_language_switch(haven_server: HavenServer, tmp_path: Path) -> None:
    staff = haven_server.as_account("staff.almaty")
    shelter = staff.data(SHELTER_STOCK)["viewer"]["shelters"][0]["id"]
    resident = staff.data(LEVELS, {"shelter": shelter})["residents"]["edges"][0]["node"]["id"]

    seen = run_app(
        scenario(resident=resident)
        + """
from kivymd.uix.textfield import MDTextFieldHintText

def hints(screen):
    found = []
    for widget in screen.walk():
        if isinstance(widget, MDTextFieldHintText) and widget.parent is not None:
            drawn = widget.parent.canvas.after.get_group("hint-text-rectangle")
            found.append([widget.text, bool(drawn) and drawn[0].texture is widget.texture])
    return found

await ui.sign_in("staff.almaty")
shown = {}
for name in ("handout", "service_log", "stock_receive"):
    app.show(name, resident=RESIDENT)
    screen = await entered(name)
    app.set_language("kk", save=False)
    await ui.settle()
    choices = screen.ids.get("category") or screen.ids.get("kind")
    shown[name] = {
        "hints": hints(screen),
        "choices": [b.children[0].text for b in choices.children],
        "rows": [row["detail"] for row in screen.ids.picker.rows] if name == "handout" else [],
    }
    app.set_language("en", save=False)
    await ui.settle()
return shown
""",
        server_url=haven_server.url,
        data_dir=tmp_path / "tablet",
    )

    assert ["Ескертпе (міндетті емес)", True] in seen["handout"]["hints"]
    assert ["Кім көрсетеді (ұйым немесе адам)", True] in seen["service_log"]["hints"]
    assert ["Кімнен (донор)", True] in seen["stock_receive"]["hints"]
    for name, found in seen.items():
        assert found["hints"] and all(drawn for _text, drawn in found["hints"]), name
    assert "Азық-түлік" in seen["handout"]["choices"]
    # the hand-out's item rows ("On hand: 6 pcs") follow the switch too
    assert seen["handout"]["rows"], seen["handout"]
    assert not any(row.startswith("On hand") for row in seen["handout"]["rows"])
    assert "Гигиена жиынтығы" in seen["service_log"]["choices"]
