"""Test settings: the project's settings plus a test-only app, fast hashing and no HTTPS redirects."""

import os

os.environ.setdefault("REQUIRE_STAFF_MFA", "1")

from serverstock.settings import *  # noqa: E402,F403
from serverstock.settings import CACHES, CHANNEL_LAYERS, INSTALLED_APPS, REDIS_URL, VAR_DIR  # noqa: E402

# Parallel workers (pytest-xdist) must not share files, cache keys or channel groups.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = VAR_DIR / "test-media" / WORKER
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private" / WORKER
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = f"test-{WORKER}"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{WORKER}"
WHITENOISE_AUTOREFRESH = True
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405 - tasks run inline in tests
LOGGING = {"version": 1, "disable_existing_loggers": False}
