"""Every screen of the app, in every language, landscape and portrait, to PNG files — and a check
that no text overflows its widget, every button is at least 48 dp, and no string is untranslated.

    python -m mobile.screenshots --out screenshots      # `make screenshots`: its own demo server
    python -m mobile.screenshots --server http://127.0.0.1:8000 --languages en,kk --sizes 1280x800

Runs the real app offscreen (SDL_VIDEODRIVER=offscreen), signed in as each demo role in turn; a
screen is shot as that role sees it. Writes <out>/<lang>/<size>/<screen>.png and <out>/report.json;
exits 1 if anything was found.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "haven-demo-password"
SIZES = ("1280x800", "800x1280")

#: Who shows which screens: the first role allowed to open a screen shoots it.
ACCOUNTS = (
    ("SHELTER_STAFF", "staff.almaty"),
    ("MEDICAL", "medic.almaty"),
    ("COUNSELLOR", "counsellor.almaty"),
)

#: How Kivy runs without a screen (the caller's own settings win).
HEADLESS = {
    "SDL_VIDEODRIVER": "offscreen",
    "KIVY_NO_ARGS": "1",
    "KIVY_LOG_MODE": "PYTHON",
    "KIVY_NO_CONSOLELOG": "1",
    "KIVY_CLIPBOARD": "dummy",
}

#: Slack for rounding (px) before a texture counts as larger than its widget.
SLACK = 2.0


@dataclass
class Findings:
    overflow: list[str] = field(default_factory=list)
    small_targets: list[str] = field(default_factory=list)
    untranslated: dict[str, list[str]] = field(default_factory=dict)
    shots: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: Seconds each screen took to load and draw, by where.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.overflow or self.small_targets or self.untranslated or self.failed)


# -- a demo server of its own ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def demo_server() -> Iterator[str]:
    """`haven migrate`, `haven demo` and `haven serve` over a temporary SQLite file."""
    import httpx

    with tempfile.TemporaryDirectory(prefix="haven-shots-") as folder:
        port = _free_port()
        env = {
            **os.environ,
            "HAVEN_DATABASE_URL": f"sqlite://{folder}/haven.sqlite3",
            "HAVEN_DATA_KEY_FILE": f"{folder}/haven.key",
            "HAVEN_HOST": "127.0.0.1",
            "HAVEN_PORT": str(port),
            "PYTHONPATH": str(ROOT),
        }
        haven = [sys.executable, "-m", "server.cli"]
        for step in (["migrate"], ["demo", "--if-empty"]):
            subprocess.run([*haven, *step], env=env, cwd=ROOT, check=True, capture_output=True)
        with open(f"{folder}/serve.log", "wb") as log:
            process = subprocess.Popen(
                [*haven, "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
            url = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    try:
                        if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                yield url
            finally:
                process.terminate()
                process.wait(timeout=10)


# -- looking at what is drawn --------------------------------------------------------------------


def _shown(widget: Any) -> bool:
    node = widget
    while node is not None:
        if getattr(node, "opacity", 1) <= 0.01:
            return False
        if node.width <= 1 or node.height <= 1:
            return False
        parent = node.parent
        node = parent if parent is not node else None
    return True


def _inside_pressable(widget: Any) -> bool:
    """A checkbox inside a pressable line: the line is the touch target."""
    from kivy.uix.behaviors import ButtonBehavior

    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ButtonBehavior):
            return True
        node = node.parent
    return False


def inspect(root: Any, where: str, findings: Findings) -> None:
    """Labels whose text is larger than the label; pressable things smaller than 48 dp."""
    from kivy.metrics import dp
    from kivy.uix.behaviors import ButtonBehavior, ToggleButtonBehavior
    from kivy.uix.label import Label
    from kivymd.uix.button import MDButton

    for widget in root.walk(restrict=True):
        if not _shown(widget):
            continue
        name = type(widget).__name__
        if isinstance(widget, Label) and widget.text and not widget.shorten:
            width, height = widget.texture_size
            if width > widget.width + SLACK or height > widget.height + SLACK:
                findings.overflow.append(
                    f"{where}: {name} {widget.text[:40]!r} is {width:.0f}×{height:.0f} "
                    f"in {widget.width:.0f}×{widget.height:.0f}"
                )
        pressable = isinstance(widget, ButtonBehavior | ToggleButtonBehavior | MDButton)
        if pressable and not widget.disabled and not _inside_pressable(widget):
            if min(widget.width, widget.height) < dp(48) - 0.5:
                label = getattr(widget, "text", "") or getattr(widget, "icon", "") or ""
                findings.small_targets.append(
                    f"{where}: {name} {str(label)[:30]!r} is "
                    f"{widget.width:.0f}×{widget.height:.0f} px (< 48 dp)"
                )


# -- the run -------------------------------------------------------------------------------------


async def _ids(app: Any, role: str) -> dict[str, Any]:
    """Params that make each screen show something: a resident staying now, one who is not,
    an appointment and a session of today or later."""
    from mobile.api import care, operations

    client = app.client
    params: dict[str, Any] = {}
    shelter = app.shelter_id
    staying = await client.query(
        operations.RESIDENTS_SEARCH,
        {"search": "HV", "shelter": shelter, "inShelter": True, "first": 1},
    )
    edges = (staying.get("residents") or {}).get("edges") or []
    if edges:
        params["resident"] = edges[0]["node"]["id"]
    gone = await client.query(
        operations.RESIDENTS_SEARCH, {"search": "HV", "inShelter": False, "first": 1}
    )
    edges = (gone.get("residents") or {}).get("edges") or []
    if edges:
        params["outside"] = edges[0]["node"]["id"]
    if role == "MEDICAL":
        found = await client.query(care.APPOINTMENTS, {"shelter": shelter, "first": 5})
        edges = (found.get("appointments") or {}).get("edges") or []
        if edges:
            params["appointment"] = edges[0]["node"]["id"]
    if role == "COUNSELLOR":
        found = await client.query(care.SESSIONS, {"counsellor": app.viewer["id"], "first": 5})
        edges = (found.get("counsellingSessions") or {}).get("edges") or []
        if edges:
            params["session"] = edges[0]["node"]["id"]
    return params


def params_for(name: str, ids: dict[str, Any]) -> dict[str, Any]:
    resident = ids.get("resident")
    if name == "check_in":
        return {"resident": ids.get("outside") or resident}
    if name in ("visit",):
        return {"appointment": ids.get("appointment")}
    if name == "session_record":
        return {"session": ids.get("session")}
    if name in ("find_resident", "dashboard", "pending", "settings", "stock", "appointments"):
        return {}
    return {"resident": resident} if resident else {}


async def _wait_idle(app: Any, seconds: float = 30) -> None:
    """Until the screen's requests are answered, its fade is over and a frame is drawn."""
    await asyncio.sleep(0.1)
    deadline = time.monotonic() + seconds
    while app._tasks and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.25)


