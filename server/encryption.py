"""Encryption at rest for notes: Fernet (AES-128-CBC + HMAC) keys from HAVEN_DATA_KEY or a key
file made with mode 0600 on first run. The first key encrypts; every key decrypts, so keys
can be rotated without downtime.

    keyring = Keyring.from_settings(settings)   # reads or creates the key file
    token = keyring.encrypt("findings")         # "fernet:gAAAA…"
    keyring.decrypt(token)                      # "findings"
    install(keyring)                            # the keyring encrypted fields use
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from server.settings import Settings

PREFIX = "fernet:"


class DataKeyError(Exception):
    """The configured keys are missing, malformed, or cannot read a stored note."""


class Keyring:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise DataKeyError("No data key: set HAVEN_DATA_KEY or HAVEN_DATA_KEY_FILE.")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError as error:
            raise DataKeyError(f"A data key is malformed: {error}") from error
        self.keys = keys

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        if settings.data_key:
            return cls(
                [key.strip().encode() for key in settings.data_key.split(",") if key.strip()]
            )
        return cls(read_key_file(Path(settings.data_key_file)))

    def encrypt(self, text: str) -> str:
        return PREFIX + self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            raise DataKeyError("A stored note is not encrypted.")
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken as error:
            raise DataKeyError("No configured key opens a stored note.") from error

    def rotate(self, stored: str) -> str:
        """The same text encrypted with the first key."""
        try:
            return PREFIX + self._fernet.rotate(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken as error:
            raise DataKeyError("No configured key opens a stored note.") from error


def read_key_file(path: Path) -> list[bytes]:
    """The keys in ``path``, newest first; a new file with one fresh key (mode 0600) if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key() + b"\n")
    return [line.strip() for line in path.read_bytes().splitlines() if line.strip()]


def add_key_to_file(path: Path) -> None:
    """Put a fresh key first in the key file; older keys stay to read older notes."""
    keys = read_key_file(path)
    path.write_bytes(b"\n".join([Fernet.generate_key(), *keys]) + b"\n")
    path.chmod(0o600)


_installed: Keyring | None = None


def install(keyring: Keyring) -> None:
    global _installed
    _installed = keyring


def installed() -> Keyring:
    if _installed is None:
        raise DataKeyError("No keyring installed: the app's lifespan or the command installs one.")
    return _installed
