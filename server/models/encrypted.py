"""A text column stored encrypted (``fernet:…``) and read back as plain text."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.encryption import PREFIX, installed


class EncryptedTextField(fields.TextField):
    """Encrypted with the installed keyring on write, decrypted on read; never filterable."""

    def to_db_value(self, value: Any, instance: type[Model] | Model) -> str | None:
        if value is None:
            return None
        return installed().encrypt(str(value))

    def to_python_value(self, value: Any) -> str | None:
        """Stored ciphertext is decrypted; Tortoise also passes plain text through here when a
        model is built in memory, which stays as it is."""
        if value is None:
            return None
        text = str(value)
        return installed().decrypt(text) if text.startswith(PREFIX) else text
