"""What `make run` does, as a newcomer would meet it: migrate, load the demo, serve, and answer
an occupancy query over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.accounts import DEMO_PASSWORD

HAVEN = [sys.executable, "-m", "server.cli"]
ROOT = Path(__file__).resolve().parents[2]

OCCUPANCY = "{ occupancy { total { capacity free } regions { shelters { shelter { name } } } } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HAVEN_DATABASE_URL": f"sqlite://{tmp_path / 'haven.sqlite3'}",
        "HAVEN_DATA_KEY_FILE": str(tmp_path / "haven.key"),
        "HAVEN_PORT": str(_free_port()),
        "PYTHONPATH": str(ROOT),
    }


def _haven(environment: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [*HAVEN, *arguments], env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def served(environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    _haven(environment, "migrate")
    _haven(environment, "demo", "--if-empty")
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*HAVEN, "serve"], env=environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{environment['HAVEN_PORT']}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(
                "haven serve did not answer within 30 s: " + (tmp_path / "serve.log").read_text()
            )
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


LOGIN = """mutation ($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) { token errors { code } } }"""


def test_demo_network_is_served_with_graphiql(served: str, environment: dict[str, str]) -> None:
    # the coordinator printed by `haven demo` signs in and sees every shelter
    credentials = {"username": "coordinator", "password": DEMO_PASSWORD}
    signed_in = httpx.post(
        f"{served}/graphql", json={"query": LOGIN, "variables": credentials}, timeout=10
    ).json()["data"]["login"]
    assert signed_in["errors"] == []
    headers = {"authorization": f"Bearer {signed_in['token']}"}
    body = httpx.post(
        f"{served}/graphql", json={"query": OCCUPANCY}, headers=headers, timeout=10
    ).json()
    occupancy = body["data"]["occupancy"]
    names = [s["shelter"]["name"] for r in occupancy["regions"] for s in r["shelters"]]
    assert len(names) == 12
    assert 200 <= occupancy["total"]["capacity"] <= 300

    page = httpx.get(f"{served}/graphql", headers={"accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "graphiql" in page.text.lower()

    # without signing in, nothing
    anonymous = httpx.post(f"{served}/graphql", json={"query": OCCUPANCY}, timeout=10).json()
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # a second `haven demo --if-empty` leaves the data as it is, and prints the accounts again
    again = _haven(environment, "demo", "--if-empty")
    assert "left as it is" in again and "staff.almaty" in again and DEMO_PASSWORD in again
