"""The tablet's offline queue: every change, in the order made, in a SQLite file that survives
a restart. Nothing is ever deleted; a row only changes state.

    outbox = Outbox(data_dir)                       # <data_dir>/outbox.sqlite3
    outbox.unlock("staff.almaty", password)         # at sign-in: this person's rows, readable
    item = outbox.add("checkIn", operations.CHECK_IN, {"input": {...}}, "HV-2026-000123 → A/2")
    outbox.pending()                                # [QueuedAction, ...] by id
    outbox.mark_done(item.id, payload)              # or mark_refused(item.id, errors)
    outbox.redo(item.id, {"input": {...}})          # a refused action again, at the end

The variables (which may hold a person's name) and the server's answers are encrypted with a
Fernet key derived (scrypt, per-outbox salt and the username) from the person's password, so a
lost tablet's queue is unreadable and only the person who made an action can send it again.
Operation, document and summary (no names) stay readable.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from mobile.api.errors import OutboxLocked, UserError

FILE_NAME = "outbox.sqlite3"
#: scrypt's cost: about 0.1 s and 16 MiB on a tablet, once per sign-in.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
#: Encrypted with the person's key; opening it proves the password.
_CHECK = b"haven outbox"

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_key (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    key_check BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queued_action (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL,
    document TEXT NOT NULL,
    variables BLOB NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    key_id INTEGER NOT NULL REFERENCES outbox_key (id),
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    state_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    payload BLOB,
    summary TEXT NOT NULL DEFAULT '',
    redo_of INTEGER REFERENCES queued_action (id)
);
CREATE INDEX IF NOT EXISTS queued_action_key_state ON queued_action (key_id, state, id);
CREATE TRIGGER IF NOT EXISTS queued_action_kept BEFORE DELETE ON queued_action
BEGIN
    SELECT RAISE(ABORT, 'the outbox keeps every action');
END;
"""


class State(str, Enum):
    PENDING = "pending"
    #: Being sent, or was when the app stopped: sent again (same key) on the next drain.
    SENDING = "sending"
    DONE = "done"
    REFUSED = "refused"
    DISCARDED = "discarded"
    #: A refused action the person made again (the new row's ``redo_of`` names it).
    REDONE = "redone"


#: Not yet answered by the server: replayed by a drain, in order.
UNSENT = (State.PENDING, State.SENDING)


@dataclass(frozen=True)
class QueuedAction:
    id: int
    operation: str
    document: str
    variables: dict[str, Any]
    idempotency_key: str
    account: str
    created_at: datetime
    state: State
    #: When it took its state (e.g. when discarded).
    state_at: datetime
    summary: str
    attempts: int = 0
    errors: list[UserError] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    redo_of: int | None = None


