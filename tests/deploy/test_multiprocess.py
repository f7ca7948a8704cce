"""The production process set on loopback: two WSGI web processes, one ASGI WebSocket process, two django-q2
clusters, two collector shards, rrdcached and nginx with TLS, on PostgreSQL and Redis — each started as
``deploy/run NAME``, as the systemd units and the compose file start them.

- an event from either collector reaches a NOC board socket on the ASGI process (through nginx, wss://);
- a billing run queued on both clusters at once bills once;
- an order placed through one web process (via nginx) is approved through the other.

Runs when DATABASE_URL names PostgreSQL and REDIS_URL is set (CI's second run); marked slow.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import time
from datetime import date
from decimal import Decimal

import pytest
import requests
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection
from websockets.sync.client import connect as ws_connect

from accounts.choices import StaffRole
from accounts.services import api_token_create
from billing.models import Invoice, InvoiceLine
from catalog.models import Order
from collector.shard import shard_of
from collector.simulate import free_udp_port
from dcim.models import Device
from monitoring import services as monitoring_services
from tests.accounts.factories import PASSWORD, enable_mfa, staff_member
from tests.catalog import factories as catalog
from tests.collector.conftest import snmp_agent  # noqa: F401 - the session's simulated switch
from tests.deploy.stack import Stack, other_redis_database, wait_until
from tests.monitoring.factories import snmp_device
from tickets.models import Queue

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="the production process set needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]
RUN_DATE = date(2026, 12, 1)


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


class Browser:
    """A signed-in visitor: cookies kept by hand so that ``Secure`` cookies also go to a web process addressed over
    plain HTTP behind a trusted ``X-Forwarded-Proto: https`` (the way nginx talks to it)."""

    def __init__(self, base: str, *, verify, direct: bool):
        self.base, self.verify, self.direct = base, verify, direct
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Referer": f"{self.base}{path}", **kwargs.pop("headers", {})}
        if self.direct:
            headers["X-Forwarded-Proto"] = "https"
            headers["Referer"] = headers["Referer"].replace("http://", "https://")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method,
            f"{self.base}{path}",
            headers=headers,
            verify=self.verify,
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
        return response

    def sign_in(self, login: str, secret: str) -> None:
        self.request("GET", "/accounts/login/")
        token = self.cookies["csrftoken"]
        response = self.request(
            "POST", "/accounts/login/", data={"login": login, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response.headers["Location"], (
            response.status_code,
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))[-1500:],
        )
        response = self.request(
            "POST",
            "/accounts/2fa/authenticate/",
            data={"code": totp_code(secret), "csrfmiddlewaretoken": self.cookies["csrftoken"]},
        )
        assert response.status_code == 302, response.text[:500]
        assert "sessionid" in self.cookies


def _production_password(user) -> None:
    """The test settings hash with MD5 for speed; the processes run the production settings' hashers."""
    user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])


def _device_on_shard(company, shard: int, *, port: int, name: str):
    """An SNMP device whose id hashes to ``shard`` of 2 (the same hash the collectors use)."""
    for attempt in range(50):
        device = snmp_device(company, port=port, name=f"{name}-{attempt}")
        if shard_of(device.pk, 2) == shard:
            return device
        device.delete()
    raise AssertionError("no device id fell on the shard")


