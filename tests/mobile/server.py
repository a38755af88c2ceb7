"""A real Haven server for the tablet app's tests: `haven serve` in a subprocess on 127.0.0.1,
over a SQLite database of its own, migrated and holding the demo network.

    template = DemoDatabase.build(tmp)                 # migrate + demo, once per test run
    server = HavenServer(template.copy_to(tmp / "s"))  # a fresh copy for one test
    server.start()
    staff = server.as_account("staff.almaty")          # httpx, to assert on the server's state
    staff.data("{ viewer { username } }")
    server.stop(); server.start()                      # the same database, the same port
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from fixtures.accounts import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
HAVEN = [sys.executable, "-m", "server.cli"]
#: How long `haven serve` may take to answer after it was started.
START_SECONDS = 30.0

LOGIN = """mutation Login($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) { token errors { code message } }
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class DemoDatabase:
    """A migrated database with the demo loaded, and the data key its notes were written with."""

    database: Path
    key_file: Path

    @classmethod
    def build(cls, directory: Path) -> DemoDatabase:
        directory.mkdir(parents=True, exist_ok=True)
        built = cls(directory / "haven.sqlite3", directory / "haven.key")
        environment = built.environment(port=0)
        for command in (["migrate"], ["demo", "--if-empty"]):
            done = subprocess.run(
                [*HAVEN, *command],
                env=environment,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0:
                raise RuntimeError(f"haven {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
        return built

    def copy_to(self, directory: Path) -> DemoDatabase:
        """A copy of the database (and its journal files, if any) and of the key."""
        directory.mkdir(parents=True, exist_ok=True)
        for path in self.database.parent.glob(self.database.name + "*"):
            shutil.copy2(path, directory / path.name)
        shutil.copy2(self.key_file, directory / self.key_file.name)
        return DemoDatabase(directory / self.database.name, directory / self.key_file.name)

    def environment(self, *, port: int) -> dict[str, str]:
        return {
            **os.environ,
            "HAVEN_DATABASE_URL": f"sqlite://{self.database}",
            "HAVEN_DATA_KEY_FILE": str(self.key_file),
            "HAVEN_PORT": str(port),
            "HAVEN_HOST": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }


class HavenServer:
    """`haven serve` over one database, on one port for its whole life."""

    def __init__(self, database: DemoDatabase, *, port: int | None = None) -> None:
        self.database = database
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = database.database.parent / "serve.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._tokens: dict[str, str] = {}

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Serve, and return once the server answers."""
        if self.running:
            return
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [*HAVEN, "serve"],
            env=self.database.environment(port=self.port),
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        log = self.log_path.read_text(errors="replace")
        self.stop()
        raise RuntimeError(f"haven serve did not answer within {START_SECONDS} s:\n{log}")

    def stop(self) -> None:
        """Stop serving; the database stays. Calling it again does nothing."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def as_account(self, username: str, password: str = DEMO_PASSWORD) -> ServerAccount:
        """Someone signed in on the server (one sign-in per account and server)."""
        if username not in self._tokens:
            body = httpx.post(
                f"{self.url}/graphql",
                json={"query": LOGIN, "variables": {"username": username, "password": password}},
                timeout=30,
            ).json()
            signed_in = body["data"]["login"]
            if signed_in["errors"]:
                raise RuntimeError(f"{username} could not sign in: {signed_in['errors']}")
            self._tokens[username] = signed_in["token"]
        return ServerAccount(self.url, self._tokens[username])


@dataclass(frozen=True)
class ServerAccount:
    """Posts GraphQL as one signed-in person; ``data`` fails on any top-level error."""

    url: str
    token: str

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert response.status_code < 500, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.post(query, variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data