class Outbox:
    def __init__(self, data_dir: str | Path) -> None:
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / FILE_NAME
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        os.chmod(self.path, 0o600)
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.executescript(SCHEMA)
        with self._transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO outbox_meta (name, value) VALUES ('salt', ?)",
                (base64.b64encode(secrets.token_bytes(16)).decode(),),
            )
        self._account: str | None = None
        self._key_id: int | None = None
        self._fernet: Fernet | None = None

    # -- who may read it -------------------------------------------------------------------

    def unlock(self, username: str, password: str, *, new_key: bool = False) -> None:
        """Derive this person's key from their password. The first time it is remembered (as a
        check value); after that a password that opens none of their keys raises OutboxLocked,
        unless ``new_key``: then the actions queued under the old password stay kept, unread,
        until that password is given again, and new ones use the new key (a password changed
        on the server)."""
        fernet = Fernet(self._derive(username, password))
        rows = self._db.execute(
            "SELECT id, key_check FROM outbox_key WHERE username = ? ORDER BY id", (username,)
        ).fetchall()
        for row in rows:
            try:
                fernet.decrypt(row["key_check"])
            except InvalidToken:
                continue
            self._account, self._key_id, self._fernet = username, row["id"], fernet
            return
        if rows and not new_key:
            raise OutboxLocked(f"the password does not open {username}'s queue")
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO outbox_key (username, key_check, created_at) VALUES (?, ?, ?)",
                (username, fernet.encrypt(_CHECK), _now().isoformat()),
            )
        self._account, self._key_id, self._fernet = username, cursor.lastrowid, fernet

    def lock(self) -> None:
        """Forget the key (at sign-out)."""
        self._account = self._key_id = self._fernet = None

    @property
    def account(self) -> str | None:
        return self._account

    def _derive(self, username: str, password: str) -> bytes:
        salt = base64.b64decode(
            self._db.execute("SELECT value FROM outbox_meta WHERE name = 'salt'").fetchone()[0]
        )
        kdf = Scrypt(salt=salt + username.encode(), length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
        return base64.urlsafe_b64encode(kdf.derive(password.encode()))

    def _key(self) -> tuple[int, str, Fernet]:
        if self._account is None or self._key_id is None or self._fernet is None:
            raise OutboxLocked("sign in to open the queue")
        return self._key_id, self._account, self._fernet

    # -- adding and reading ----------------------------------------------------------------

    def add(
        self, operation: str, document: str, variables: dict[str, Any], summary: str = ""
    ) -> QueuedAction:
        """A new pending action, behind every other, with an idempotency key of its own."""
        key_id, account, fernet = self._key()
        now = _now().isoformat()
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO queued_action (operation, document, variables, idempotency_key,"
                " account, key_id, created_at, state, state_at, summary)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    operation,
                    document,
                    _seal(fernet, variables),
                    str(uuid.uuid4()),
                    account,
                    key_id,
                    now,
                    State.PENDING.value,
                    now,
                    summary,
                ),
            )
        assert cursor.lastrowid is not None
        return self.get(cursor.lastrowid)

    def get(self, id: int) -> QueuedAction:
        key_id, _, fernet = self._key()
        row = self._db.execute(
            "SELECT * FROM queued_action WHERE id = ? AND key_id = ?", (id, key_id)
        ).fetchone()
        if row is None:
            raise KeyError(id)
        return _action(row, fernet)

    def pending(self) -> list[QueuedAction]:
        """Not yet answered, in the order made: what a drain sends."""
        return self._select(UNSENT)

    def refused(self) -> list[QueuedAction]:
        """Refused and not yet redone or discarded: for the person to decide."""
        return self._select((State.REFUSED,))

    def all(self) -> list[QueuedAction]:
        """This person's every action, in the order made."""
        return self._select(tuple(State))

    def pending_count(self) -> int:
        """This person's unsent actions (0 while locked)."""
        if self._key_id is None:
            return 0
        return self._count(self._key_id, UNSENT)

    def waiting_accounts(self) -> dict[str, int]:
        """Everyone's unsent actions, by username: others' (and those under a password since
        changed) wait for the key that opens them."""
        rows = self._db.execute(
            "SELECT account, count(*) FROM queued_action WHERE state IN (?, ?) GROUP BY account",
            tuple(state.value for state in UNSENT),
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    # -- what became of an action -------------------------------------------------------------

    def mark_sending(self, id: int) -> None:
        self._update(id, UNSENT, State.SENDING, "attempts = attempts + 1")

    def mark_pending(self, id: int) -> None:
        """Not answered after all: sent again with the next drain."""
        self._update(id, UNSENT, State.PENDING)

    def mark_done(self, id: int, payload: dict[str, Any]) -> None:
        _, _, fernet = self._key()
        self._update(id, UNSENT, State.DONE, "payload = ?", (_seal(fernet, payload),))

    def mark_refused(self, id: int, errors: list[UserError]) -> None:
        text = json.dumps([error.to_json() for error in errors], ensure_ascii=False)
        self._update(id, UNSENT, State.REFUSED, "errors = ?", (text,))

    def discard(self, id: int) -> None:
        """The person gave the action up: kept, as discarded, with the time."""
        self._update(id, (*UNSENT, State.REFUSED), State.DISCARDED)

    def redo(self, id: int, variables: dict[str, Any] | None = None) -> QueuedAction:
        """A refused action made again (with new variables, or the same), as a new action at the
        end with a new key; the refused one is kept as redone."""
        old = self.get(id)
        if old.state is not State.REFUSED:
            raise ValueError(f"action {id} is {old.state.value}, not refused")
        with self._transaction():
            self._update(id, (State.REFUSED,), State.REDONE)
            item = self.add(
                old.operation,
                old.document,
                old.variables if variables is None else variables,
                old.summary,
            )
            self._db.execute("UPDATE queued_action SET redo_of = ? WHERE id = ?", (id, item.id))
        return self.get(item.id)

    def close(self) -> None:
        self._db.close()

    # -- the file --------------------------------------------------------------------------

    def _select(self, states: tuple[State, ...]) -> list[QueuedAction]:
        key_id, _, fernet = self._key()
        marks = ", ".join("?" * len(states))
        rows = self._db.execute(
            f"SELECT * FROM queued_action WHERE key_id = ? AND state IN ({marks}) ORDER BY id",
            (key_id, *(state.value for state in states)),
        ).fetchall()
        return [_action(row, fernet) for row in rows]

    def _count(self, key_id: int, states: tuple[State, ...]) -> int:
        marks = ", ".join("?" * len(states))
        row = self._db.execute(
            f"SELECT count(*) FROM queued_action WHERE key_id = ? AND state IN ({marks})",
            (key_id, *(state.value for state in states)),
        ).fetchone()
        return int(row[0])

    def _update(
        self,
        id: int,
        allowed: tuple[State, ...],
        state: State,
        extra: str = "",
        parameters: tuple[Any, ...] = (),
    ) -> None:
        key_id, _, _ = self._key()
        marks = ", ".join("?" * len(allowed))
        assignments = ", ".join(filter(None, ["state = ?", "state_at = ?", extra]))
        statement = (
            f"UPDATE queued_action SET {assignments}"
            f" WHERE id = ? AND key_id = ? AND state IN ({marks})"
        )
        values = (
            state.value,
            _now().isoformat(),
            *parameters,
            id,
            key_id,
            *(s.value for s in allowed),
        )
        with self._transaction():
            changed = self._db.execute(statement, values).rowcount
        if changed != 1:
            raise ValueError(f"action {id} cannot become {state.value}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._db.in_transaction:  # inside another (redo's)
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _now() -> datetime:
    return datetime.now(UTC)


def _seal(fernet: Fernet, value: dict[str, Any]) -> bytes:
    return fernet.encrypt(json.dumps(value, ensure_ascii=False).encode())


def _open(fernet: Fernet, token: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(fernet.decrypt(token))
    return value


def _action(row: sqlite3.Row, fernet: Fernet) -> QueuedAction:
    return QueuedAction(
        id=row["id"],
        operation=row["operation"],
        document=row["document"],
        variables=_open(fernet, row["variables"]),
        idempotency_key=row["idempotency_key"],
        account=row["account"],
        created_at=datetime.fromisoformat(row["created_at"]),
        state=State(row["state"]),
        state_at=datetime.fromisoformat(row["state_at"]),
        summary=row["summary"],
        attempts=row["attempts"],
        errors=[UserError.from_json(error) for error in json.loads(row["errors"])],
        payload=None if row["payload"] is None else _open(fernet, row["payload"]),
        redo_of=row["redo_of"],
    )
