"""NOC board fan-out: 500 WebSocket clients on /ws/noc/ of the ASGI process (``deploy/run ws``, uvicorn) with the
Redis channel layer, fed by the web process (``deploy/run web``) from collector ingest posts.

``make bench BENCH=noc`` (needs DATABASE_URL on PostgreSQL and REDIS_URL; NOC_CLIENTS, default 500). The staff
session passed MFA (password, then a TOTP code, through the product's login pages). Measured, each beside a
reference from the same run, a bare ``group_send`` on the channel layer from this process (which skips the web
process, the ingest and its database work):

- one event: from the ingest POST until all clients have it (median of 5);
- a burst of 1,000 events (1,000 devices unreachable, 10 ingest posts of 100 as collectors send them): delivery
  latency of every (client, event) pair, from the send of its post, p50 / p99 / max, and until all have all.

The consumers coalesce events (``COALESCE_SECONDS``, 0.25 s): both paths include it. Clients keep the raw
messages and decode them after each measurement, so their own parsing does not delay the receipt times.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.bench import harness, openloop

CLIENTS = int(os.environ.get("NOC_CLIENTS", "500"))
BURST = 1000
BATCHES = 10
PASSWORD = "noc-bench-password"


def build():
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group

    from accounts.choices import StaffRole
    from accounts.models import User
    from dcim.choices import DeviceStatus, Ownership
    from dcim.models import Device, DeviceType, Manufacturer, Site
    from monitoring.services import collector_token_create
    from tests.accounts.factories import enable_mfa

    operator = User.objects.filter(username="noc-bench").first()
    if operator is None:
        operator = User.objects.create_user(username="noc-bench", email="noc@bench.example", password=PASSWORD,
                                            is_staff=True)  # fmt: skip
    Authenticator.objects.filter(user=operator).delete()  # a run again on the kept data (NOC_REUSE=1)
    operator.groups.set(Group.objects.filter(name__in=[StaffRole.NOC]))
    secret = enable_mfa(operator)
    site = Site.objects.get_or_create(slug="noc-1", defaults={"name": "NOC 1", "code": "NOC1"})[0]
    vendor = Manufacturer.objects.get_or_create(slug="noc", defaults={"name": "NOC"})[0]
    switch = DeviceType.objects.get_or_create(
        slug="noc-sw", defaults={"manufacturer": vendor, "model": "NOC switch", "u_height": 1}
    )[0]
    run = Device.objects.filter(device_type=switch).count()  # fresh devices each run: their first change counts
    devices = Device.objects.bulk_create(
        Device(
            name=f"sw{run + n:06d}",
            device_type=switch,
            role="switch",
            status=DeviceStatus.ACTIVE,
            ownership=Ownership.DATACENTER,
            site=site,
            management_ip="127.0.0.1",
            snmp_enabled=True,
            snmp_community="public",
            snmp_port=9,
            serial=f"NOC{run + n:07d}",
        )  # fmt: skip
        for n in range(BURST + 10)
    )
    _token, raw = collector_token_create(name="noc bench")
    return secret, [device.pk for device in devices], raw


def sign_in(base: str, secret: str) -> str:
    """The operator's session through the login form and the TOTP step; the sessionid."""
    import requests
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    proxy = {"X-Forwarded-Proto": "https"}
    cookies: dict[str, str] = {}

    def go(method, path, **kwargs):
        headers = {**proxy, "Referer": f"{base.replace('http://', 'https://')}{path}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        answer = requests.request(method, f"{base}{path}", headers=headers, allow_redirects=False, timeout=30,
                                  **kwargs)  # fmt: skip
        cookies.update({cookie.name: cookie.value for cookie in answer.cookies})
        return answer

    go("GET", "/accounts/login/")
    answer = go("POST", "/accounts/login/", data={"login": "noc-bench", "password": PASSWORD,
                                                 "csrfmiddlewaretoken": cookies["csrftoken"]})  # fmt: skip
    assert answer.status_code == 302 and "/2fa/" in answer.headers["Location"], (
        answer.status_code,
        re.sub(r"<[^>]+>", " ", answer.text)[-500:],
    )
    for _attempt in range(3):  # a code can expire on its way on a busy machine: the next one then
        code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
        data = {"code": code, "csrfmiddlewaretoken": cookies["csrftoken"]}
        answer = go("POST", "/accounts/2fa/authenticate/", data=data)
        if answer.status_code == 302:
            break
        time.sleep(5)
    assert answer.status_code == 302 and "sessionid" in cookies, answer.status_code
    return cookies["sessionid"]


