"""Every string the tablet app shows is in each language's catalogue, translated; .kv files hold
no literal text; placeholders survive translation; the bundled font has Kazakh and Uzbek letters.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from mobile.i18n import catalogue
from mobile.i18n.extract import APP_DIR, extract, kv_literals, sources

LANGUAGES = catalogue.LANGUAGES
PLACEHOLDER = re.compile(r"\{(\w*)\}")
#: Words written the same in a translation: the app's name, and Uzbek's "Transport".
SAME_IN_EVERY_SCRIPT = {"Haven", "Transport"}


def test_the_app_has_strings_to_translate() -> None:
    used = extract()
    assert len(used) > 150
    assert "Sign in" in used
    assert "Confirm check-in" in used


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated(lang: str) -> None:
    translated = catalogue.load(lang)
    missing = {msgid: places for msgid, places in extract().items() if msgid not in translated}
    assert not missing, f"{lang}: {len(missing)} strings with no translation: " + "; ".join(
        f"{msgid!r} ({places[0]})" for msgid, places in sorted(missing.items())[:20]
    )


def test_a_missing_entry_is_found(tmp_path: Path) -> None:
    """The check above reads the same files the app reads: an entry taken out is missed."""
    (tmp_path / "screens").mkdir()
    (tmp_path / "screens" / "x.kv").write_text('<X>:\n    text: _("Not in any catalogue")\n')
    (tmp_path / "screens" / "x.py").write_text('title = N_("Also missing")\n')
    used = extract(tmp_path)
    assert set(used) == {"Not in any catalogue", "Also missing"}
    for lang in LANGUAGES:
        assert not set(used) & set(catalogue.load(lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang: str) -> None:
    broken = {
        msgid: text
        for msgid, text in catalogue.load(lang).items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    }
    assert not broken, f"{lang}: placeholders differ: {broken}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_are_not_left_in_english(lang: str) -> None:
    """A translation equal to its English source is a forgotten one (names and codes apart)."""
    same = {
        msgid
        for msgid, text in catalogue.load(lang).items()
        if text == msgid and re.search(r"[a-z]{3}", PLACEHOLDER.sub("", msgid))
    }
    assert same <= SAME_IN_EVERY_SCRIPT, f"{lang}: still English: {sorted(same)}"


def test_no_literal_text_in_kv_files() -> None:
    literals = {
        f"{path.relative_to(APP_DIR)}:{number}": line
        for path in sources()
        if path.suffix == ".kv"
        for number, line in kv_literals(path)
    }
    assert not literals, f"text not going through _(): {literals}"


def test_dates_and_numbers_take_the_language_s_form() -> None:
    day = dt.date(2026, 11, 29)
    forms = {lang: catalogue.format_date(day, lang) for lang in LANGUAGES}
    assert forms["en"] == "Nov 29, 2026"
    assert "нояб" in forms["ru"]
    assert "қар" in forms["kk"]
    assert "noy" in forms["uz"]
    assert catalogue.format_number(1234.5, "en") == "1,234.5"
    assert catalogue.format_number(1234.5, "ru").replace("\xa0", " ") == "1 234,5"


def test_times_are_shown_in_the_shelter_s_zone() -> None:
    from zoneinfo import ZoneInfo

    moment = dt.datetime(2026, 11, 29, 9, 5, tzinfo=dt.UTC)
    tashkent = ZoneInfo("Asia/Tashkent")  # UTC+5, no daylight saving
    assert catalogue.format_time(moment, "ru", zone=tashkent) == "14:05"
    assert "14:05" in catalogue.format_datetime(moment, "ru", form="short", zone=tashkent)


def test_the_bundled_font_draws_kazakh_and_uzbek_letters() -> None:
    from PIL import ImageFont

    font_dir = APP_DIR / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        font = ImageFont.truetype(str(font_dir / name), 24)
        missing_glyph = font.getmask("\uffff").getbbox()
        for letter in "әғқңөұүһіӘҒҚҢӨҰҮҺІ" + "ʻ‘’" + "оʻgʻOʻGʻ":
            assert font.getmask(letter).getbbox() != missing_glyph or letter.isspace(), letter
    assert (font_dir / "LICENSE").exists()
