"""PostgreSQL and Redis restarted under the running production process set (processes from deploy/run).

The machine's shared servers are never restarted: each test starts a server of its own (tests/deploy/servers.py)
and restarts that one in the middle of the work, while a load thread keeps asking the web process for pages.

- PostgreSQL stopped as in a crash (``pg_ctl -m immediate``) for a few seconds during a billing run and a collector
  run: the web process answers again without being restarted and no request fails after the first good one (its
  persistent connection is health-checked), the q2 cluster stays up and the run queued again (as the daily
  schedule does) bills every company once with gapless numbers, what was committed before the crash is there, the
  collector never stops polling (its RRD has samples from inside the outage) and its ingest resumes.
- Redis restarted (``SIGTERM``, as ``systemctl restart`` does; append-only file as deploy/compose.yaml runs it)
  during a billing run with tasks waiting in the queue: the web process answers again, the NOC board's socket
  delivers events again (reconnecting as the board's page does when the socket closes), the running task
  completes and every queued task runs.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
import requests
from django.db import connection
from django.db.models import Count
from websockets.sync.client import connect as ws_connect

from accounts.choices import StaffRole
from accounts.services import api_token_create
from billing.models import Invoice
from collector.rrd import rrd_path
from monitoring import services as monitoring_services
from tests.accounts.factories import CompanyFactory, enable_mfa, staff_member
from tests.catalog import factories as catalog
from tests.collector.conftest import snmpd_agent  # noqa: F401 - the session's simulated switch
from tests.deploy.servers import PrivatePostgres, PrivateRedis, outage, postgres_missing
from tests.deploy.stack import Stack, other_redis_database, wait_until
from tests.deploy.test_multiprocess import Browser, _production_password
from tests.monitoring.factories import snmp_device

pytestmark = [pytest.mark.slow]
RUN_DATE = date(2026, 12, 1)
COMPANIES = 120
COMPANIES_REDIS = 250  # the Redis restart comes after the run has started: a longer run
OUTAGE_SECONDS = 6

# The web process sits behind nginx, which says the visitor came over HTTPS (else it redirects there).
PROXIED = {"X-Forwarded-Proto": "https"}
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the production process set needs PostgreSQL (DATABASE_URL)"
)


def _database_url() -> str:
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


@dataclass
class Load:
    """A thread asking for ``paths`` in turn, about ``rate`` per second; every answer recorded with its time."""

    base: str
    paths: list[tuple[str, dict]]
    rate: float = 10.0
    results: list[tuple[float, str, int | str]] = field(default_factory=list)

    def __post_init__(self):
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        session = requests.Session()
        n = 0
        while not self.stopping.is_set():
            path, headers = self.paths[n % len(self.paths)]
            n += 1
            try:
                status = session.get(f"{self.base}{path}", headers=headers, timeout=10).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            self.results.append((time.time(), path, status))
            self.stopping.wait(1 / self.rate)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=30)

    def check_recovered(self, up: float) -> dict:
        """After the first good answer that follows ``up``, every answer is good; returns a summary."""
        after = [(at, path, status) for at, path, status in self.results if at > up]
        first_good = next((at for at, _path, status in after if status == 200), None)
        assert first_good is not None, f"no good answer after the restart: {after[-10:]}"
        bad = [(at, path, status) for at, path, status in after if at >= first_good and status != 200]
        assert not bad, f"answers that failed after the recovery: {bad[:10]}"
        failed = [status for at, _path, status in self.results if status != 200]
        good_after = sum(1 for at, _path, status in after if at >= first_good)
        return {"requests": len(self.results), "failed": len(failed), "good_after_recovery": good_after}


class BoardClient:
    """The NOC board's socket as its page uses it: when the socket closes, connect again (after a second)."""

    def __init__(self, url: str, cookie: str, origin: str):
        self.url, self.cookie, self.origin = url, cookie, origin
        self.messages: list[tuple[int, dict]] = []
        self.connections = 0
        self.closes: list[str] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stopping.is_set():
            try:
                with ws_connect(
                    self.url, additional_headers={"Cookie": self.cookie, "Origin": self.origin}, open_timeout=10
                ) as socket:
                    self.connections += 1
                    while not self.stopping.is_set():
                        try:
                            text = socket.recv(timeout=0.5)
                        except TimeoutError:
                            continue
                        self.messages.append((self.connections, json.loads(text)))
            except Exception as error:  # noqa: BLE001 - closed by the server or refused while it restarts
                self.closes.append(f"{type(error).__name__}: {error}")
            self.stopping.wait(1)

    def saw(self, device_name: str, status: str) -> bool:
        return any(
            event.get("device_name") == device_name and event.get("status") == status
            for _n, message in self.messages
            if message.get("type") == "events"
            for event in message["events"]
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=30)


