"""`make screenshots` as a test: every screen, as the role that uses it sees it, in the four
languages at 1280×800 (and in Kazakh, the longest words, at 800×1280), with no text wider or
taller than its widget, no touch target under 48 dp and no string missing from a catalogue.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mobile import screens
from tests.mobile.app_driver import ROOT, headless_environment
from tests.mobile.server import HavenServer

LANGUAGES = ("en", "ru", "kk", "uz")


def shoot(server: HavenServer, out: Path, *, languages: str, sizes: str) -> dict[str, object]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mobile.screenshots",
            "--server",
            server.url,
            "--out",
            str(out),
            "--languages",
            languages,
            "--sizes",
            sizes,
        ],
        cwd=ROOT,
        env=headless_environment(out / "kivy-home"),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    report_file = out / "report.json"
    assert report_file.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    report: dict[str, object] = json.loads(report_file.read_text())
    return report


def test_every_screen_in_every_language_fits(haven_server: HavenServer, tmp_path: Path) -> None:
    out = tmp_path / "screenshots"
    report = shoot(haven_server, out, languages=",".join(LANGUAGES), sizes="1280x800")
    assert report["failed"] == []
    assert report["untranslated"] == {}
    assert report["overflow"] == []
    assert report["small_targets"] == []
    names = screens.registered()
    expected = {out / lang / "1280x800" / f"{name}.png" for lang in LANGUAGES for name in names}
    missing = sorted(str(path) for path in expected if not path.exists())
    assert not missing, missing
    assert all(path.stat().st_size > 10_000 for path in expected)


def test_portrait_in_kazakh_fits(haven_server: HavenServer, tmp_path: Path) -> None:
    out = tmp_path / "screenshots"
    report = shoot(haven_server, out, languages="kk", sizes="800x1280")
    assert report["failed"] == []
    assert report["overflow"] == []
    assert report["small_targets"] == []
    shots = list((out / "kk" / "800x1280").glob("*.png"))
    assert len(shots) == len(screens.registered())
