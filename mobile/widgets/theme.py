"""The app's look: the bundled font for every KivyMD text style, and the app's palette.

register_fonts(app.theme_cls)     # in HavenApp.build, before any widget is made
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.config import Config
from kivy.core.text import LabelBase

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = str(FONT_DIR / "DejaVuSans.ttf")
BOLD = str(FONT_DIR / "DejaVuSans-Bold.ttf")

#: The family name the app's text styles use.
FONT_NAME = "HavenSans"

#: Names KivyMD's own widgets ask for directly; pointed at the same font so no text falls back to a
#: face without Kazakh letters.
ALIASES = ("Roboto", "RobotoMedium", "RobotoLight", "RobotoThin", "RobotoBlack")

#: Bed states on the grid (status from the server -> RGBA).
BED_COLOURS: dict[str, tuple[float, float, float, float]] = {
    "FREE": (0.30, 0.69, 0.31, 1),
    "OCCUPIED": (0.13, 0.40, 0.75, 1),
    "HELD": (0.96, 0.62, 0.04, 1),
    "OUT_OF_SERVICE": (0.55, 0.55, 0.55, 1),
}


def register_fonts(theme_cls: Any | None = None) -> None:
    for name in (FONT_NAME, *ALIASES):
        LabelBase.register(
            name=name,
            fn_regular=REGULAR,
            fn_italic=REGULAR,
            fn_bold=BOLD,
            fn_bolditalic=BOLD,
        )
    Config.set("kivy", "default_font", [FONT_NAME, REGULAR, REGULAR, BOLD, BOLD])
    if theme_cls is None:
        return
    styles = dict(theme_cls.font_styles)
    for style, roles in styles.items():
        if style == "Icon":
            continue
        for role in roles.values():
            role["font-name"] = FONT_NAME
    theme_cls.font_styles = styles


def refresh_text_fields(root: Any) -> None:
    """Redraws the hints of MDTextFields after a language switch: KivyMD draws a hint from the
    texture its label had when the field was built, and keeps it when the label's text changes."""
    from kivymd.uix.textfield import MDTextField

    for widget in root.walk(restrict=True):
        label = getattr(widget, "_hint_text_label", None)
        if not isinstance(widget, MDTextField) or label is None:
            continue
        label.texture_update()
        for rectangle in widget.canvas.after.get_group("hint-text-rectangle"):
            rectangle.texture = label.texture
            rectangle.size = label.texture_size