class Clients:
    """``CLIENTS`` board sockets; each keeps (receipt time, raw text) of every message."""

    def __init__(self, url: str, cookie: str, origin: str):
        self.url, self.cookie, self.origin = url, cookie, origin
        self.received: list[list[tuple[float, str]]] = []
        self.sockets = []
        self.tasks = []

    async def open(self):
        from websockets.asyncio.client import connect

        async def one(index):
            socket = await connect(self.url, additional_headers={"Cookie": self.cookie, "Origin": self.origin},
                                   open_timeout=60, max_size=None)  # fmt: skip
            hello = json.loads(await socket.recv())
            assert hello["type"] == "hello", hello
            self.sockets.append(socket)
            inbox: list[tuple[float, str]] = []
            self.received.append(inbox)
            self.tasks.append(asyncio.create_task(self._listen(socket, inbox)))

        for start in range(0, CLIENTS, 50):  # 50 at a time: the handshakes each look the session up
            await asyncio.gather(*(one(n) for n in range(start, min(CLIENTS, start + 50))))

    @staticmethod
    async def _listen(socket, inbox):
        async for text in socket:
            inbox.append((time.time(), text))

    def clear(self):
        for inbox in self.received:
            inbox.clear()

    def arrivals(self, wanted) -> list[dict]:
        """Per client: event key -> first receipt time, for the events ``wanted(event)`` names (a key or None)."""
        found = []
        for inbox in self.received:
            seen = {}
            for at, text in inbox:
                message = json.loads(text)
                for event in message.get("events", []):
                    key = wanted(event)
                    if key is not None and key not in seen:
                        seen[key] = at
            found.append(seen)
        return found

    async def wait_for(self, count_of, expected: int, timeout: float = 120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(count_of(inbox) >= expected for inbox in self.received):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"not every client got {expected} messages within {timeout} s")

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)


def cpu_seconds(pids: dict[str, set[int]]) -> dict[str, float]:
    """CPU seconds used so far by each named set of processes (this one as "clients")."""
    used = {name: openloop.cpu_ticks(found) / openloop.clock_ticks() for name, found in pids.items()}
    mine = os.times()
    used["clients"] = mine.user + mine.system
    return used