async def shoot(app: Any, options: argparse.Namespace, findings: Findings) -> None:
    from kivy.core.window import Window

    from mobile import screens
    from mobile.i18n import _ as translator

    out: Path = options.out
    wanted = set(options.screens.split(",")) if options.screens else None
    done: set[str] = set()
    app.idle_minutes = 24 * 60
    for role, username in ACCOUNTS:
        names = [
            name
            for name in screens.registered()
            if name not in done
            and name != "signin"
            and screens.allowed(role, name)
            and (wanted is None or name in wanted)
        ]
        if not names:
            continue
        await app.sign_in(options.server, username, DEMO_PASSWORD)
        await _wait_idle(app)
        ids = await _ids(app, role)
        for lang in options.languages.split(","):
            app.set_language(lang, save=False)
            translator.missing.clear()
            for size in options.sizes.split(","):
                width, height = (int(part) for part in size.split("x"))
                Window.size = (width, height)
                await asyncio.sleep(0.2)
                for name in names:
                    where = f"{lang}/{size}/{name}"
                    began = time.monotonic()
                    try:
                        app.show(name, **params_for(name, ids))
                        await _wait_idle(app)
                    except Exception as error:  # a screen that fails is a finding, not a stop
                        findings.failed.append(f"{where}: {error!r}")
                        continue
                    target = out / lang / size / f"{name}.png"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    written = Window.screenshot(name=str(target.with_suffix("")) + ".png")
                    if written:
                        Path(written).replace(target)
                    findings.shots.append(str(target))
                    inspect(app.root, where, findings)
                    findings.seconds[where] = round(time.monotonic() - began, 2)
            if translator.missing:
                findings.untranslated.setdefault(lang, []).extend(sorted(translator.missing))
        done.update(names)
        await app.sign_out()
        await _wait_idle(app)
    if wanted is None or "signin" in wanted:
        for lang in options.languages.split(","):
            app.set_language(lang, save=False)
            for size in options.sizes.split(","):
                width, height = (int(part) for part in size.split("x"))
                Window.size = (width, height)
                await _wait_idle(app)
                target = out / lang / size / "signin.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                written = Window.screenshot(name=str(target))
                if written:
                    Path(written).replace(target)
                findings.shots.append(str(target))
                inspect(app.root, f"{lang}/{size}/signin", findings)


