"""Pieces the care and stock screens share: a row of choices, a list to pick from, and the base
class that knows the shelter, the resident and the day.

    Choices:                          # in .kv: one button per option, the chosen one filled
        id: kind
        on_value: root.kind = self.value
    self.ids.kind.options = [("FOOD", category_label)]       # value and its label function
    PickList: id: items; on_value: root.pick(self.value)     # rows of (value, title, detail)
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivymd.uix.boxlayout import MDBoxLayout
from kivymd.uix.button import MDButton, MDButtonIcon, MDButtonText
from kivymd.uix.scrollview import MDScrollView
from kivymd.uix.stacklayout import MDStackLayout

from mobile.i18n import now, on_language, time_zone
from mobile.widgets.base import HavenScreen

Builder.load_string(
    """
<CareRow>:
    orientation: "vertical"
    size_hint_y: None
    height: max(dp(64), self.minimum_height)
    padding: dp(16), dp(8)
    spacing: dp(2)
    radius: [dp(12)]
    md_bg_color:
        app.theme_cls.secondaryContainerColor if self.selected else \
        ((1, .93, .9, 1) if self.warn else app.theme_cls.surfaceContainerLowColor)
    MDLabel:
        text: root.title
        font_style: "Title"
        role: "medium"
        adaptive_height: True
    MDLabel:
        text: root.detail
        opacity: 1 if root.detail else 0
        font_style: "Body"
        role: "medium"
        adaptive_height: True
        theme_text_color: "Secondary"

<PickList>:
    do_scroll_x: False
    MDBoxLayout:
        id: rows
        orientation: "vertical"
        adaptive_height: True
        spacing: dp(6)
        padding: 0, dp(4)

<Choices>:
    adaptive_height: True
    spacing: dp(8)

<Marks>:
    adaptive_height: True
    spacing: dp(8)

# The screen's status line, taking no room while there is nothing to say.
<CareStatus@MDLabel>:
    font_style: "Body"
    role: "large"
    size_hint_y: None
    text_size: self.width, None
    height: self.texture_size[1] if self.text else 0
    theme_text_color: "Custom"
    text_color: app.theme_cls.errorColor

# A line of secondary text, taking no room while empty.
<CareHint@MDLabel>:
    font_style: "Body"
    role: "medium"
    size_hint_y: None
    text_size: self.width, None
    height: self.texture_size[1] if self.text else 0
    theme_text_color: "Secondary"

# Text the server gave (a visit, a session), taking no room while empty.
<CareText@MDLabel>:
    font_style: "Body"
    role: "large"
    size_hint_y: None
    text_size: self.width, None
    height: self.texture_size[1] if self.text else 0

<Field@MDLabel>:
    font_style: "Title"
    role: "small"
    adaptive_height: True
    padding: 0, dp(8), 0, 0
"""
)


class CareRow(ButtonBehavior, MDBoxLayout):
    """One row of a PickList: a title and a detail line; tapped, it is chosen."""

    value = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    selected = BooleanProperty(False)
    #: Drawn in a warm colour (low stock).
    warn = BooleanProperty(False)


class PickList(MDScrollView):
    """Rows to choose one from. `rows` is a list of dicts {value, title, detail, warn}; `value` is
    the chosen one's value ("" for none)."""

    rows = ListProperty()
    value = StringProperty("")

    def on_rows(self, *_args: Any) -> None:
        box = self.ids.rows
        box.clear_widgets()
        for row in self.rows:
            item = CareRow(
                value=row["value"],
                title=row.get("title", ""),
                detail=row.get("detail", ""),
                warn=bool(row.get("warn")),
                selected=row["value"] == self.value,
            )
            item.bind(on_release=self._chosen)
            box.add_widget(item)

    def _chosen(self, row: CareRow) -> None:
        self.value = row.value

    def on_value(self, *_args: Any) -> None:
        for row in self.ids.rows.children:
            row.selected = row.value == self.value


class Choices(MDStackLayout):
    """One button per option; the chosen one is filled. `options` is [(value, label_function)],
    labels are re-read when the language changes."""

    options = ListProperty()
    value = StringProperty("")
    #: Filled for the chosen value: set False for a row of actions, not of choices.
    exclusive = BooleanProperty(True)
    label = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        follow_language(self.rebuild)

    def on_options(self, *_args: Any) -> None:
        self.rebuild()

    def on_value(self, *_args: Any) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        self.clear_widgets()
        for value, label in self.options:
            text = label(value) if callable(label) else str(label)
            button = MDButton(
                MDButtonText(text=text),
                style="filled" if value == self.value else "outlined",
            )
            button.choice = value
            button.bind(on_release=self._chosen)
            self.add_widget(button)

    def _chosen(self, button: Any) -> None:
        self.value = button.choice