@pytest.mark.django_db(transaction=True)
def test_production_process_set_on_loopback(tmp_path, snmp_agent, acme, alice):  # noqa: F811
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    stack = Stack(tmp_path, database_url, other_redis_database(os.environ["REDIS_URL"]))
    import redis

    redis.Redis.from_url(stack.redis_url).flushdb()

    # Data, made through the services as users make it.
    noc = staff_member(roles=[StaffRole.NOC], email="noc@serverstock.test", username="noc-mp", mfa=False)
    noc_secret = enable_mfa(noc)
    admin = staff_member(superuser=True, email="root@serverstock.test", username="root-mp", mfa=False)
    admin_secret = enable_mfa(admin)
    for user in (noc, admin):
        _production_password(user)
    billed = catalog.active_service(acme, on=date(2026, 11, 1), plan_=catalog.plan(monthly="120.00"), label="Rack 1")
    plan = catalog.plan(monthly="80.00", name="Half rack")
    Queue.objects.get_or_create(
        slug="support", defaults={"name": "Support"}
    )  # a migration's row; emptied by other tests
    _token, customer_token = api_token_create(user=alice, name="multi-process test")
    _collector_token, collector_token = monitoring_services.collector_token_create(name="multi-process test")
    closed = free_udp_port()
    down = {shard: _device_on_shard(None, shard, port=closed, name=f"down-shard{shard}") for shard in (0, 1)}
    # Polled every second, so that "unreachable" (after a few missed polls) comes within seconds.
    Device.objects.filter(pk__in=[device.pk for device in down.values()]).update(snmp_polling_interval=1)
    up = {shard: _device_on_shard(acme, shard, port=snmp_agent.port, name=f"up-shard{shard}") for shard in (0, 1)}

    try:
        https_port = stack.reserve_nginx_ports()
        stack.env["CSRF_TRUSTED_ORIGINS"] = f"https://127.0.0.1:{https_port}"
        stack.start_rrdcached()
        web1 = stack.start_web("web1")
        web2 = stack.start_web("web2")
        ws_port = stack.start_ws()
        stack.start_nginx(http_upstream=web1.removeprefix("http://"), ws_upstream=f"127.0.0.1:{ws_port}")
        proxy = f"https://127.0.0.1:{https_port}"
        tls = str(stack.tls / "fullchain.pem")
        workers = [stack.start_worker("worker1"), stack.start_worker("worker2")]

        # HTTPS through nginx: the product answers, plain HTTP is sent to HTTPS, static files come from disk.
        assert requests.get(f"{proxy}/healthz", verify=tls, timeout=10).json() == {"status": "ok"}
        redirect = requests.get(f"http://127.0.0.1:{stack.ports['nginx_http']}/portal/", allow_redirects=False)
        assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")

        # The NOC board's socket on the ASGI process, reached through nginx with a session that passed MFA.
        operator = Browser(proxy, verify=tls, direct=False)
        operator.sign_in("noc-mp", noc_secret)
        context = ssl.create_default_context(cafile=tls)
        context.check_hostname = False
        socket_url = f"wss://127.0.0.1:{https_port}/ws/noc/"
        with ws_connect(
            socket_url,
            ssl=context,
            additional_headers={"Cookie": f"sessionid={operator.cookies['sessionid']}", "Origin": proxy},
            open_timeout=20,
        ) as board:
            hello = json.loads(board.recv(timeout=20))
            assert hello["type"] == "hello"

            # Two collector shards, each posting to a different web process.
            # Two collector shards: one through nginx over HTTPS (to web1), one straight to web2 over the internal
            # network (plain HTTP, as compose's collector reaches http://web:8001).
            stack.start_collector("collector0", "0/2", portal_url=proxy, token=collector_token, SSL_CERT_FILE=tls)
            stack.start_collector("collector1", "1/2", portal_url=web2, token=collector_token)
            wanted = {down[0].name, down[1].name}
            seen: set[str] = set()
            deadline = time.monotonic() + 90
            while wanted - seen and time.monotonic() < deadline:
                try:
                    text = board.recv(timeout=max(0.1, deadline - time.monotonic()))
                except TimeoutError:
                    break
                seen.update(name for name in wanted if name in text)
            assert seen == wanted, f"events seen on the NOC socket: {seen}\n{stack.logs()}"

        # The collectors wrote through rrdcached: the polled switches' files exist.
        for device in up.values():
            wait_until(
                lambda device=device: list((stack.rrd_dir / f"device-{device.pk}").glob("*.rrd")),
                timeout=60,
                what=f"RRD files of {device.name}",
            )

        # A billing run queued twice at once: both clusters take one, the period is billed once.
        queued = stack.manage(
            "shell",
            "-c",
            "from django_q.tasks import async_task\n"
            f"for _ in range(2): async_task('billing.tasks.billing_run_daily', '{RUN_DATE.isoformat()}')",
        )
        assert queued.returncode == 0, queued.stderr
        from django_q.models import Task

        wait_until(
            lambda: Task.objects.filter(func="billing.tasks.billing_run_daily").count() == 2,
            timeout=120,
            what="both billing runs to finish",
        )
        assert Task.objects.filter(func="billing.tasks.billing_run_daily", success=True).count() == 2
        lines = InvoiceLine.objects.filter(service_id=billed.pk, kind="recurring")
        assert lines.count() == 1
        assert Invoice.objects.filter(company=acme).count() == 1
        assert Invoice.objects.get(company=acme).subtotal == Decimal("120.00")
        assert all(worker.popen.poll() is None for worker in workers)

        # An order placed through web1 (nginx, customer token) and approved through web2 (staff session).
        placed = requests.post(
            f"{proxy}/api/catalog/orders/",
            json={"lines": [{"plan": plan.pk, "quantity": "1"}]},
            headers={"Authorization": f"Bearer {customer_token}"},
            verify=tls,
            timeout=30,
        )
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]
        approver = Browser(web2, verify=True, direct=True)
        approver.sign_in("root-mp", admin_secret)
        approved = approver.request("GET", f"/admin/catalog/order/{order_id}/approve/")
        assert approved.status_code == 302, approved.text[:500]
        assert Order.objects.get(pk=order_id).status == "approved"
        seen_by_customer = requests.get(
            f"{proxy}/api/catalog/orders/{order_id}/",
            headers={"Authorization": f"Bearer {customer_token}"},
            verify=tls,
            timeout=30,
        )
        assert seen_by_customer.json()["status"] == "approved"
    finally:
        stack.stop()
    for process in stack.processes:
        assert "Traceback" not in process.output(), f"{process.name}:\n{process.output()[-3000:]}"
