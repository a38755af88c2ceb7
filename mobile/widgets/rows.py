"""Rows, choices and the bed grid that screens fill from the server's answers.

box.add_widget(InfoRow(headline="HV-2026-000123", detail="A/2 · 12 days", on_release=...))
choice = ChoiceGroup(options=[("RETURNED_HOME", N_("Returned home")), ...])
grid.rooms = data["shelter"]["rooms"]; grid.bind(on_bed=lambda grid, bed: ...)
"""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    DictProperty,
    ListProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.stacklayout import StackLayout
from kivymd.app import MDApp
from kivymd.uix.boxlayout import MDBoxLayout
from kivymd.uix.button import MDButtonText
from kivymd.uix.label import MDLabel

from mobile.i18n import N_, _, on_language
from mobile.widgets.theme import BED_COLOURS


class InfoRow(ButtonBehavior, MDBoxLayout):
    """A line of a list: a headline, a detail under it, an optional note on the right."""

    headline = StringProperty("")
    detail = StringProperty("")
    note = StringProperty("")
    #: False for rows that only inform (no ripple, no press).
    active = BooleanProperty(True)


class CheckLine(ButtonBehavior, MDBoxLayout):
    """A checkbox with its text; the whole line (48 dp high) is what one touches."""

    text = StringProperty("")
    active = BooleanProperty(False)

    def on_release(self) -> None:
        self.active = not self.active


class Columns(BoxLayout):
    """Its children side by side, top-aligned, when the window is wider than high; one under
    the other otherwise. Each child has a fixed height (size_hint_y None)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("spacing", dp(16))
        super().__init__(**kwargs)
        from kivy.core.window import Window  # made on first use: not at import

        self.bind(children=self._watch, spacing=self.arrange)
        Window.bind(size=self.arrange)
        self.arrange()

    def _watch(self, *_args: Any) -> None:
        for child in self.children:
            child.unbind(height=self.arrange)
            child.bind(height=self.arrange)
            child.pos_hint = {"top": 1}
        self.arrange()

    def arrange(self, *_args: Any) -> None:
        from kivy.core.window import Window

        wide = Window.width > Window.height
        self.orientation = "horizontal" if wide else "vertical"
        heights = [child.height for child in self.children]
        if not heights:
            self.height = 0
        elif wide:
            self.height = max(heights)
        else:
            self.height = sum(heights) + self.spacing * (len(heights) - 1)


class Stat(MDBoxLayout):
    """A figure with its caption: 12 / Free beds."""

    value = StringProperty("")
    caption = StringProperty("")
    colour = ColorProperty((0, 0, 0, 0))


class ChoiceGroup(StackLayout):
    """Buttons of which one is chosen (`value`); options are (value, untranslated label)."""

    options = ListProperty()
    value = StringProperty("")
    #: False when the labels are already in the reader's language (language names).
    translate = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(options=self.rebuild, value=self.mark)
        self.bind(minimum_height=self.setter("height"))
        on_language(lambda _lang: self.rebuild())
        self.rebuild()

    def rebuild(self, *_args: Any) -> None:
        self.clear_widgets()
        for value, label in self.options:
            text = _(label) if self.translate else label
            button = Factory.OutlinedAction(MDButtonText(text=text))
            button.choice = value
            button.bind(on_release=self._chose)
            self.add_widget(button)
        self.mark()

    def _chose(self, button: Any) -> None:
        self.value = button.choice

    def mark(self, *_args: Any) -> None:
        """The chosen button filled with the theme's container colour; its style stays
        "outlined" (KivyMD does not recolour a button's text when its style changes)."""
        theme = MDApp.get_running_app().theme_cls
        for button in self.children:
            chosen = button.choice == self.value
            button.theme_bg_color = "Custom" if chosen else "Primary"
            button.md_bg_color = theme.secondaryContainerColor if chosen else (0, 0, 0, 0)
            button.theme_line_color = "Custom" if chosen else "Primary"
            button.line_color = theme.primaryColor if chosen else (0, 0, 0, 0)


class BedTile(ButtonBehavior, MDBoxLayout):
    """One bed: its label and who or what is in it, coloured by status."""

    bed = DictProperty()
    label = StringProperty("")
    detail = StringProperty("")
    colour = ColorProperty((0.5, 0.5, 0.5, 1))
    chosen = BooleanProperty(False)


class BedGrid(MDBoxLayout):
    """Rooms with their beds as tiles. `choosable` lets only free beds be pressed; on_bed(bed)."""

    rooms = ListProperty()
    choosable = BooleanProperty(False)
    chosen = StringProperty("")

    __events__ = ("on_bed",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(rooms=self.rebuild, choosable=self.rebuild, chosen=self.mark)
        on_language(lambda _lang: self.rebuild())

    def on_bed(self, bed: dict[str, Any]) -> None:
        """A bed was pressed."""

    def rebuild(self, *_args: Any) -> None:
        self.clear_widgets()
        for room in self.rooms:
            self.add_widget(
                MDLabel(
                    text=_("Room {name}").format(name=room.get("name", "")),
                    font_style="Title",
                    role="small",
                    adaptive_height=True,
                )
            )
            tiles = StackLayout(size_hint_y=None, spacing=dp(8))
            tiles.bind(minimum_height=tiles.setter("height"))
            for bed in room.get("beds") or []:
                status = bed.get("status") or "FREE"
                tile = BedTile(
                    bed=bed,
                    label=bed.get("label", ""),
                    detail=bed_detail(bed),
                    colour=BED_COLOURS.get(status, BED_COLOURS["OUT_OF_SERVICE"]),
                )
                tile.disabled = self.choosable and status != "FREE"
                tile.bind(on_release=self._pressed)
                tiles.add_widget(tile)
            self.add_widget(tiles)
        self.mark()

    def _pressed(self, tile: BedTile) -> None:
        self.dispatch("on_bed", tile.bed)

    def mark(self, *_args: Any) -> None:
        for tiles in self.children:
            for tile in getattr(tiles, "children", []):
                if isinstance(tile, BedTile):
                    tile.chosen = bool(self.chosen) and tile.bed.get("id") == self.chosen


#: What a bed's status is called on a tile.
STATUS_NAMES = {
    "FREE": N_("Free"),
    "OCCUPIED": N_("Occupied"),
    "HELD": N_("Held"),
    "OUT_OF_SERVICE": N_("Out of service"),
}


def bed_detail(bed: dict[str, Any]) -> str:
    """The tile's second line: the resident's code, the hold, or the status."""
    stay = bed.get("currentStay")
    if stay and stay.get("resident"):
        return str(stay["resident"].get("code", ""))
    status = bed.get("status") or "FREE"
    return _(STATUS_NAMES.get(status, status))
