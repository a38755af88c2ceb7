"""Every string the care and stock screens show is in their catalogue (care.po) of each
language, translated, with the same {placeholders}."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mobile.i18n.catalogue import CATALOGUE_DIR, LANGUAGES, read_entries

SCREENS = Path(__file__).resolve().parents[2] / "mobile" / "screens"
CARE_SCREENS = (
    "handout",
    "service_log",
    "appointment_new",
    "session_new",
    "appointments",
    "visit",
    "sessions",
    "session_record",
    "stock",
    "stock_receive",
    "stock_count",
)
CALL = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)""")
PLACEHOLDER = re.compile(r"{\w+}")


def care_files() -> list[Path]:
    files = sorted(SCREENS.glob("care_*.py"))
    for name in CARE_SCREENS:
        files += [SCREENS / f"{name}.py", SCREENS / f"{name}.kv"]
    return files


def shown_strings() -> set[str]:
    found: set[str] = set()
    for path in care_files():
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(ast.literal_eval(match.group(1)))
    return found


def test_the_screens_show_strings() -> None:
    assert all(path.exists() for path in care_files())
    assert len(shown_strings()) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated(lang: str) -> None:
    catalogue = dict(read_entries(CATALOGUE_DIR / lang / "LC_MESSAGES" / "care.po"))
    missing = sorted(text for text in shown_strings() if not catalogue.get(text))
    assert missing == []
    for msgid, msgstr in catalogue.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


@pytest.mark.parametrize("lang", ["ru", "kk", "uz"])
def test_translations_are_not_the_english(lang: str) -> None:
    catalogue = dict(read_entries(CATALOGUE_DIR / lang / "LC_MESSAGES" / "care.po"))
    same = {msgid for msgid, msgstr in catalogue.items() if msgid == msgstr}
    # units and abbreviations shared by the languages
    assert same <= {"kg", "{minutes} min", "Transport"}