class Marks(MDStackLayout):
    """One button per option, any number marked (filled, with a tick): `marked` lists their
    values; a tap sets `tapped` to the value (the screen decides what it means)."""

    options = ListProperty()
    marked = ListProperty()
    tapped = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        follow_language(self.rebuild)

    def on_options(self, *_args: Any) -> None:
        self.rebuild()

    def on_marked(self, *_args: Any) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        self.clear_widgets()
        for value, label in self.options:
            text = label(value) if callable(label) else str(label)
            on = value in self.marked
            button = MDButton(
                MDButtonIcon(icon="check" if on else "close"),
                MDButtonText(text=text),
                style="filled" if on else "outlined",
            )
            button.choice = value
            button.bind(on_release=self._tapped)
            self.add_widget(button)

    def _tapped(self, button: Any) -> None:
        self.tapped = ""
        self.tapped = button.choice


def follow_language(method: Callable[[], Any]) -> None:
    """Calls the bound method after each language switch while its widget lives (a screen
    dropped at sign-out is not kept alive by the listener)."""
    ref = weakref.WeakMethod(method)

    def call(_lang: str) -> None:
        bound = ref()
        if bound is not None:
            bound()

    on_language(call)


def labelled(values: Sequence[str], label: Callable[[str | None], str]) -> list[tuple[str, Any]]:
    """[(value, label)] for Choices.options: labelled(["FOOD", "HYGIENE"], category_label)."""
    return [(value, label) for value in values]


class CareScreen(HavenScreen):
    """A care or stock screen: the shelter it works in and the person it is for."""

    #: Shown under the title: who it is for, or what it is about.
    heading = StringProperty("")
    #: True in landscape: forms sit beside their lists.
    wide = BooleanProperty(True)

    #: False from entering the screen until what it shows has been loaded (or failed to).
    ready = BooleanProperty(False)

    def on_enter(self, *args: Any) -> None:
        self.ready = False
        self.status = ""
        task = self.run(self.refresh())
        task.add_done_callback(lambda _task: setattr(self, "ready", True))

    def on_size(self, *_args: Any) -> None:
        self.wide = self.width > self.height

    @property
    def shelter_id(self) -> str:
        return str(self.app.shelter_id or "")

    @property
    def viewer_id(self) -> str:
        return str((self.app.viewer or {}).get("id") or "")

    def resident_id(self) -> str:
        """The resident param: an ID, or a dict with "id" (from a list the caller had)."""
        resident = self.params.get("resident")
        if isinstance(resident, dict):
            return str(resident.get("id") or "")
        return str(resident or "")

    def shelter_of(self, resident: dict[str, Any] | None) -> str:
        """Where the resident stays now if the server told us, else the tablet's shelter."""
        stay = (resident or {}).get("currentStay") or {}
        shelter = stay.get("shelter") or {}
        return str(shelter.get("id") or self.shelter_id)


def whole_number(text: str) -> int | None:
    """A count typed by a person: digits only, else None."""
    text = text.strip()
    return int(text) if text.isdigit() else None


def local_today() -> dt.date:
    """The shelter's date (the server reads days in the shelter's zone; the tablet's when the
    zone is not known)."""
    return now().date()


def parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_clock(text: str) -> dt.time | None:
    """ "14:30" or "9:05" as a time of day, else None."""
    parts = text.strip().replace(".", ":").split(":")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return dt.time(hour, minute)


def local_moment(day: dt.date, clock: dt.time) -> dt.datetime:
    """A date and time typed on the tablet, in the shelter's time zone (the one times are shown
    in; the tablet's when not known), as the server wants (with offset)."""
    naive = dt.datetime.combine(day, clock)
    zone = time_zone()
    return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()


def next_slot(minutes: int = 30) -> dt.datetime:
    """The next start on a half-hour (by default), in the shelter's zone."""
    moment = now().replace(second=0, microsecond=0)
    step = minutes - moment.minute % minutes
    return moment + dt.timedelta(minutes=step)
