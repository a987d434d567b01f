"""Secrets at rest: Fernet with key rotation (MultiFernet), keys from settings.FIELD_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key can be put in front and old values still
read until they are re-encrypted with `rotate`.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _current().decrypt(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted: is CSPB_FIELD_KEYS missing the key it was written with?"
        ) from error


def rotate(ciphertext: str) -> str:
    """The same secret encrypted with the newest key."""
    return _current().rotate(ciphertext.encode()).decode()
