"""Notes are encrypted at rest, read back for the allowed role, and survive a key rotation."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from tortoise import Tortoise

from server.domain.clock import now
from server.domain.keys import encrypted_models, reencrypt, reencrypt_all
from server.encryption import DataKeyError, Keyring, install, installed, read_key_file
from server.models import CaseNote, Role, User
from server.schema.relay import encode_id
from server.settings import Settings
from tests.conftest import DATA_KEY, GraphQLClient, sign_in
from tests.server.network import build_network, new_resident

NOTE_ADD = """mutation ($resident: ID!, $kind: NoteKind!, $text: String!) {
  caseNoteAdd(input: {resident: $resident, kind: $kind, text: $text}) {
    note { kind text } errors { code field } } }"""
NOTES = """query ($id: ID!) { resident(id: $id) { notes { kind text } } }"""

SECRET = "Disclosed the recruiter's name: Bakhtiyor from the Samarkand bus station"


async def _stored_texts() -> list[str]:
    connection = Tortoise.get_connection("default")
    rows = await connection.execute_query_dict("SELECT text FROM case_note ORDER BY id")
    return [row["text"] for row in rows]


async def _raw_database_bytes(database_url: str) -> bytes:
    """Everything SQLite has on disk for the database (file and write-ahead log)."""
    path = Path(database_url.removeprefix("sqlite://"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    yield
    install(Keyring([DATA_KEY.encode()]))


async def test_a_note_is_ciphertext_at_rest_and_text_for_its_reader(
    gql: GraphQLClient, database_url: str, on_postgres: bool
) -> None:
    # given a medical volunteer of the resident's shelter
    network = await build_network(shelters=1)
    resident = encode_id("Resident", (await new_resident()).id)
    medic = gql.as_token(await sign_in(Role.MEDICAL, network.shelters))

    # when they write a note
    written = await medic.data(NOTE_ADD, {"resident": resident, "kind": "MEDICAL", "text": SECRET})
    assert written["caseNoteAdd"]["errors"] == []

    # then the database holds only ciphertext
    stored = await _stored_texts()
    assert len(stored) == 1 and stored[0].startswith("fernet:") and SECRET not in stored[0]
    if not on_postgres:
        assert SECRET.encode() not in await _raw_database_bytes(database_url)
        assert b"Bakhtiyor" not in await _raw_database_bytes(database_url)
    # and the volunteer reads it back
    notes = (await medic.data(NOTES, {"id": resident}))["resident"]["notes"]
    assert notes == [{"kind": "MEDICAL", "text": SECRET}]


async def test_wrong_role_or_kind_cannot_write_a_note(gql: GraphQLClient) -> None:
    network = await build_network(shelters=1)
    resident = encode_id("Resident", (await new_resident()).id)
    counsellor = gql.as_token(await sign_in(Role.COUNSELLOR, network.shelters))

    as_staff = await gql.data(NOTE_ADD, {"resident": resident, "kind": "MEDICAL", "text": "x"})
    wrong_kind = await counsellor.data(
        NOTE_ADD, {"resident": resident, "kind": "MEDICAL", "text": "x"}
    )
    empty = await counsellor.data(
        NOTE_ADD, {"resident": resident, "kind": "COUNSELLING", "text": " "}
    )

    assert [e["code"] for e in as_staff["caseNoteAdd"]["errors"]] == ["FORBIDDEN"]
    assert [e["code"] for e in wrong_kind["caseNoteAdd"]["errors"]] == ["FORBIDDEN"]
    assert [e["code"] for e in empty["caseNoteAdd"]["errors"]] == ["REQUIRED"]
    assert await _stored_texts() == []


async def test_notes_read_back_after_a_key_rotation(
    gql: GraphQLClient, restore_keyring: None
) -> None:
    # given notes written under the old key
    network = await build_network(shelters=1)
    resident = encode_id("Resident", (await new_resident()).id)
    legal = gql.as_token(await sign_in(Role.LEGAL, network.shelters))
    for text in ("Asylum interview on the 3rd", "Passport copy requested from the consulate"):
        await legal.data(NOTE_ADD, {"resident": resident, "kind": "LEGAL", "text": text})
    before = await _stored_texts()

    # when a new key is put first and every note is written again
    new_key = Fernet.generate_key()
    install(Keyring([new_key, DATA_KEY.encode()]))
    assert await reencrypt(CaseNote) == 2

    # then the stored ciphertext changed, the new key alone opens it, and the API reads it
    after = await _stored_texts()
    assert all(a != b for a, b in zip(before, after, strict=True))
    install(Keyring([new_key]))
    notes = (await legal.data(NOTES, {"id": resident}))["resident"]["notes"]
    assert [note["text"] for note in notes] == [
        "Asylum interview on the 3rd",
        "Passport copy requested from the consulate",
    ]
    # while the old key alone no longer opens anything
    old_only = Keyring([DATA_KEY.encode()])
    with pytest.raises(DataKeyError):
        old_only.decrypt(after[0])
    assert installed().decrypt(after[0]) == "Asylum interview on the 3rd"


def test_the_key_file_is_made_private_on_first_run(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "haven.key"

    keyring = Keyring.from_settings(Settings(data_key=None, data_key_file=str(path)))

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keyring.decrypt(keyring.encrypt("x")) == "x"
    assert read_key_file(path) == keyring.keys  # the same key on the next start


def test_a_malformed_key_is_a_clear_error() -> None:
    with pytest.raises(DataKeyError, match="malformed"):
        Keyring.from_settings(Settings(data_key="not-a-key"))


async def test_a_rotation_covers_every_encrypted_column(
    app: Starlette, restore_keyring: None
) -> None:
    # given a note written under the old key
    network = await build_network(shelters=1)
    resident = await new_resident()
    await sign_in(Role.LEGAL, network.shelters, name="legal-rotation")
    author = await User.get(username="legal-rotation")
    await CaseNote.create(
        resident=resident, author=author, kind="legal", text="Court on Monday", written_at=now()
    )

    # when every encrypted column is written again with a new key first
    new_key = Fernet.generate_key()
    install(Keyring([new_key, DATA_KEY.encode()]))
    steps: list[tuple[str, int, int]] = []
    assert await reencrypt_all(lambda model, done, total: steps.append((model, done, total))) == 1

    # then the models with encrypted columns were all visited (a new one would be too), and
    # the note opens with the new key alone
    assert [model.__name__ for model in encrypted_models()] == [
        "CaseNote",
        "CounsellingSession",
        "MedicalVisit",
    ]
    assert steps == [("CaseNote", 1, 1)]
    install(Keyring([new_key]))
    assert (await CaseNote.get(resident_id=resident.id)).text == "Court on Monday"
