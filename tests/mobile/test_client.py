"""HavenClient against a real server: sign-in, a query, a refusal with the server's code, a
server that is gone, a session that has ended."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from fixtures.accounts import DEMO_PASSWORD
from mobile.api import operations
from mobile.api.client import HavenClient
from mobile.api.errors import Refused, SessionEnded, Unreachable
from tests.mobile.server import HavenServer


@pytest.fixture
async def client(haven_server: HavenServer) -> AsyncIterator[HavenClient]:
    client = HavenClient(haven_server.url)
    yield client
    await client.aclose()


async def shelter_id(client: HavenClient, name: str = "Almaty Women's Shelter") -> str:
    viewer = await client.login("staff.almaty", DEMO_PASSWORD)
    return next(str(s["id"]) for s in viewer["shelters"] if s["name"] == name)


def register_input(shelter: str, given_name: str = "Aziza") -> dict[str, Any]:
    return {
        "givenName": given_name,
        "familyName": "Testova",
        "sex": "FEMALE",
        "nationality": "UZ",
        "referralSource": "HOTLINE",
        "documentStatus": "CONFISCATED",
        "shelter": shelter,
        "consents": {"dataProcessing": True, "sharePolice": False},
    }


async def test_signs_in_and_reads_the_dashboard(client: HavenClient) -> None:
    viewer = await client.login("staff.almaty", DEMO_PASSWORD)
    assert viewer["username"] == "staff.almaty" and viewer["role"] == "SHELTER_STAFF"
    assert client.token and client.username == "staff.almaty"
    shelter = next(s["id"] for s in viewer["shelters"] if s["name"] == "Almaty Women's Shelter")

    data = await client.query(operations.DASHBOARD, {"id": shelter, "day": str(date.today())})

    occupancy = data["shelter"]["occupancy"]
    beds = [bed for room in data["shelter"]["rooms"] for bed in room["beds"]]
    assert occupancy["capacity"] == len(beds) > 0
    assert occupancy["occupied"] == sum(bed["status"] == "OCCUPIED" for bed in beds)
    assert all(
        bed["currentStay"]["resident"]["code"].startswith("HV-")
        for bed in beds
        if bed["status"] == "OCCUPIED"
    )
    assert data["lowStock"]["totalCount"] >= 0 and "edges" in data["appointments"]
    assert (await client.query(operations.VIEWER))["viewer"]["username"] == "staff.almaty"


async def test_a_wrong_password_is_refused(client: HavenClient) -> None:
    with pytest.raises(Refused) as refused:
        await client.login("staff.almaty", "not the password")
    assert refused.value.codes == ["LOGIN_FAILED"]
    assert client.token is None


async def test_a_refused_change_carries_the_servers_code(client: HavenClient) -> None:
    shelter = await shelter_id(client)
    without_consent = register_input(shelter)
    without_consent["consents"] = {"dataProcessing": False}
    with pytest.raises(Refused) as refused:
        await client.mutate(
            "residentRegister", operations.RESIDENT_REGISTER, {"input": without_consent}
        )
    assert refused.value.codes == ["CONSENT_REQUIRED"]

    registered = await client.mutate(
        "residentRegister", operations.RESIDENT_REGISTER, {"input": register_input(shelter)}
    )
    resident = registered["resident"]
    assert resident["code"].startswith("HV-") and resident["givenName"] == "Aziza"
    data = await client.query(operations.DASHBOARD, {"id": shelter, "day": str(date.today())})
    occupied = next(
        bed["id"]
        for room in data["shelter"]["rooms"]
        for bed in room["beds"]
        if bed["status"] == "OCCUPIED"
    )
    with pytest.raises(Refused) as refused:
        await client.mutate(
            "checkIn",
            operations.CHECK_IN,
            {"input": {"resident": resident["id"], "bed": occupied}},
            idempotency_key="7b6f0a35-3a53-4f57-9f0e-2f8f2c3f9a10",
        )
    assert refused.value.codes == ["BED_OCCUPIED"]
    assert refused.value.errors[0].message


async def test_a_stopped_server_is_unreachable(
    client: HavenClient, haven_server: HavenServer
) -> None:
    await client.login("staff.almaty", DEMO_PASSWORD)
    haven_server.stop()
    started = time.monotonic()
    with pytest.raises(Unreachable):
        await client.query(operations.VIEWER)
    with pytest.raises(Unreachable):
        await client.mutate("logout", operations.LOGOUT, {})
    assert time.monotonic() - started < 8
    assert client.token  # the session is still ours: the server may come back

    haven_server.start()
    assert (await client.query(operations.VIEWER))["viewer"]["username"] == "staff.almaty"


async def test_after_sign_out_the_session_has_ended(client: HavenClient) -> None:
    shelter = await shelter_id(client)
    token = client.token
    assert await client.logout() is True
    assert client.token is None and client.viewer is None

    with pytest.raises(SessionEnded):
        await client.query(operations.DASHBOARD, {"id": shelter, "day": str(date.today())})
    client.token = token  # the old token is worth nothing now
    with pytest.raises(SessionEnded):
        await client.query(operations.DASHBOARD, {"id": shelter, "day": str(date.today())})
    with pytest.raises(SessionEnded):
        await client.mutate(
            "residentRegister", operations.RESIDENT_REGISTER, {"input": register_input(shelter)}
        )


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_proxy_saying_the_server_is_down_is_unreachable(status: int) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, text="Bad gateway"))
    client = HavenClient("http://haven.test", transport=transport)
    try:
        with pytest.raises(Unreachable):
            await client.query(operations.VIEWER)
    finally:
        await client.aclose()


async def test_no_answer_in_time_is_unreachable() -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = HavenClient("http://haven.test", transport=httpx.MockTransport(too_slow))
    try:
        with pytest.raises(Unreachable):
            await client.query(operations.VIEWER)
    finally:
        await client.aclose()


async def test_a_server_failing_is_a_refusal_not_silence() -> None:
    """A 500 is an answer: the action is shown as refused (to redo), not retried forever."""
    transport = httpx.MockTransport(lambda request: httpx.Response(500, text="Internal error"))
    client = HavenClient("http://haven.test", transport=transport)
    try:
        with pytest.raises(Refused) as refused:
            await client.query(operations.VIEWER)
        assert refused.value.codes == ["SERVER_ERROR"]
    finally:
        await client.aclose()


async def test_the_address_as_typed_at_the_front_desk() -> None:
    client = HavenClient(" 192.168.1.20:8000/ ")
    try:
        assert client.url == "http://192.168.1.20:8000"
        client.url = "https://haven.example.org"
        assert client.url == "https://haven.example.org"
    finally:
        await client.aclose()
