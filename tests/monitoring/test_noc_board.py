"""The NOC board: NOC and Administrator only, its state and acknowledge endpoints, check changes on the socket,
and in headless Chromium the whole path: a real TCP port closes, the collector's check fails, the board
alarms (sound armed by a click) and flashes within one interval + 5 s, the contact gets one e-mail, and the
item leaves the list on recovery with one "up" e-mail."""

import asyncio
import threading
import time

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.choices import StaffRole
from collector.checks import CheckRunner, check_portal
from collector.rrd import CheckRrdWriter
from monitoring.models import Incident
from monitoring.services import collector_token_create
from tests.accounts.factories import staff_member
from tests.collector.loopback import free_tcp_port, start_tcp_listener
from tests.monitoring.factories import fail, make_check, make_contact


@pytest.mark.django_db
def test_board_is_for_noc_and_administrators(client_for, noc_user, alice):
    support = staff_member(roles=[StaffRole.SUPPORT], email="support@serverstock.test")
    admin = staff_member(roles=[StaffRole.ADMINISTRATOR], email="admin@serverstock.test")
    response = client_for(noc_user).get("/noc/")
    assert response.status_code == 200
    assert "monitoring/noc.js" in response.text and "<script>" not in response.text  # no inline script (CSP)
    assert client_for(admin).get("/noc/").status_code == 200
    assert client_for(support).get("/noc/").status_code == 403
    assert client_for(alice).get("/noc/").status_code == 403
    assert Client().get("/noc/").status_code == 302


@pytest.mark.django_db
def test_state_lists_current_problems_and_acknowledge_records_who(client_for, noc_user, acme, globex):
    down = make_check(acme, name="acme web", down_after=1)
    fail(down)
    up = make_check(globex, name="globex ping", kind="icmp", down_after=1)
    client = client_for(noc_user)
    state = client.get("/noc/state.json").json()
    [problem] = [item for item in state["problems"] if item["type"] == "check"]
    assert problem["key"] == f"check-{down.pk}" and problem["company_name"] == acme.name
    assert state["totals"]["checks_down"] == 1 and state["totals"]["unacknowledged"] == 1
    assert f"check-{up.pk}" not in {item["key"] for item in state["problems"]}
    incident = Incident.objects.get()
    response = client.post(f"/noc/incidents/{incident.pk}/acknowledge/")
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.acknowledged_by == noc_user
    assert client.get("/noc/state.json").json()["totals"]["unacknowledged"] == 0


@pytest.mark.django_db(transaction=True)
def test_socket_sends_check_changes_to_noc_staff(noc_user, acme):
    from django.conf import settings

    from serverstock.asgi import application
    from tests.accounts.factories import sign_in

    check = make_check(acme, down_after=1)
    session = sign_in(Client(), noc_user).cookies[settings.SESSION_COOKIE_NAME].value  # a session that passed MFA
    headers = [(b"origin", b"http://127.0.0.1"), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/noc/", headers=headers)
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
        from asgiref.sync import sync_to_async

        await sync_to_async(fail)(check)
        message = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return message

    message = asyncio.run(scenario())
    assert message["type"] == "checks"
    [item] = message["checks"]
    assert (item["check"], item["state"], item["previous"]) == (check.pk, "down", "unknown")
    assert item["incident"]["id"] == Incident.objects.get().pk


class AsgiServer:
    """The project's ASGI application (HTTP and WebSockets) under uvicorn in a thread of this process."""

    def __init__(self):
        import uvicorn
        from channels.routing import ProtocolTypeRouter
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from serverstock.asgi import application, django_asgi_app

        # Static files from the apps' folders, as the live_server fixture serves them.
        application = ProtocolTypeRouter(
            {
                "http": ASGIStaticFilesHandler(django_asgi_app),
                "websocket": application.application_mapping["websocket"],
            }
        )
        self.port = free_tcp_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


class CollectorThread:
    """The collector's check runner against the live server, in its own thread and event loop."""

    def __init__(self, url: str, token: str, rrd_dir):
        self.runner = None
        self.url, self.token, self.rrd_dir = url, token, rrd_dir
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.stop = asyncio.Event()
        self.runner = CheckRunner(
            portal=check_portal(self.url, self.token), rrd=CheckRrdWriter(self.rrd_dir), flush_every=0.5
        )
        self.loop.run_until_complete(self.runner.run(self.stop))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=20)