def _wait_quietly(condition, *, timeout: float) -> bool:
    try:
        wait_until(condition, timeout=timeout, what="")
    except AssertionError:
        return False
    return True


def _billable_companies(count: int = COMPANIES) -> None:
    plan = catalog.plan(monthly="50.00")
    for n in range(count):
        catalog.active_service(CompanyFactory(name=f"Tenant {n:03}"), on=date(2026, 11, 1), plan_=plan)


def _queue(stack: Stack, code: str) -> list[str]:
    """Run ``code`` (which queues tasks and prints their ids) in a management shell of the stack."""
    queued = stack.manage("shell", "-c", f"from django_q.tasks import async_task\n{code}")
    assert queued.returncode == 0, queued.stderr
    return re.findall(r"\b[0-9a-f]{32}\b", queued.stdout)


def _check_billed_once(rows: list[tuple[int, int]], numbers: list[str], companies: int = COMPANIES) -> None:
    assert len(rows) == companies, f"{len(rows)} companies billed of {companies}"
    assert {count for _company, count in rows} == {1}, "a company was billed twice"
    values = sorted(int(re.sub(r"\D", "", number)) for number in numbers)
    assert values == list(range(values[0], values[0] + companies)), "invoice numbers have a gap"


# PostgreSQL ---------------------------------------------------------------------------------------------


@pytest.fixture
def private_postgres():
    missing = postgres_missing()
    if missing:
        pytest.skip(missing)
    server = PrivatePostgres().init()
    server.start()
    yield server
    server.destroy()