async def measure(web: str, ws_url: str, session: str, devices: list[int], token: str, pids=None) -> dict:
    import requests
    from channels.layers import get_channel_layer

    from monitoring.services import NOC_GROUP

    layer = get_channel_layer()
    clients = Clients(ws_url, f"sessionid={session}", ws_url.replace("ws://", "http://").split("/ws/")[0])
    await clients.open()
    figures: dict = {"clients": len(clients.sockets)}

    def post(batch_devices: list[int], status: str) -> float:
        now = datetime.now(UTC).isoformat()
        batch = {"events": [{"type": "device", "device": pk, "status": status, "at": now} for pk in batch_devices]}
        sent = time.time()
        answer = requests.post(f"{web}/api/monitoring/collector/ingest/", json=batch, timeout=60,
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status_code == 200, answer.text[:300]
        return sent

    def all_have(keys, arrivals) -> float:
        return max(max(seen[key] for key in keys) for seen in arrivals)

    # One event, five times each way.
    singles, references = [], []
    for n in range(5):
        device = devices[BURST + n]
        clients.clear()
        sent = await asyncio.to_thread(post, [device], "unreachable")
        await clients.wait_for(len, 1)
        arrivals = clients.arrivals(lambda event, device=device: "x" if event.get("device") == device else None)
        singles.append(all_have(["x"], arrivals) - sent)

        clients.clear()
        marker = f"ref-{n}"
        sent = time.time()
        await layer.group_send(NOC_GROUP, {"type": "monitoring.events", "events": [{"id": marker, "device": 0}]})
        await clients.wait_for(len, 1)
        arrivals = clients.arrivals(lambda event, marker=marker: "x" if event.get("id") == marker else None)
        references.append(all_have(["x"], arrivals) - sent)
    figures["single"] = statistics.median(singles)
    figures["single_ref"] = statistics.median(references)

    def delivery(arrivals, sent_of) -> dict:
        latencies = [at - sent_of[key] for seen in arrivals for key, at in seen.items()]
        complete = all(len(seen) == len(sent_of) for seen in arrivals)
        assert complete, f"{sum(len(seen) for seen in arrivals)} deliveries of {len(sent_of) * len(arrivals)}"
        return {
            "p50": openloop.percentile(latencies, 0.5),
            "p99": openloop.percentile(latencies, 0.99),
            "max": max(latencies),
            "all": all_have(list(sent_of), arrivals) - min(sent_of.values()),
            "deliveries": len(latencies),
        }

    def event_count(inbox):
        return sum(text.count('"device":') for _at, text in inbox)  # not "kind": "device"

    # The burst through the product: 10 ingest posts of 100 devices going unreachable, back to back.
    clients.clear()
    burst = devices[:BURST]
    size = BURST // BATCHES
    sent_of: dict = {}
    before = cpu_seconds(pids or {})
    for start in range(0, BURST, size):
        part = burst[start : start + size]
        sent = await asyncio.to_thread(post, part, "unreachable")
        sent_of.update(dict.fromkeys(part, sent))
    await clients.wait_for(event_count, BURST)
    after = cpu_seconds(pids or {})
    figures["burst_cpu"] = {name: after[name] - before[name] for name in after}
    figures["burst"] = delivery(clients.arrivals(lambda event: event.get("device")), sent_of)

    # The same burst as bare group_sends of 100 events each.
    clients.clear()
    sent_of = {}
    for start in range(0, BURST, size):
        keys = [f"ref-burst-{n}" for n in range(start, start + size)]
        sent = time.time()
        await layer.group_send(
            NOC_GROUP, {"type": "monitoring.events", "events": [{"id": k, "device": 0} for k in keys]}
        )
        sent_of.update(dict.fromkeys(keys, sent))
    await clients.wait_for(event_count, BURST)
    arrivals = clients.arrivals(lambda event: event.get("id") if event.get("device") == 0 else None)
    figures["burst_ref"] = delivery(arrivals, sent_of)
    await clients.close()
    return figures


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        print("noc: skipped, it needs DATABASE_URL (PostgreSQL) and REDIS_URL (the Redis channel layer)")
        return 0
    harness.setup("noc", fresh=os.environ.get("NOC_REUSE") != "1")
    from tests.deploy.stack import Stack

    secret, devices, token = build()
    stack = Stack(Path(tempfile.mkdtemp(prefix="serverstock-noc-")), os.environ["DATABASE_URL"],
                  os.environ["REDIS_URL"])  # fmt: skip
    stack.env.update({"WEB_WORKERS": "2", "LOG_LEVEL": "WARNING"})
    try:
        web = stack.start_web("web")
        ws_port = stack.start_ws()
        session = sign_in(web, secret)
        print(f"   load average before: {openloop.loadavg()}", flush=True)
        by_name = {process.name: process.popen.pid for process in stack.processes}
        pids = {name: openloop.descendants(by_name[name]) for name in ("web", "ws")}
        pids["redis"] = {int(pid) for pid in subprocess.run(["pgrep", "-x", "redis-server"], capture_output=True,
                                                            text=True).stdout.split()}  # fmt: skip
        figures = asyncio.run(measure(web, f"ws://127.0.0.1:{ws_port}/ws/noc/", session, devices, token, pids))
        load = openloop.loadavg()
    finally:
        stack.stop()
    report = harness.Report(f"NOC board fan-out to {figures['clients']} WebSocket clients (uvicorn, Redis layer)")
    report.row("one event: ingest POST until all clients have it", figures["single"],
               reference=(figures["single_ref"], None), reference_label="bare group_send")  # fmt: skip
    for name in ("p50", "p99", "max"):
        report.row(f"burst of {BURST}: {name} delivery", figures["burst"][name],
                   reference=(figures["burst_ref"][name], None), reference_label="bare group_send")  # fmt: skip
    report.row(f"burst of {BURST}: until all clients have all", figures["burst"]["all"],
               reference=(figures["burst_ref"]["all"], None), reference_label="bare group_send")  # fmt: skip
    cpu = figures["burst_cpu"]
    report.note("CPU during the burst", ", ".join(f"{name} {seconds:.2f} s" for name, seconds in cpu.items()))
    report.note("deliveries", f"{figures['burst']['deliveries']:,} (client, event) pairs")
    report.note("load average", f"after the run {load} (2 cores)")
    report.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
