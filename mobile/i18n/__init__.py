"""Translation for the tablet app: `_` in Python and in .kv, switched at runtime.

    from mobile.i18n import _, switch_language
    label.text = _("Sign in")
    switch_language("kk")          # every `text: _("…")` in .kv re-evaluates

In .kv files `_` is a global (no import needed): `text: _("Sign in")`. Kivy's rule compiler
watches `_(` and binds the rule to this translator, so a language switch re-runs the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kivy.event import Observable
from kivy.lang import global_idmap

from mobile.i18n import catalogue
from mobile.i18n.catalogue import LANGUAGE_NAMES, LANGUAGES, SOURCE_LANGUAGE

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "_",
    "current_language",
    "format_date",
    "format_datetime",
    "format_number",
    "format_time",
    "switch_language",
]


class Translator(Observable):
    """A callable that Kivy rules can bind to, as they bind to a property (name "_")."""

    def __init__(self, lang: str = SOURCE_LANGUAGE) -> None:
        super().__init__()
        self.lang = lang
        self.observers: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.strings: dict[str, str] = {}
        self.missing: set[str] = set()
        self.switch(lang)

    def __call__(self, text: str) -> str:
        found = self.strings.get(text)
        if found is None:
            if self.lang != SOURCE_LANGUAGE:
                self.missing.add(text)
            return text
        return found

    def fbind(self, name: str, func: Callable[..., Any], *largs: Any, **kwargs: Any) -> Any:
        if name == "_":
            self.observers.append((func, largs, kwargs))
            return len(self.observers)
        return super().fbind(name, func, *largs, **kwargs)

    def funbind(self, name: str, func: Callable[..., Any], *largs: Any, **kwargs: Any) -> Any:
        if name == "_":
            key = (func, largs, kwargs)
            if key in self.observers:
                self.observers.remove(key)
            return None
        return super().funbind(name, func, *largs, **kwargs)

    def unbind_uid(self, name: str, uid: int) -> None:
        """Kivy unbinds rules by the uid fbind returned; the list keeps its order, so mark it."""
        if name == "_":
            if 0 < uid <= len(self.observers):
                func, largs, kwargs = self.observers[uid - 1]
                self.observers[uid - 1] = (_unbound, (), {})
            return
        super().unbind_uid(name, uid)

    def switch(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.strings = {} if lang == SOURCE_LANGUAGE else catalogue.load(lang)
        self.missing = set()
        for index, (func, largs, _kwargs) in enumerate(list(self.observers)):
            try:
                func(*largs, None, None)
            except ReferenceError:  # the widget of that rule is gone
                self.observers[index] = (_unbound, (), {})


def _unbound(*_args: Any) -> None:
    """Stands in for a rule Kivy unbound."""


#: The one translator; `_("text")` anywhere in the app.
_ = Translator()
global_idmap["_"] = _

#: Called with the new language after every switch (the app re-formats dates, numbers, lists).
_listeners: list[Callable[[str], None]] = []


def current_language() -> str:
    return _.lang


def switch_language(lang: str) -> None:
    _.switch(lang)
    for listener in list(_listeners):
        listener(lang)


def on_language(callback: Callable[[str], None]) -> None:
    """callback(lang) after each switch, for text built in Python (counts, dates)."""
    _listeners.append(callback)


def format_date(value: dt.date | None, *, form: str = "medium") -> str:
    return "" if value is None else catalogue.format_date(value, _.lang, form=form)


#: The shelter's time zone (Shelter.timeZone), which times are shown in; None: the tablet's.
_zone: dt.tzinfo | None = None


def set_time_zone(name: str | None) -> None:
    """Show times in this IANA zone (the signed-in shelter's), or the tablet's own for None or
    a name this device does not know."""
    global _zone
    _zone = None
    if name:
        try:
            _zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            _zone = None


def time_zone() -> dt.tzinfo | None:
    return _zone


def now() -> dt.datetime:
    """This moment in the shelter's zone (the tablet's when unknown)."""
    return dt.datetime.now(dt.UTC).astimezone(_zone)


def format_time(value: dt.datetime | dt.time | None, *, form: str = "short") -> str:
    return "" if value is None else catalogue.format_time(value, _.lang, form=form, zone=_zone)


def format_datetime(value: dt.datetime | None, *, form: str = "medium") -> str:
    return "" if value is None else catalogue.format_datetime(value, _.lang, form=form, zone=_zone)


def format_number(value: int | float | None) -> str:
    return "" if value is None else catalogue.format_number(value, _.lang)


def N_(text: str) -> str:  # noqa: N802 — the gettext name for "mark, translate later"
    """Marks a string for the catalogue where it is defined; `_()` translates it where shown."""
    return text


global_idmap["N_"] = N_
