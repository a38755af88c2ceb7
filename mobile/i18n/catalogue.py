"""The app's translation catalogues and the locale's forms of dates and numbers, without Kivy.

catalogue = load("kk")                 # every .po in i18n/kk/LC_MESSAGES, merged
catalogue.get("Sign in", "Sign in")    # 'Кіру'
format_date(date(2026, 11, 29), "uz")  # '29-noy, 2026'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.pofile import read_po

#: The folder holding <lang>/LC_MESSAGES/<domain>.po.
CATALOGUE_DIR = Path(__file__).resolve().parent

#: The app's languages, in the order the settings screen offers them.
LANGUAGES: tuple[str, ...] = ("en", "ru", "kk", "uz")

#: Each language named in itself, as a person looks for it in a list.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "kk": "Қазақша",
    "uz": "Oʻzbekcha",
}

#: The Babel locale of each language: Uzbek is written in the Latin script.
LOCALES: dict[str, str] = {"en": "en", "ru": "ru", "kk": "kk", "uz": "uz_Latn"}

#: The language the source strings are written in.
SOURCE_LANGUAGE = "en"


def catalogue_files(lang: str, *, root: Path = CATALOGUE_DIR) -> list[Path]:
    """The .po files of one language (haven.po, care.po, …), by name."""
    return sorted((root / lang / "LC_MESSAGES").glob("*.po"))


def read_entries(path: Path) -> Iterator[tuple[str, str]]:
    """(msgid, msgstr) of one .po file, the header left out; msgstr may be empty."""
    with path.open("rb") as file:
        catalog = read_po(file)
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        text = message.string if isinstance(message.string, str) else ""
        yield message.id, text


def load(lang: str, *, root: Path = CATALOGUE_DIR) -> dict[str, str]:
    """Every translated string of a language, all its .po files merged (empty ones left out)."""
    merged: dict[str, str] = {}
    for path in catalogue_files(lang, root=root):
        for msgid, text in read_entries(path):
            if text:
                merged[msgid] = text
    return merged


def locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, lang))


def format_date(value: dt.date, lang: str, *, form: str = "medium") -> str:
    """A date as the language writes it: format_date(d, "ru") -> '29 нояб. 2026 г.'."""
    return babel_dates.format_date(value, format=form, locale=locale(lang))


def format_time(
    value: dt.datetime | dt.time, lang: str, *, form: str = "short", zone: dt.tzinfo | None = None
) -> str:
    """A time of day: format_time(t, "en") -> '2:05 PM'. A moment is shown in ``zone`` (the
    shelter's), the tablet's own when None."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(zone)
    return babel_dates.format_time(value, format=form, locale=locale(lang))


def format_datetime(
    value: dt.datetime, lang: str, *, form: str = "medium", zone: dt.tzinfo | None = None
) -> str:
    """A moment in ``zone`` (the shelter's; the tablet's own when None):
    format_datetime(now, "kk")."""
    if value.tzinfo is not None:
        value = value.astimezone(zone)
    return babel_dates.format_datetime(value, format=form, locale=locale(lang))


def format_number(value: int | float, lang: str) -> str:
    """A number with the language's separators: format_number(1234.5, "ru") -> '1 234,5'."""
    return babel_numbers.format_decimal(value, locale=locale(lang))


def parse_moment(text: str | None) -> dt.datetime | None:
    """A server DateTime (ISO 8601, with its offset) or None."""
    if not text:
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_day(text: str | None) -> dt.date | None:
    """A server Date (YYYY-MM-DD) or None."""
    if not text:
        return None
    return dt.date.fromisoformat(text)
