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
        # No X clipboard tools on a headless machine: Kivy's probing of them is only noise.
        "KIVY_CLIPBOARD": "dummy",
        "PYTHONPATH": str(ROOT),
    }


def run_app(
    script: str,
    *,
    server_url: str,
    data_dir: Path,
    size: str = "1280x800",
    language: str | None = None,
    timeout: float = 240,
) -> Any:
    """Runs the scenario in a fresh app process; returns what it returned (JSON)."""
    return AppRun(script, server_url=server_url, data_dir=data_dir, size=size, language=language)(
        timeout=timeout
    )


class AppRun:
    """An app process running a scenario, with hand-shakes: the scenario's
    `await ui.handshake("offline")` waits until the test calls `run.go("offline")`.

        run = AppRun(script, server_url=url, data_dir=tablet)
        run.reached("offline"); server.stop(); run.go("offline")
        result = run()
    """

    def __init__(
        self,
        script: str,
        *,
        server_url: str,
        data_dir: Path,
        size: str = "1280x800",
        language: str | None = None,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        for old in data_dir.glob("*.ready"):
            old.unlink()
        for old in data_dir.glob("*.go"):
            old.unlink()
        scenario = data_dir / "scenario.py"
        scenario.write_text(textwrap.dedent(script), encoding="utf-8")
        command = self.command(scenario, server_url, data_dir, size, language)
        self.started = time.monotonic()
        self.output = data_dir / "app-output.txt"
        with self.output.open("w") as sink:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=headless_environment(data_dir / "kivy-home"),
                stdout=subprocess.PIPE,
                stderr=sink,
                text=True,
            )

    @staticmethod
    def command(
        scenario: Path, server_url: str, data_dir: Path, size: str, language: str | None
    ) -> list[str]:
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
        return command

    def reached(self, name: str, timeout: float = 120) -> None:
        """Waits until the scenario reaches `await ui.handshake(name)`."""
        deadline = time.monotonic() + timeout
        while not (self.data_dir / f"{name}.ready").exists():
            if self.process.poll() is not None:
                self(timeout=1)
            if time.monotonic() > deadline:
                raise AppFailed(f"the app did not reach {name!r}: {self.errors()}")
            time.sleep(0.1)

    def go(self, name: str) -> None:
        (self.data_dir / f"{name}.go").touch()

    def errors(self) -> str:
        return self.output.read_text(errors="replace")[-6000:]

    def __call__(self, *, timeout: float = 240) -> Any:
        try:
            stdout, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, _ = self.process.communicate()
        for line in stdout.splitlines():
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :])
        raise AppFailed(
            f"the app ended ({self.process.returncode}) after "
            f"{time.monotonic() - self.started:.1f} s without a result:\n{stdout[-3000:]}\n"
            f"{self.errors()}"
        )


class UI:
    """What a scenario uses to work the app as a person would."""

    def __init__(self, app: Any) -> None:
        self.app = app

    @property
    def screen(self) -> Any:
        return self.app.manager.current_screen

    async def wait(self, condition: Any, *, timeout: float = 60, what: str = "") -> None:
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
        # The screen loads in on_enter, once its transition has ended: until then no request
        # of it is out, and settling alone could return before it began.
        manager = self.app.manager
        await self.wait(
            lambda: manager.current == name and not manager.transition.is_active, what=name
        )
        await self.settle()
        return self.screen

    async def handshake(self, name: str, timeout: float = 120) -> None:
        """Tells the test this point is reached, and waits for it to say go."""
        data_dir = Path(self.app._data_dir)
        (data_dir / f"{name}.ready").touch()
        await self.wait(lambda: (data_dir / f"{name}.go").exists(), timeout=timeout, what=name)

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
