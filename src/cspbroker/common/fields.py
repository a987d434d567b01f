"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from cspbroker.common import crypto


class Secret(str):
    """A decrypted secret that does not show itself in logs, reprs or tracebacks."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('********')"

    def reveal(self) -> str:
        return str.__str__(self)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Stores Fernet ciphertext; Python code sees a `Secret` that never prints itself by accident."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret | None:
        if value is None:
            return None
        # An empty value is stored as is (e.g. a wiped email body): nothing to decrypt.
        return Secret("") if value == "" else Secret(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        plaintext = value.reveal() if isinstance(value, Secret) else str(value)
        return crypto.encrypt(plaintext)
