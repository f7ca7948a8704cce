"""Project-wide behaviour: the URLs others rely on, the demo command, production settings, real backends."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_page_is_served_by_wagtail(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<h1" in response.content


def test_api_docs_load_nothing_from_a_cdn(client, alice):
    client.force_login(alice)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_api_schema_documents_the_generated_endpoints(client, alice):
    client.force_login(alice)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/accounts/companies/" in schema["paths"]
    assert "/api/accounts/tokens/" in schema["paths"]
    assert all(path.startswith("/api/") for path in schema["paths"])
    assert "ApiToken" in schema["components"]["securitySchemes"]


def test_demo_refuses_without_debug():
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@override_settings(DEBUG=True)
def test_demo_is_idempotent():
    from accounts.models import Company, Membership, User

    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("demo", stdout=devnull)
    counts = (User.objects.count(), Company.objects.count(), Membership.objects.count())
    call_command("demo", stdout=devnull)
    assert (User.objects.count(), Company.objects.count(), Membership.objects.count()) == counts
    alice = User.objects.get(email="alice@acme.example")
    assert alice.check_password("demo")
    assert Membership.objects.get(user=alice).company.name == "Acme Hosting"
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert set(User.objects.get(username="noc").groups.values_list("name", flat=True)) == {"NOC"}


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "REQUIRE_STAFF_MFA"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.net",
        EMAIL_HOST="smtp.example.net",
        SERVERSTOCK_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def load_settings(monkeypatch, **env):
    """Execute the settings module afresh under ``env`` (without touching the running project's settings)."""
    import importlib.util

    for key in ("DEBUG", "REQUIRE_STAFF_MFA", "REDIS_URL", "DATABASE_URL", "EMAIL_HOST"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("settings_probe", ROOT / "site" / "serverstock" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_settings_follow_the_environment(monkeypatch, tmp_path):
    embedded = load_settings(monkeypatch, SERVERSTOCK_VAR_DIR=str(tmp_path))
    assert embedded.DEBUG is False and embedded.SERVERSTOCK_REQUIRE_STAFF_MFA is True
    assert embedded.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert embedded.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert embedded.Q_CLUSTER["orm"] == "default"
    assert embedded.MAILERS["default"]["OPTIONS"]["file_path"] == str(tmp_path / "mail")
    assert (tmp_path / "secret_key").exists() and (tmp_path / "field_encryption_key").exists()

    demo = load_settings(monkeypatch, SERVERSTOCK_VAR_DIR=str(tmp_path), DEBUG="1")
    assert demo.SERVERSTOCK_REQUIRE_STAFF_MFA is False
    assert demo.SECRET_KEY == embedded.SECRET_KEY  # generated once, then kept

    production = load_settings(
        monkeypatch,
        SERVERSTOCK_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://app:pw@db.internal:5432/serverstock",
        REDIS_URL="redis://cache.internal:6379/0",
        EMAIL_HOST="smtp.internal",
    )
    assert production.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert production.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert production.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"  # the cache is shared
    assert embedded.SESSION_ENGINE == "django.contrib.sessions.backends.db"  # a per-process cache is not
    assert production.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert production.Q_CLUSTER["redis"] == "redis://cache.internal:6379/0"
    assert production.MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_cache_round_trip():
    cache.set("serverstock-test", {"a": 1}, 30)
    assert cache.get("serverstock-test") == {"a": 1}
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def test_channel_layer_delivers_to_a_group():
    layer = get_channel_layer()
    if os.environ.get("REDIS_URL"):
        assert type(layer).__name__ == "RedisPubSubChannelLayer"

    async def exchange():
        channel = await layer.new_channel()
        await layer.group_add("serverstock-test", channel)
        await layer.group_send("serverstock-test", {"type": "test.message", "text": "up"})
        message = await layer.receive(channel)
        await layer.group_discard("serverstock-test", channel)
        return message

    assert async_to_sync(exchange)() == {"type": "test.message", "text": "up"}


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    # Every declared model is in the schema; enum names come from core.api.schema, so no collisions warn.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    assert "CompanyStatusEnum" in schema