def _mails_to(directory, address) -> list[str]:
    return [path.read_text() for path in directory.glob("*.log") if f"To: {address}" in path.read_text()]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_board_alarms_with_sound_and_clears_on_recovery(browser, noc_user, acme, settings, tmp_path):
    interval = 10
    mail_dir = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(mail_dir)},
        }
    }
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    listener = start_tcp_listener()
    port = listener.port
    contact = make_contact(acme, email="oncall@acme.test")
    check = make_check(
        acme,
        name="acme-web-1 https",
        kind="tcp",
        host="127.0.0.1",
        port=port,
        interval_seconds=interval,
        timeout_seconds=1,
        retries=0,
        down_after=1,
    )
    _token, raw = collector_token_create(name="board test")
    from tests.accounts.factories import sign_in

    client = sign_in(Client(), noc_user)  # staff pages need a session that passed MFA
    session = client.cookies["sessionid"].value

    with AsgiServer() as server, CollectorThread(server.url, raw, tmp_path / "rrd"):
        # The test polls the page with wait_for_function (a string Playwright evaluates): past the CSP, which the
        # security suite checks on its own.
        context = browser.new_context(base_url=server.url, bypass_csp=True)
        context.add_cookies([{"name": "sessionid", "value": session, "url": server.url}])
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto("/noc/")
        page.wait_for_selector('#noc-connection[data-state="live"]')
        page.click("#noc-arm")  # the operator's first click arms the sound
        assert page.evaluate("window.nocAlarm.armed") is True
        deadline = time.monotonic() + 30
        while check.state != "up":
            assert time.monotonic() < deadline, "the check never came up"
            time.sleep(0.3)
            check.refresh_from_db()
        assert page.locator(f'[data-key="check-{check.pk}"]').count() == 0

        listener.stop()  # the service goes away: the port is closed now
        went_down = time.monotonic()
        page.wait_for_function("window.nocAlarm.plays >= 1", timeout=(interval + 5) * 1000)
        alarm_after = time.monotonic() - went_down
        item = page.locator(f'[data-key="check-{check.pk}"]')
        assert item.is_visible() and "connection refused" in item.inner_text()
        assert page.locator("#noc-alarm").is_visible() and page.evaluate("window.nocAlarm.flashes") >= 1
        page.wait_for_function(
            f"document.querySelector('[data-key=\"check-{check.pk}\"] .noc-problem-since').textContent.endsWith(' s')"
        )
        assert page.locator('[data-total="checks_down"] .noc-tile-value').inner_text() == "1"
        deadline = time.monotonic() + 5
        while not _mails_to(mail_dir, contact.email) and time.monotonic() < deadline:
            time.sleep(0.2)
        mails = _mails_to(mail_dir, contact.email)
        assert len(mails) == 1 and "DOWN: acme-web-1 https" in mails[0]

        listener = start_tcp_listener(port)  # back again
        try:
            page.locator(f'[data-key="check-{check.pk}"]').wait_for(state="detached", timeout=(interval + 5) * 1000)
            assert page.locator("#noc-all-clear").is_visible()
            deadline = time.monotonic() + 5
            while len(_mails_to(mail_dir, contact.email)) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            mails = _mails_to(mail_dir, contact.email)
            assert len(mails) == 2 and sum("UP: acme-web-1 https" in text for text in mails) == 1
        finally:
            listener.stop()
        context.close()
    incident = Incident.objects.get()
    assert incident.closed_at is not None
    print(f"board alarm {alarm_after:.1f} s after the port closed (interval {interval} s)")
