"""Actions against a real server that goes away and comes back: what was done offline happens
on the server exactly once, in order, and what the server refuses on replay is kept, shown, and
can be made again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.accounts import DEMO_PASSWORD
from mobile.api import operations
from mobile.api.actions import Queued, RefusedResult, Sent
from mobile.api.errors import SessionEnded
from mobile.api.outbox import State
from tests.mobile.server import HavenServer, ServerAccount
from tests.mobile.tablet import Tablet

STAYS = """
query Stays($id: ID!) {
  resident(id: $id) { code stays { id active bed { id } bedHistory { bed { id } } } }
}"""

SHELTER_BEDS = """
query Beds($id: ID!) { shelter(id: $id) { rooms { beds { id status } } } }"""


@pytest.fixture
async def tablet(haven_server: HavenServer, tmp_path: Path) -> AsyncIterator[Tablet]:
    tablet = await Tablet.sign_in(haven_server.url, tmp_path / "tablet")
    yield tablet
    await tablet.close()


def stays_of(staff: ServerAccount, resident: str) -> list[dict[str, Any]]:
    stays: list[dict[str, Any]] = staff.data(STAYS, {"id": resident})["resident"]["stays"]
    return stays


async def test_offline_actions_happen_once_after_a_restart(
    haven_server: HavenServer, tablet: Tablet, tmp_path: Path
) -> None:
    # given three people registered and three free beds, then the server gone
    residents = [await tablet.register(name) for name in ("Madina", "Zarina", "Feruza")]
    beds = await tablet.free_beds(3)
    haven_server.stop()

    # when three check-ins are made, they are queued
    changes: list[int] = []
    tablet.actions.on_change(lambda: changes.append(tablet.actions.pending_count))
    results = [await tablet.check_in(r, b) for r, b in zip(residents, beds, strict=True)]
    assert all(isinstance(result, Queued) for result in results)
    assert tablet.actions.pending_count == 3 and changes[-1] == 3

    # and the app restarts, the server comes back, the person signs in again
    await tablet.close()
    haven_server.start()
    tablet = await Tablet.sign_in(haven_server.url, tmp_path / "tablet")
    try:
        assert tablet.actions.pending_count == 3
        drained = await tablet.actions.drain()
        assert [type(result) for result in drained] == [Sent, Sent, Sent]
        assert tablet.actions.pending_count == 0
        assert await tablet.actions.drain() == []
    finally:
        await tablet.close()

    # then each check-in happened on the server exactly once, in its bed
    staff = haven_server.as_account("staff.almaty")
    for resident, bed in zip(residents, beds, strict=True):
        [stay] = stays_of(staff, resident)
        assert stay["active"] and stay["bed"]["id"] == bed
        assert [assignment["bed"]["id"] for assignment in stay["bedHistory"]] == [bed]


async def test_a_replay_after_a_crash_has_one_effect(
    haven_server: HavenServer, tablet: Tablet
) -> None:
    # given a check-in that reached the server, but the app died before noting the answer
    [resident] = [await tablet.register("Sevara")]
    [bed] = await tablet.free_beds(1)
    variables = {"input": {"resident": resident, "bed": bed}}
    item = tablet.outbox.add("checkIn", operations.CHECK_IN, variables, "check-in")
    tablet.outbox.mark_sending(item.id)
    first = await tablet.client.mutate(
        "checkIn", operations.CHECK_IN, variables, idempotency_key=item.idempotency_key
    )

    # when the queue is drained, twice, it is sent again with the same key
    [replayed] = await tablet.actions.drain()
    assert await tablet.actions.drain() == []

    # then the server answered with the first stay, and there is one
    assert isinstance(replayed, Sent)
    assert replayed.payload["stay"]["id"] == first["stay"]["id"]
    assert tablet.outbox.get(item.id).state is State.DONE
    assert tablet.outbox.get(item.id).attempts == 2
    assert len(stays_of(haven_server.as_account("staff.almaty"), resident)) == 1


async def test_a_bed_taken_meanwhile_is_refused_and_kept(
    haven_server: HavenServer, tablet: Tablet
) -> None:
    # given three check-ins queued offline
    residents = [await tablet.register(name) for name in ("Malika", "Nodira", "Umida")]
    beds = await tablet.free_beds(4)
    haven_server.stop()
    for resident, bed in zip(residents, beds, strict=False):
        assert isinstance(await tablet.check_in(resident, bed), Queued)

    # and another tablet gave the second bed to someone else meanwhile
    haven_server.start()
    other = await Tablet.sign_in(haven_server.url, haven_server.database.database.parent / "t2")
    try:
        someone = await other.register("Shoira")
        assert isinstance(await other.check_in(someone, beds[1]), Sent)
    finally:
        await other.close()

    # when the queue is drained
    first, second, third = await tablet.actions.drain()

    # then the second is refused with the server's code, kept, and the third still went
    assert isinstance(first, Sent) and isinstance(third, Sent)
    assert isinstance(second, RefusedResult)
    assert [error.code for error in second.errors] == ["BED_OCCUPIED"]
    assert tablet.outbox.refused() == [second.item]
    assert tablet.actions.pending_count == 0
    staff = haven_server.as_account("staff.almaty")
    assert stays_of(staff, residents[1]) == []
    assert len(stays_of(staff, residents[2])) == 1

    # when the person redoes it with another bed, it goes through
    again = await tablet.actions.redo(
        second.item.id, {"input": {"resident": residents[1], "bed": beds[3]}}
    )
    assert isinstance(again, Sent)
    assert again.payload["stay"]["bed"]["id"] == beds[3]
    assert tablet.outbox.get(second.item.id).state is State.REDONE
    assert tablet.outbox.refused() == []
    [stay] = stays_of(staff, residents[1])
    assert stay["bed"]["id"] == beds[3]


async def test_a_new_action_waits_behind_the_pending_ones(
    haven_server: HavenServer, tablet: Tablet
) -> None:
    # given a check-in into a bed queued offline
    first, second = [await tablet.register(name) for name in ("Dildora", "Kamila")]
    [bed] = await tablet.free_beds(1)
    haven_server.stop()
    queued = await tablet.check_in(first, bed)
    assert isinstance(queued, Queued)

    # when the server is back and another check-in into the same bed is made
    haven_server.start()
    result = await tablet.check_in(second, bed)

    # then the first went first: the bed is hers, and the second is refused
    assert isinstance(result, RefusedResult)
    assert [error.code for error in result.errors] == ["BED_OCCUPIED"]
    assert tablet.outbox.get(queued.item.id).state is State.DONE
    staff = haven_server.as_account("staff.almaty")
    assert stays_of(staff, first)[0]["bed"]["id"] == bed


async def test_a_discarded_refusal_is_kept_and_not_sent(
    haven_server: HavenServer, tablet: Tablet
) -> None:
    resident = await tablet.register("Lola")
    occupied = next(
        bed["id"]
        for room in haven_server.as_account("staff.almaty").data(
            SHELTER_BEDS, {"id": tablet.shelter}
        )["shelter"]["rooms"]
        for bed in room["beds"]
        if bed["status"] == "OCCUPIED"
    )
    refused = await tablet.check_in(resident, occupied)
    assert isinstance(refused, RefusedResult)

    tablet.actions.discard(refused.item.id)

    assert await tablet.actions.drain() == []
    assert tablet.outbox.get(refused.item.id).state is State.DISCARDED
    assert stays_of(haven_server.as_account("staff.almaty"), resident) == []


async def test_an_ended_session_keeps_the_action_queued(
    haven_server: HavenServer, tablet: Tablet
) -> None:
    resident = await tablet.register("Nigora")
    [bed] = await tablet.free_beds(1)
    tablet.client.token = "ended"

    with pytest.raises(SessionEnded):
        await tablet.check_in(resident, bed)

    assert tablet.actions.pending_count == 1
    await tablet.client.login("staff.almaty", DEMO_PASSWORD)
    [sent] = await tablet.actions.drain()
    assert isinstance(sent, Sent)
    assert len(stays_of(haven_server.as_account("staff.almaty"), resident)) == 1