def _sql(url: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(query).fetchall()


@needs_postgresql
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the production process set needs Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_postgresql_restarts_under_the_running_stack(tmp_path, private_postgres, snmpd_agent, acme, alice):  # noqa: F811
    # The data, made here through the services, then copied into the private server the stack runs on.
    _billable_companies()
    _token, customer_token = api_token_create(user=alice, name="restart test")
    _collector, collector_token = monitoring_services.collector_token_create(name="restart test")
    switch = snmp_device(acme, port=snmpd_agent.port, name="switch-pg", snmp_polling_interval=1)
    private_postgres.copy_database(_database_url(), "serverstock")
    url = private_postgres.url("serverstock")

    stack = Stack(tmp_path, url, other_redis_database(os.environ["REDIS_URL"]))
    import redis

    redis.Redis.from_url(stack.redis_url).flushdb()
    collector_env = {"RRD_STEP": "1", "COLLECTOR_FLUSH_EVERY": "1"}
    api = [("/healthz", {}), ("/api/catalog/orders/", {"Authorization": f"Bearer {customer_token}", **PROXIED})]
    try:
        stack.start_rrdcached()
        web = stack.start_web("web1")
        stack.start_worker("worker1")
        stack.start_collector("collector0", "0/1", portal_url=web, token=collector_token, **collector_env)
        any_rrd = rrd_path(stack.rrd_dir, switch.pk, "ignored").parent
        wait_until(lambda: list(any_rrd.glob("*.rrd")), timeout=90, what="the collector's first RRD files")
        with Load(web, api) as load:
            _queue(stack, f"async_task('billing.tasks.billing_run_daily', '{RUN_DATE}')")
            wait_until(lambda: _sql(url, "SELECT count(*) FROM billing_invoice")[0][0] > 0, timeout=120,
                       what="the first invoices of the run")  # fmt: skip
            down, up = outage(
                lambda: private_postgres.stop("immediate"), private_postgres.start, seconds=OUTAGE_SECONDS
            )
            committed = _sql(url, "SELECT count(*) FROM billing_invoice")[0][0]
            assert committed < COMPANIES, "the run finished before the restart; make it longer"
            wait_until(lambda: requests.get(f"{web}/healthz", timeout=5).ok, timeout=60, what="the web again")
            # The run broken by the outage, queued again (the daily schedule would): the rest of the companies.
            time.sleep(3)
            _queue(stack, f"async_task('billing.tasks.billing_run_daily', '{RUN_DATE}')")
            wait_until(lambda: _sql(url, "SELECT count(*) FROM billing_invoice")[0][0] == COMPANIES, timeout=240,
                       what="every company billed")  # fmt: skip
            # The collector's ingest resumed: rates measured after the outage reached the database.
            wait_until(
                lambda: (
                    _sql(url, "SELECT max(rates_at) FROM monitoring_interfacestate")[0][0]
                    > datetime.fromtimestamp(up, UTC)
                ),
                timeout=60,
                what="rates measured after the outage in the database",
            )
            time.sleep(3)
        summary = load.check_recovered(up)
        # Nothing was restarted: every process of the stack is the one started before the outage.
        for process in stack.processes:
            assert stack._alive(process)
    finally:
        stack.stop()

    _check_billed_once(
        _sql(url, "SELECT company_id, count(*) FROM billing_invoice GROUP BY company_id"),
        [row[0] for row in _sql(url, "SELECT number FROM billing_invoice")],
    )
    assert committed > 0
    # Polling never stopped: the RRD has samples from inside the outage window.
    import rrdtool

    files = sorted(any_rrd.glob("*.rrd"))
    (start, _end, step), names, rows = rrdtool.fetch(
        str(files[0]), "AVERAGE", "-r", "1", "-s", str(int(down)), "-e", str(int(up))
    )
    index = names.index("in_octets") if "in_octets" in names else 0
    known = [row for row in rows if row[index] is not None]
    assert known, f"no RRD sample between {down} and {up} in {files[0]}"
    print(f"\nPostgreSQL restart: {summary}; invoices committed before it {committed}; "
          f"RRD samples in the {up - down:.1f} s outage: {len(known)} of {len(rows)}")  # fmt: skip


# Redis --------------------------------------------------------------------------------------------------


@pytest.fixture
def private_redis():
    import shutil

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    server = PrivateRedis()
    server.start()
    yield server
    server.destroy()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_redis_restarts_under_the_running_stack(tmp_path, private_redis, acme, alice):
    _billable_companies(COMPANIES_REDIS)
    noc = staff_member(roles=[StaffRole.NOC], email="noc@serverstock.test", username="noc-redis", mfa=False)
    noc_secret = enable_mfa(noc)
    _production_password(noc)
    _token, customer_token = api_token_create(user=alice, name="restart test")
    _collector, collector_token = monitoring_services.collector_token_create(name="restart test")
    device = snmp_device(acme, port=9, name="edge-redis")  # events are posted by hand, nothing polls it

    def post_event(status: str) -> requests.Response:
        batch = {"events": [{"type": "device", "device": device.pk, "status": status,
                             "at": datetime.now(UTC).isoformat()}]}  # fmt: skip
        return requests.post(f"{web}/api/monitoring/collector/ingest/", json=batch, timeout=10,
                             headers={"Authorization": f"Bearer {collector_token}"})  # fmt: skip

    stack = Stack(tmp_path, _database_url(), private_redis.url)
    api = [("/healthz", {}), ("/api/catalog/orders/", {"Authorization": f"Bearer {customer_token}", **PROXIED})]
    try:
        web = stack.start_web("web1")
        ws_port = stack.start_ws()
        stack.start_worker("worker1")
        operator = Browser(web, verify=True, direct=True)
        operator.sign_in("noc-redis", noc_secret)
        board = BoardClient(
            f"ws://127.0.0.1:{ws_port}/ws/noc/",
            f"sessionid={operator.cookies['sessionid']}",
            f"http://127.0.0.1:{ws_port}",
        )
        with board, Load(web, api) as load:
            wait_until(lambda: any(m.get("type") == "hello" for _n, m in board.messages), timeout=30, what="hello")
            assert post_event("unreachable").status_code == 200
            wait_until(lambda: board.saw(device.name, "unreachable"), timeout=30, what="the event before the restart")

            # The run, and tasks waiting behind it (one worker): they sit in Redis through the restart.
            waiting = _queue(
                stack,
                f"async_task('billing.tasks.billing_run_daily', '{RUN_DATE}')\n"
                "for n in range(20): print(async_task('math.sqrt', n * n))",
            )
            assert len(waiting) == 20
            wait_until(lambda: Invoice.objects.exists(), timeout=120, what="the first invoices of the run")
            billed_when_stopped = []

            def stop_redis():
                private_redis.stop()
                billed_when_stopped.append(Invoice.objects.count())

            down, up = outage(stop_redis, private_redis.start, seconds=OUTAGE_SECONDS)
            # Counted when Redis went away, not after the outage: on a fast host the run ends within it.
            assert billed_when_stopped[0] < COMPANIES_REDIS, "the run had finished when Redis stopped; make it longer"

            wait_until(lambda: requests.get(f"{web}/healthz", timeout=5).ok, timeout=60, what="the web again")
            # The NOC board gets events again (on the same socket or a new one).
            # The first batch after the restart is taken and its event pushed (the layer's broken pooled
            # connections are replaced on the way).
            answer = post_event("reachable")
            assert answer.status_code == 200, answer.text[:500]

            from django_q.models import Task

            # An invoice finalised while Redis was away has its PDF task refused (logged; the run goes on): a run
            # queued again, as the daily schedule does, bills nothing twice.
            time.sleep(3)
            _queue(stack, f"async_task('billing.tasks.billing_run_daily', '{RUN_DATE}')")
            wait_until(lambda: Invoice.objects.count() == COMPANIES_REDIS, timeout=300, what="the run to complete")
            wait_until(lambda: Task.objects.filter(id__in=waiting, success=True).count() == len(waiting),
                       timeout=120, what="every task queued before the restart to run")  # fmt: skip
            assert sorted(Task.objects.filter(id__in=waiting).values_list("result", flat=True)) == [
                float(n) for n in range(20)
            ]
            # The event sent right after the restart is stored; live, it reaches the sockets that are open when it
            # is published: the board's socket may still be reconnecting (the ASGI process closed it when Redis
            # went away), so it is not required there (the board shows stored state when its page loads).
            from monitoring.models import MonitoringEvent

            assert MonitoringEvent.objects.filter(device=device, status="reachable").exists()
            kept = _wait_quietly(lambda: board.saw(device.name, "reachable"), timeout=30)
            # Once reconnected, the board's socket gets events again, and so does a socket opened now.
            with BoardClient(board.url, board.cookie, board.origin) as fresh:
                wait_until(lambda: any(m.get("type") == "hello" for _n, m in fresh.messages), timeout=30, what="hello")
                assert post_event("unreachable").status_code == 200
                new_socket = _wait_quietly(lambda: fresh.saw(device.name, "unreachable"), timeout=30)
                old_socket = _wait_quietly(lambda: board.saw(device.name, "unreachable"), timeout=30)
            assert old_socket and new_socket, (
                f"NOC events after the Redis restart: on the board's socket {old_socket}, on a new socket "
                f"{new_socket}; board connections {board.connections}, closes {board.closes[-3:]}"
            )
            time.sleep(2)
        summary = load.check_recovered(up)
        # Nothing was restarted: every process of the stack is the one started before the outage.
        for process in stack.processes:
            assert stack._alive(process)
        connections = board.connections
    finally:
        stack.stop()

    rows = list(Invoice.objects.values_list("company_id").annotate(n=Count("id")))
    _check_billed_once(rows, list(Invoice.objects.values_list("number", flat=True)), COMPANIES_REDIS)
    print(f"\nRedis restart: {summary}; NOC board socket connections {connections}, the event published while it "
          f"reconnected seen live: {kept}; closes {board.closes[:2]}")  # fmt: skip
