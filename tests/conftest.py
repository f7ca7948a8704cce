"""Shared fixtures: companies, customers and staff members (with real TOTP authenticators)."""

import pytest
from django.test import Client

from accounts.choices import CompanyRole, StaffRole
from tests.accounts.factories import CompanyFactory, MembershipFactory, UserFactory, sign_in, staff_member


@pytest.fixture
def acme(db):
    return CompanyFactory(name="Acme Hosting")


@pytest.fixture
def globex(db):
    return CompanyFactory(name="Globex")


@pytest.fixture
def alice(acme):
    """Owner at Acme."""
    return MembershipFactory(company=acme, user=UserFactory(email="alice@acme.test"), role=CompanyRole.OWNER).user


@pytest.fixture
def bob(globex):
    """Owner at Globex."""
    return MembershipFactory(company=globex, user=UserFactory(email="bob@globex.test"), role=CompanyRole.OWNER).user


@pytest.fixture
def superuser(db):
    return staff_member(superuser=True, email="root@serverstock.test")


@pytest.fixture
def noc_user(db):
    return staff_member(roles=[StaffRole.NOC], email="noc@serverstock.test")


@pytest.fixture
def client_for():
    """A test client signed in as the given user (through MFA when the user has it, as allauth signs in)."""

    def make(user) -> Client:
        return sign_in(Client(), user)

    return make


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser). Tests using it are marked slow.

    Module-scoped on purpose: Playwright's sync API keeps an event loop running in the main thread while it is
    open, which would break later tests that call ``asyncio.run`` (the collector's).
    """
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run 'make deps' (Debian package 'chromium').")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # The test body still talks to the database synchronously while Playwright's loop runs.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield instance
            instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; ``page.base_url`` is the live server's address."""
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = live_server.url
    yield tab
    context.close()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Transactional tests (live server, browser, threads) empty every table when they end; with serialized
    rollback each one starts from the migrated data again (queues, calendars, the Wagtail home page...)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
            name in getattr(item, "fixturenames", ()) for name in ("live_server", "transactional_db")
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's set-up, plus: the serialized migrated data is made visible to every connection object.

    Playwright's sync API runs the test body in another context, where Django hands out a new connection object
    (same in-memory or PostgreSQL database) that lacks ``_test_serialized_contents``, so a browser test would
    skip the serialized rollback and start without the migrated rows.
    """
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
    return django_db_setup


@pytest.fixture(scope="session", autouse=True)
def _live_server_requests_one_at_a_time_on_in_memory_sqlite():
    """The live server answers each request in a thread of its own, and with in-memory SQLite every thread uses
    the one shared connection: a page whose graphs load in parallel then broke it ("bad parameter or other API
    misuse", the session unreadable, the next request anonymous). Requests are handled one at a time when the
    connection is shared; connections (keep-alive) still have their threads."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SerialisedOnSharedConnection(ThreadedWSGIServer):
        lock = threading.Lock()

        def set_app(self, application):
            if self.connections_override:

                def one_at_a_time(environ, start_response, application=application):
                    with self.lock:
                        return application(environ, start_response)

                return super().set_app(one_at_a_time)
            return super().set_app(application)

    original = LiveServerThread.server_class
    LiveServerThread.server_class = SerialisedOnSharedConnection
    yield
    LiveServerThread.server_class = original
