"""The offline queue on disk: it survives a restart, keeps its order, keeps every row, and
nobody without the person's password reads what was queued."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from mobile.api import operations
from mobile.api.errors import OutboxLocked, UserError
from mobile.api.outbox import FILE_NAME, Outbox, State

PASSWORD = "correct horse battery staple"


def register(given_name: str) -> dict[str, object]:
    return {
        "input": {
            "givenName": given_name,
            "familyName": "Karimova",
            "sex": "FEMALE",
            "nationality": "UZ",
            "referralSource": "POLICE",
            "documentStatus": "CONFISCATED",
            "consents": {"dataProcessing": True},
        }
    }


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    outbox = Outbox(tmp_path)
    outbox.unlock("staff.almaty", PASSWORD)
    yield outbox
    outbox.close()


def test_the_queue_survives_a_restart_in_order(tmp_path: Path, outbox: Outbox) -> None:
    made = [
        outbox.add("residentRegister", operations.RESIDENT_REGISTER, register(name), "register")
        for name in ("Gulnora", "Dilnoza", "Shahlo")
    ]
    outbox.close()

    again = Outbox(tmp_path)
    again.unlock("staff.almaty", PASSWORD)
    pending = again.pending()
    again.close()

    assert [item.id for item in pending] == sorted(item.id for item in made)
    assert [item.variables["input"]["givenName"] for item in pending] == [
        "Gulnora",
        "Dilnoza",
        "Shahlo",
    ]
    assert [item.idempotency_key for item in pending] == [item.idempotency_key for item in made]
    assert len({item.idempotency_key for item in pending}) == 3
    assert all(item.state is State.PENDING and item.account == "staff.almaty" for item in pending)


def test_what_was_queued_is_unreadable_in_the_file(tmp_path: Path, outbox: Outbox) -> None:
    outbox.add("residentRegister", operations.RESIDENT_REGISTER, register("Gulnora"), "HV new")
    item = outbox.add("checkIn", operations.CHECK_IN, {"input": {"resident": "R", "bed": "B"}})
    outbox.mark_done(item.id, {"stay": {"resident": {"givenName": "Gulnora"}}})
    outbox.close()

    raw = b"".join(path.read_bytes() for path in tmp_path.glob(FILE_NAME + "*"))
    assert b"Gulnora" not in raw and b"Karimova" not in raw
    assert b"HV new" in raw  # the summary, without names, is for anyone who holds the tablet
    assert (tmp_path / FILE_NAME).stat().st_mode & 0o077 == 0


def test_a_wrong_password_does_not_open_the_queue(tmp_path: Path, outbox: Outbox) -> None:
    outbox.add("residentRegister", operations.RESIDENT_REGISTER, register("Gulnora"), "x")
    outbox.close()

    again = Outbox(tmp_path)
    with pytest.raises(OutboxLocked):
        again.pending()  # nobody signed in
    with pytest.raises(OutboxLocked):
        again.unlock("staff.almaty", "a guess")
    with pytest.raises(OutboxLocked):
        again.pending()
    assert again.pending_count() == 0

    # another person on the same tablet sees none of it, and cannot send it
    again.unlock("staff.shymkent", PASSWORD)
    assert again.pending() == [] and again.all() == []
    assert again.waiting_accounts() == {"staff.almaty": 1}
    again.close()


def test_order_and_states(outbox: Outbox) -> None:
    first, second, third = (
        outbox.add("checkIn", operations.CHECK_IN, {"input": {"bed": str(n)}}, f"#{n}")
        for n in range(3)
    )
    outbox.mark_sending(first.id)
    outbox.mark_done(first.id, {"stay": {"id": "S1"}})
    outbox.mark_sending(second.id)  # the app died while sending it: it is sent again
    assert [item.id for item in outbox.pending()] == [second.id, third.id]
    assert outbox.pending()[0].state is State.SENDING
    assert outbox.pending_count() == 2

    outbox.mark_refused(second.id, [UserError("BED_OCCUPIED", ("input", "bed"), "Taken.")])
    done, refused, waiting = outbox.all()
    assert done.payload == {"stay": {"id": "S1"}} and done.attempts == 1
    assert refused.errors == [UserError("BED_OCCUPIED", ("input", "bed"), "Taken.")]
    assert outbox.refused() == [refused]
    assert outbox.pending() == [waiting]
    with pytest.raises(ValueError):
        outbox.mark_done(first.id, {})  # done is done


def test_discard_keeps_the_row(tmp_path: Path, outbox: Outbox) -> None:
    item = outbox.add("checkIn", operations.CHECK_IN, {"input": {"bed": "B"}}, "HV → A/1")
    outbox.mark_refused(item.id, [UserError("BED_OCCUPIED", (), "Taken.")])

    outbox.discard(item.id)

    [kept] = outbox.all()
    assert kept.state is State.DISCARDED and kept.state_at >= kept.created_at
    assert kept.errors[0].code == "BED_OCCUPIED" and kept.variables == {"input": {"bed": "B"}}
    assert outbox.refused() == [] and outbox.pending() == []
    with closing(sqlite3.connect(tmp_path / FILE_NAME)) as raw:
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("DELETE FROM queued_action")


def test_redo_queues_it_again_at_the_end(outbox: Outbox) -> None:
    refused = outbox.add("checkIn", operations.CHECK_IN, {"input": {"bed": "B1"}}, "→ B1")
    later = outbox.add("checkIn", operations.CHECK_IN, {"input": {"bed": "B3"}}, "→ B3")
    outbox.mark_refused(refused.id, [UserError("BED_OCCUPIED", (), "Taken.")])

    again = outbox.redo(refused.id, {"input": {"bed": "B2"}})

    assert again.id > later.id and again.redo_of == refused.id
    assert again.idempotency_key != refused.idempotency_key
    assert again.variables == {"input": {"bed": "B2"}} and again.summary == "→ B1"
    assert [item.id for item in outbox.pending()] == [later.id, again.id]
    assert outbox.get(refused.id).state is State.REDONE and outbox.refused() == []
    with pytest.raises(ValueError):
        outbox.redo(later.id)  # only a refusal is redone


def test_a_changed_password_keeps_the_old_queue_aside(tmp_path: Path, outbox: Outbox) -> None:
    old = outbox.add("checkIn", operations.CHECK_IN, {"input": {"bed": "B1"}}, "→ B1")
    outbox.close()

    # the password was changed on the server: the old queue stays, unread, and new work goes on
    again = Outbox(tmp_path)
    with pytest.raises(OutboxLocked):
        again.unlock("staff.almaty", "the new password")
    again.unlock("staff.almaty", "the new password", new_key=True)
    assert again.pending() == []
    new = again.add("checkIn", operations.CHECK_IN, {"input": {"bed": "B2"}}, "→ B2")
    assert [item.id for item in again.pending()] == [new.id]
    assert again.waiting_accounts() == {"staff.almaty": 2}

    # the old password still opens the old one
    again.unlock("staff.almaty", PASSWORD)
    assert [item.id for item in again.pending()] == [old.id]
    again.close()
