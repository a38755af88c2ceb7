"""A real uvicorn server in a subprocess on 127.0.0.1, and a GraphQL client for it.

with running_server(url, log_path, data_key) as base_url:
    client = GraphQLClient(base_url)
    client.sign_in("coordinator", password)   # later requests carry the bearer token
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
#: How long the server may take to answer /healthz.
START_TIMEOUT = 30.0
#: How long it may take to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0
#: Attempts at starting, should another process take the free port first.
START_ATTEMPTS = 3


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _kill_group(pid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to uvicorn (its supervisor stops its workers), then SIGKILL to whatever is left
    of the process group the server was started in (its own session: nothing else is in it)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.wait(timeout=STOP_TIMEOUT)
    _kill_group(process.pid)  # workers orphaned by a killed supervisor


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                if client.get("/healthz").status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise ServerError(f"the server gave no healthy answer within {START_TIMEOUT:.0f} s")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def running_server(
    database_url: str,
    log_path: Path,
    data_key: str,
    *,
    app: str = "server.app:create_app",
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[str]:
    """Serve Haven on a free port of 127.0.0.1 over ``database_url``; yields the base URL.
    ``app`` is the uvicorn factory (another, e.g. bench.jsonfloor's, must answer /healthz too).

    The server imports this checkout's code (cwd and PYTHONPATH are its root, whatever the
    virtualenv's editable install points at). Its output goes to ``log_path`` (a pipe nobody
    reads would fill and block it). It is stopped on the way out, whatever happened.
    """
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "HAVEN_DATABASE_URL": database_url,
        "HAVEN_ENV": "production",
        "HAVEN_DATA_KEY": data_key,
        **(extra_env or {}),
    }
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            base_url = f"http://{HOST}:{port}"
            if _wait_healthy(process, base_url):
                yield base_url
                return
            if attempt == START_ATTEMPTS:
                raise ServerError(f"the server exited at start:\n{_tail(log_path)}")
        finally:
            _stop(process)


LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token errors { code message } }
}"""


class GraphQLClient:
    """Sequential requests on one kept-alive connection; top-level errors raise."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30.0)

    def sign_in(self, username: str, password: str) -> None:
        """Sign in; every later request carries the session's bearer token."""
        payload = self.data(LOGIN, {"input": {"username": username, "password": password}})
        login = payload["login"]
        if login["errors"] or not login["token"]:
            raise ServerError(f"signing in as {username} refused: {login['errors']}")
        self.http.headers["Authorization"] = f"Bearer {login['token']}"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GraphQLClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        """The raw request, to be timed; check it with :meth:`data_of`."""
        return self.http.post("/graphql", json={"query": query, "variables": variables or {}})

    @staticmethod
    def data_of(response: httpx.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise ServerError(f"HTTP {response.status_code}: {response.text[:500]}")
        body = response.json()
        if body.get("errors"):
            raise ServerError(f"GraphQL errors: {body['errors']}")
        data: dict[str, Any] = body["data"]
        return data

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.data_of(self.post(query, variables))
