"""Drives the real tablet app offscreen in a subprocess: a scenario (the body of an async function
of `app` and `ui`) runs inside the app on its asyncio loop, and what it returns comes back as JSON.

    found = run_app('''
        await ui.sign_in("staff.almaty")
        await ui.show("dashboard")
        return {"free": ui.screen.occupancy["free"]}
    ''', server_url=haven_server.url, data_dir=tmp_path / "tablet")
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARK = "APP-RESULT: "
DEMO_PASSWORD = "haven-demo-password"


class AppFailed(AssertionError):
    pass


def headless_environment(kivy_home: Path) -> dict[str, str]:
    kivy_home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "SDL_VIDEODRIVER": "offscreen",
        "KIVY_NO_ARGS": "1",
        "KIVY_HOME": str(kivy_home),
        "KIVY_LOG_MODE": "PYTHON",
        "KIVY_NO_CONSOLELOG": "1",
        "PYTHONPATH": str(ROOT),
    }


def run_app(
    script: str,
    *,
    server_url: str,
    data_dir: Path,
    size: str = "1280x800",
    language: str | None = None,
    timeout: float = 180,
) -> Any:
    """Runs the scenario in a fresh app process; returns what it returned (JSON)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    scenario = data_dir / "scenario.py"
    scenario.write_text(textwrap.dedent(script), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "tests.mobile.app_driver",
        str(scenario),
        "--server",
        server_url,
        "--data-dir",
        str(data_dir),
        "--size",
        size,
    ]
    if language:
        command += ["--language", language]
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=headless_environment(data_dir / "kivy-home"),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise AppFailed(
        f"the app ended ({done.returncode}) after {time.monotonic() - started:.1f} s "
        f"without a result:\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
    )


class UI:
    """What a scenario uses to work the app as a person would."""

    def __init__(self, app: Any) -> None:
        self.app = app

    @property
    def screen(self) -> Any:
        return self.app.manager.current_screen

    async def wait(self, condition: Any, *, timeout: float = 30, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}")
            await asyncio.sleep(0.05)

    async def settle(self, timeout: float = 60) -> None:
        """Waits until no request of the app is out, and a frame was drawn."""
        await asyncio.sleep(0.1)
        await self.wait(lambda: not self.app._tasks, timeout=timeout, what="the app's requests")
        await asyncio.sleep(0.3)  # the screen's fade and a frame drawn

    def press(self, widget: Any) -> None:
        assert not widget.disabled, f"{widget} is disabled"
        widget.dispatch("on_press")
        widget.dispatch("on_release")

    def type(self, field: Any, text: str) -> None:
        field.text = text

    async def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        await self.wait(lambda: self.app.manager.current == "signin", what="sign-in")
        ids = self.screen.ids
        self.type(ids.server, self.app.server_url)
        self.type(ids.username, username)
        self.type(ids.password, password)
        self.press(ids.submit)
        await self.wait(lambda: bool(self.app.viewer), what="signing in")
        await self.settle()

    async def show(self, name: str, **params: Any) -> Any:
        self.app.show(name, **params)
        await self.wait(lambda: self.app.manager.current == name, what=name)
        await self.settle()
        return self.screen

    def screenshot(self, path: str) -> str:
        from kivy.core.window import Window

        return str(Window.screenshot(name=path))


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--server", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--language", default=None)
    args = parser.parse_args()

    from kivy.config import Config

    width, height = args.size.split("x")
    Config.set("graphics", "width", width)
    Config.set("graphics", "height", height)

    from kivy.clock import Clock

    from mobile.app import HavenApp

    body = textwrap.indent(args.scenario.read_text(encoding="utf-8"), "    ")
    namespace: dict[str, Any] = {}
    exec(f"async def scenario(app, ui):\n{body}\n", namespace)  # noqa: S102 — the test's own code
    app = HavenApp(server_url=args.server, data_dir=args.data_dir, language=args.language)

    async def play() -> None:
        try:
            result = await namespace["scenario"](app, UI(app))
            print(MARK + json.dumps(result, default=str), flush=True)
        except BaseException:
            traceback.print_exc()
            print(f"notices: {list(app.notices)}", file=sys.stderr)
        finally:
            app.stop()

    running: list[asyncio.Task[None]] = []  # not app.track: settle() waits for the app's own

    def start(_dt: float) -> None:
        running.append(asyncio.get_event_loop().create_task(play()))

    Clock.schedule_once(start, 0.5)
    asyncio.run(app.async_run(async_lib="asyncio"))


if __name__ == "__main__":
    main()
