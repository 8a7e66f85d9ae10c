"""Personal data at rest: an encrypted text field and a keyed blind index.

Contacts are stored only as Fernet tokens (AES-128-CBC + HMAC-SHA256, keys from the environment,
MultiFernet so keys rotate). To find duplicates without decrypting, a row also stores
HMAC-SHA256(BLIND_INDEX_KEY, normalized value): equal contacts give equal indexes, yet the index
reveals nothing without the key.

Every value encrypted with these keys is listed by `encrypted_stores()`, which
`rotate_field_keys` walks to move them all to the newest key.
"""

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Lookup
from django.db.models.functions import Cast


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
    """Re-encrypt under the first (newest) key. A token already under it comes back unchanged,
    so running a rotation again rewrites only what an earlier run missed."""
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    data = token.encode("ascii")
    try:
        _fernet(keys[:1]).decrypt(data)
    except InvalidToken:
        return _fernet(keys).rotate(data).decode("ascii")
    return token


def normalize_contact(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def blind_index(value: str) -> str:
    digest = hmac.new(
        settings.BLIND_INDEX_KEY.encode("utf-8"),
        normalize_contact(value).encode("utf-8"),
        hashlib.sha256,
    )
    return digest.hexdigest()


if TYPE_CHECKING:
    # The stubs' field is generic in what it is set to and what it reads (None too, in a
    # nullable column); Django's is not subscriptable.
    _TextField = models.TextField[Any, Any]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """A text column that only ever holds ciphertext. Empty values are stored as ''."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> "type[Lookup[Any]] | None":
        # A lookup would compare plaintext with ciphertext and silently match nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


@dataclass(frozen=True)
class EncryptedColumns:
    """The EncryptedTextField columns of one model."""

    model: type[models.Model]
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.model._meta.label} ({', '.join(self.fields)})"

    def rows(self) -> models.QuerySet[models.Model]:
        return self.model._base_manager.all()

    def stored(self) -> dict[str, Any]:
        # Read as a plain text column, which has no from_db_value: the ciphertext, not the value.
        return {name: Cast(name, models.TextField()) for name in self.fields}

    def rotated(self, stored: dict[str, Any]) -> dict[str, Any]:
        changes = {}
        for name, token in stored.items():
            if token and (new := rotate(token)) != token:
                # Written as plain text too, or get_prep_value would encrypt the token again.
                changes[name] = models.Value(new, output_field=models.TextField())
        return changes


@dataclass(frozen=True)
class EncryptedJSONKeys:
    """Tokens that code outside Streetwave encrypts with these keys (through an adapter that
    calls `encrypt`) and keeps in a JSON column, one token or a list of tokens under each of
    `keys`. The app that plugs in the adapter declares them with `register_encrypted_json`."""

    model: str
    field: str
    keys: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.model} ({self.field}: {', '.join(self.keys)})"

    def rows(self) -> models.QuerySet[models.Model]:
        model: type[models.Model] = apps.get_model(self.model)
        return model._base_manager.all()

    def stored(self) -> dict[str, Any]:
        return {self.field: models.F(self.field)}

    def rotated(self, stored: dict[str, Any]) -> dict[str, Any]:
        data = stored[self.field]
        new = dict(data)
        for key in self.keys:
            value = data.get(key)
            if isinstance(value, str):
                new[key] = rotate(value)
            elif isinstance(value, list):
                new[key] = [rotate(token) for token in value]
        return {self.field: new} if new != data else {}


_encrypted_json: list[EncryptedJSONKeys] = []


def register_encrypted_json(declaration: EncryptedJSONKeys) -> None:
    if declaration not in _encrypted_json:
        _encrypted_json.append(declaration)


def encrypted_stores() -> list[EncryptedColumns | EncryptedJSONKeys]:
    """Everywhere a value encrypted with FIELD_ENCRYPTION_KEYS is kept."""
    stores: list[EncryptedColumns | EncryptedJSONKeys] = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # its table is its concrete model's, which is listed already
        fields = tuple(
            f.name for f in model._meta.local_fields if isinstance(f, EncryptedTextField)
        )
        if fields:
            stores.append(EncryptedColumns(model, fields))
    return stores + _encrypted_json


__all__ = [
    "EncryptedColumns",
    "EncryptedJSONKeys",
    "EncryptedTextField",
    "InvalidToken",
    "blind_index",
    "decrypt",
    "encrypt",
    "encrypted_stores",
    "normalize_contact",
    "register_encrypted_json",
    "rotate",
]
