"""Headless Chromium: a customer reboots her server from its page and types into its serial console.

pytest-django's live server speaks WSGI only, so this test serves the project's ASGI application (HTTP and
WebSockets, as ``make run`` does) with uvicorn in a thread of the test process, sharing the test database.
"""

import asyncio
import threading
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from remote.models import ConsoleSession, PowerJob
from remote.simulator import free_port
from tests.accounts.factories import PASSWORD
from tests.remote.factories import server_with_bmc

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asgi_server(transactional_db):
    """The ASGI application on a free port; database work of its consumers and views uses the test database
    (an in-memory SQLite connection is shared with the worker thread, as Django's own live server does)."""
    import uvicorn
    from asgiref.sync import SyncToAsync

    from serverstock.asgi import application

    connection = connections["default"]
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if shared:
        connection.inc_thread_sharing()
        SyncToAsync.single_thread_executor.submit(connections.__setitem__, "default", connection).result()
    port = free_port(__import__("socket").SOCK_STREAM)
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    static = ASGIStaticFilesHandler(application)

    async def app(scope, receive, send):  # static files as runserver serves them in ``make run``
        if scope["type"] == "http" and scope["path"].startswith(settings.STATIC_URL):
            return await static(scope, receive, send)
        return await application(scope, receive, send)

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    if shared:
        connection.dec_thread_sharing()


def test_customer_reboots_the_server_and_types_into_its_console(browser, asgi_server, bmc, acme, alice):
    device = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc", name="acme-dedi-7")
    client = Client()
    client.force_login(alice)
    context = browser.new_context(base_url=asgi_server)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": asgi_server,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}"))
    page.on("requestfailed", lambda request: problems.append(f"failed {request.url}"))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}")
    )
    try:
        resets = bmc.state()["actions"].get("reset", 0)
        page.goto(f"/portal/network/devices/{device.pk}/")
        page.get_by_role("link", name="Power control").click()
        page.get_by_label("Action").select_option("reset")
        page.get_by_label("Type the server's name to confirm").fill("acme-dedi-7")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Send to the BMC").click()
        page.wait_for_url("**/power/jobs/*/")
        page.locator("#job-status", has_text="Succeeded").wait_for()
        assert "power is now on" in page.locator("#job-detail").text_content()
        assert bmc.state()["actions"]["reset"] == resets + 1
        assert PowerJob.objects.get().user_email == alice.email

        # She confirmed her password for the reset a moment ago: within the re-authentication window the
        # console opens without asking again.
        page.get_by_role("link", name="Open the console").click()
        try:
            page.locator("#console-status", has_text="Connected to acme-dedi-7").wait_for()
        except Exception as error:
            raise AssertionError(f"{page.locator('#console-status').text_content()!r} {problems}") from error
        page.locator("#console .xterm-helper-textarea").focus()
        page.keyboard.type("echo typed-in-chromium")
        page.keyboard.press("Enter")
        # The echoed command line, then the shell's answer (they arrive in separate packets: wait for both).
        try:
            page.wait_for_function(
                "() => (document.querySelector('#console .xterm-rows').textContent"
                ".match(/typed-in-chromium/g) || []).length >= 2"
            )
        except Exception as error:
            rows = page.locator("#console .xterm-rows").text_content()
            raise AssertionError(f"the shell did not answer: {rows!r} {problems}") from error
        assert "echo typed-in-chromium\r" in bmc.state()["received"]
    finally:
        context.close()
    deadline = time.monotonic() + 10
    while ConsoleSession.objects.filter(closed_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ConsoleSession.objects.get().user_email == alice.email
