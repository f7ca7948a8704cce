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
    # A Redis database per worker: a test's cache.clear() flushes the whole database, prefixes or not.
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)
    _base = int(_parts.path.strip("/") or 0)
    _index = int(WORKER[2:]) if WORKER.startswith("gw") else 0
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{(_base - _index) % 16}"))
    CACHES["default"]["LOCATION"] = REDIS_URL
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [
        {**CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0], "address": REDIS_URL}
    ]
    # Pub/sub ignores the database number: a group's messages reached the other worker's sockets of the same
    # group name (ids count from 1 in each worker's database: the console of device 7, the user 3's sign-out).
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-{WORKER}"
    Q_CLUSTER["redis"] = REDIS_URL  # noqa: F405
WHITENOISE_AUTOREFRESH = True
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405 - tasks run inline in tests
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Connections close after each request in tests, as before production kept them open: live servers and socket
# threads would otherwise hold test-database connections past their test.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
