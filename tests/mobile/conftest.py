"""A real Haven server for each test that asks for one (`haven_server`), over a fresh copy of a
demo database built once per run.

    def test_something(haven_server: HavenServer) -> None:
        client = HavenClient(haven_server.url)
        haven_server.stop()    # the network is gone
        haven_server.start()   # and back, same database and port
        staff = haven_server.as_account("staff.almaty")   # to assert on the server's state
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mobile.server import DemoDatabase, HavenServer


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> DemoDatabase:
    """`haven migrate` and `haven demo` once per run (about 8 s); each server gets a copy."""
    return DemoDatabase.build(tmp_path_factory.mktemp("haven-demo"))


@pytest.fixture
def haven_server(demo_database: DemoDatabase, tmp_path: Path) -> Iterator[HavenServer]:
    """`haven serve` on 127.0.0.1 over this test's own copy of the demo (about 2 s to start);
    stopped at the end whatever happened."""
    server = HavenServer(demo_database.copy_to(tmp_path / "haven-server"))
    try:
        server.start()
        yield server
    finally:
        server.stop()
