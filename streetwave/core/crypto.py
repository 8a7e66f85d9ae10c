"""Personal data at rest: an encrypted text field and a keyed blind index.

Contacts are stored only as Fernet tokens (AES-128-CBC + HMAC-SHA256, keys from the environment,
MultiFernet so keys rotate). To find duplicates without decrypting, a row also stores
HMAC-SHA256(BLIND_INDEX_KEY, normalized value): equal contacts give equal indexes, yet the index
reveals nothing without the key.
"""

import hashlib
import hmac
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Raises cryptography.fernet.InvalidToken when the token was altered or no key fits."""
    return fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """Re-encrypt under the first (newest) key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def normalize_contact(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def blind_index(value: str) -> str:
    digest = hmac.new(
        settings.BLIND_INDEX_KEY.encode("utf-8"),
        normalize_contact(value).encode("utf-8"),
        hashlib.sha256,
    )
    return digest.hexdigest()


class EncryptedTextField(models.TextField):
    """A text column that only ever holds ciphertext. Empty values are stored as ''."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        # A lookup would compare plaintext with ciphertext and silently match nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


__all__ = [
    "EncryptedTextField",
    "InvalidToken",
    "blind_index",
    "decrypt",
    "encrypt",
    "normalize_contact",
    "rotate",
]
