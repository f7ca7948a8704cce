"""Encrypted model fields: Fernet with a rotatable key list (``settings.FIELD_ENCRYPTION_KEYS``, newest first)."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models


@cache
def field_cipher() -> MultiFernet:
    """Return the cipher for the configured keys; the first key encrypts, every key decrypts."""
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid Fernet key: {error}") from error


def _reset_cipher(*, setting: str, **kwargs) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        field_cipher.cache_clear()


setting_changed.connect(_reset_cipher)


def encrypt_text(value: str) -> str:
    """Encrypt ``value`` under the newest key."""
    return field_cipher().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    """Decrypt a token made under any configured key."""
    try:
        return field_cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: was a key removed too early?"
        ) from error


class EncryptedTextField(models.TextField):
    """A text field stored encrypted at rest; reads give the plain text, the database only ever holds tokens.

    Values cannot be searched or filtered in the database. Empty strings are stored as they are.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def value_to_string(self, obj):
        # Serialisation (dumpdata, history) must never carry the plain text.
        return ""


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, with those fields' names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