def run(options: argparse.Namespace) -> Findings:
    from kivy.clock import Clock
    from kivy.config import Config

    width, height = options.sizes.split(",")[0].split("x")
    Config.set("graphics", "width", width)
    Config.set("graphics", "height", height)

    from mobile.app import HavenApp

    findings = Findings()
    data_dir = Path(tempfile.mkdtemp(prefix="haven-shots-app-"))
    app = HavenApp(server_url=options.server, data_dir=data_dir, language="en")
    running: list[asyncio.Task[None]] = []

    async def play() -> None:
        try:
            await shoot(app, options, findings)
        except Exception as error:
            findings.failed.append(f"the run: {error!r}")
            import traceback

            traceback.print_exc()
        finally:
            app.stop()

    Clock.schedule_once(lambda _dt: running.append(asyncio.ensure_future(play())), 0.5)
    asyncio.run(app.async_run(async_lib="asyncio"))
    return findings


def one_size(options: argparse.Namespace, size: str) -> dict[str, Any]:
    """One window size in an app process of its own (the offscreen window keeps the size it was
    made with), its findings read back from the report it writes."""
    part = options.out / f"report-{size}.json"
    command = [
        sys.executable,
        "-m",
        "mobile.screenshots",
        "--server",
        options.server,
        "--out",
        str(options.out),
        "--languages",
        options.languages,
        "--sizes",
        size,
        "--screens",
        options.screens,
    ]
    subprocess.run(command, cwd=ROOT, check=False)
    if not part.exists():
        return {"failed": [f"{size}: the run wrote no report"]}
    found: dict[str, Any] = json.loads(part.read_text())
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobile.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--server", default=None, help="a running server (default: start one)")
    parser.add_argument("--languages", default="en,ru,kk,uz")
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--screens", default="", help="names, comma-separated (default: all)")
    options = parser.parse_args(argv)
    for name, value in HEADLESS.items():
        os.environ.setdefault(name, value)
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    sizes = options.sizes.split(",")
    with contextlib.ExitStack() as stack:
        if not options.server:
            options.server = stack.enter_context(demo_server())
        if len(sizes) == 1:
            findings = run(options)
            report = {
                "shots": findings.shots,
                "overflow": findings.overflow,
                "small_targets": findings.small_targets,
                "untranslated": findings.untranslated,
                "failed": findings.failed,
                "slowest": sorted(findings.seconds.items(), key=lambda item: -item[1])[:5],
            }
            (options.out / f"report-{sizes[0]}.json").write_text(
                json.dumps(report, ensure_ascii=False, indent=2)
            )
        else:
            report = {"shots": [], "overflow": [], "small_targets": [], "failed": []}
            untranslated: dict[str, list[str]] = {}
            for size in sizes:
                part = one_size(options, size)
                for key in ("shots", "overflow", "small_targets", "failed"):
                    report[key] += part.get(key, [])
                for lang, missing in part.get("untranslated", {}).items():
                    untranslated.setdefault(lang, []).extend(missing)
            report["untranslated"] = untranslated
    report["seconds"] = round(time.monotonic() - started, 1)
    report["when"] = dt.datetime.now().isoformat(timespec="seconds")
    (options.out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    problems = {
        key: report[key]
        for key in ("overflow", "small_targets", "untranslated", "failed")
        if report[key]
    }
    said = json.dumps(problems, ensure_ascii=False, indent=2) if problems else "none"
    shots, seconds = len(report["shots"]), report["seconds"]
    print(f"{shots} screenshots in {options.out} ({seconds} s); problems: {said}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
