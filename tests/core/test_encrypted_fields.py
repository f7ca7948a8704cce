"""Secrets are encrypted at rest, readable with any configured key, and re-encrypted by rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db


def raw_secret(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {table} WHERE id = %s", [pk])  # noqa: S608 - table is ours
        return cursor.fetchone()[0]


def test_secret_is_never_stored_in_plain_text(acme):
    widget = Widget.objects.create(company=acme, name="srv1", secret="root-password-123")
    stored = raw_secret("testapp_widget", widget.pk)
    assert "root-password-123" not in stored
    assert Widget.objects.get(pk=widget.pk).secret == "root-password-123"
    # History never copies a secret (the history pages would show it); reverting keeps the live secret.
    history_row = widget.history.first()
    assert not hasattr(history_row, "secret")
    assert "secret" not in {field.name for field in type(history_row)._meta.fields}
    assert history_row.instance.secret == "root-password-123"


def test_rotation_re_encrypts_everything_under_the_newest_key(acme, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    widget = Widget.objects.create(company=acme, name="srv1", secret="s3cret")
    before = raw_secret("testapp_widget", widget.pk)
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        assert Widget.objects.get(pk=widget.pk).secret == "s3cret"  # old tokens still readable
        call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = raw_secret("testapp_widget", widget.pk)
    assert after != before
    assert Fernet(new_key.encode()).decrypt(after.encode()) == b"s3cret"
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert Widget.objects.get(pk=widget.pk).secret == "s3cret"


def test_a_missing_key_gives_a_clear_error(acme):
    widget = Widget.objects.create(company=acme, name="srv1", secret="s3cret")
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(ImproperlyConfigured, match="removed too early"):
            Widget.objects.get(pk=widget.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-key"]):
        with pytest.raises(ImproperlyConfigured, match="invalid Fernet key"):
            Widget.objects.create(company=acme, name="srv2", secret="x")


def test_secrets_are_not_exported(acme):
    from core.registry import resolved

    Widget.objects.create(company=acme, name="srv1", secret="s3cret")
    dataset = resolved(Widget, "resource")().export()
    assert "secret" not in dataset.headers
    assert "s3cret" not in dataset.csv
