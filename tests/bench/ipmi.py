"""IPMI benchmark (``make bench BENCH=ipmi``), against simulated BMCs on 127.0.0.1, references from the same run:

1. power command round trip, p50: ``collector.ipmi.power_command`` (pyghmi, what a power job runs) and the
   whole job (request + task run, database included) beside ``ipmitool -C 3`` over the same BMC; target ≤ 2 s;
2. console keystroke-to-echo, p50, with 20 consoles open at once in this one ASGI process (the project's
   ASGI application, WebSockets through Channels to each simulated BMC's SOL); target ≤ 100 ms; reference:
   the same keystroke over a bare pyghmi console in this process, without Django;
3. sensor polling of 500 simulated BMCs (power, 6 sensors, DCMI) by one IPMI collector: wall time of one
   round and the collector's CPU seconds, against the 60 s interval on one core.

``BENCH_BMCS`` (500), ``BENCH_CONSOLES`` (20), ``BENCH_ROUNDS`` (30) size it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time

from tests.bench import harness

BMCS = int(os.environ.get("BENCH_BMCS", "500"))
CONSOLES = int(os.environ.get("BENCH_CONSOLES", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
PASSWORD = "bench-password-1"


def p50(values: list[float]) -> float:
    return statistics.median(values)


def line(text: str) -> None:
    print(f"  .. {text}", flush=True)


def power_round_trip(sim) -> list[tuple[str, float, float]]:
    from collector.ipmi import BmcTarget, power_command

    target = BmcTarget(host="127.0.0.1", port=sim.port, username="admin", password="password")
    ipmitool = shutil.which("ipmitool")
    base = [
        ipmitool,
        "-I",
        "lanplus",
        "-C",
        "3",
        "-H",
        "127.0.0.1",
        "-p",
        str(sim.port),
        "-U",
        "admin",
        "-P",
        "password",
    ]
    rows = []
    for action, tool_args in (("status", ["power", "status"]), ("on", ["power", "on"])):
        power_command(target, action)  # the first call logs in; jobs in a worker reuse the session
        ours, reference = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            power_command(target, action)
            ours.append(time.perf_counter() - started)
            if ipmitool:
                started = time.perf_counter()
                subprocess.run([*base, *tool_args], capture_output=True, check=True, timeout=30)
                reference.append(time.perf_counter() - started)
        rows.append((f"power {action} (pyghmi)", p50(ours), p50(reference) if reference else float("nan")))
    return rows


def make_device(company, *, name: str = "", **fields):
    """A server through DCIM's service (the benchmark cannot use the test factories: no test settings here)."""
    from dcim.models import DeviceType, Manufacturer
    from dcim.services import device_create

    maker, _ = Manufacturer.objects.get_or_create(name="Bench", defaults={"slug": "bench"})
    dtype, _ = DeviceType.objects.get_or_create(slug="bench-1u", defaults={"manufacturer": maker, "model": "Bench 1U"})
    make_device.count = getattr(make_device, "count", 0) + 1
    return device_create(name=name or f"bench-{make_device.count}", device_type=dtype, company=company, **fields)


def job_round_trip(sim) -> float:
    from accounts.models import Membership, User
    from accounts.services import company_create
    from remote import services

    company = company_create(name="Bench Co", legal_name="Bench Co LLC", country="US")
    user = User.objects.create_user(email="bench@bench.test", password=PASSWORD)
    Membership.objects.create(user=user, company=company, role="owner")
    device = make_device(
        company, ipmi_address="127.0.0.1", ipmi_port=sim.port, ipmi_username="admin", ipmi_password="password"
    )
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        job = services.power_job_request(device=device, action="status", actor=user)
        job = services.power_job_run(job=job)
        times.append(time.perf_counter() - started)
        assert job.status == "succeeded", job.error
    from remote.models import PowerJob

    PowerJob.objects.all().delete()
    return p50(times)


def console_echo(sims) -> tuple[float, float, int]:
    """p50 keystroke-to-echo over 20 WebSocket consoles at once, and over one bare pyghmi console."""
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from accounts.models import Membership, User
    from accounts.services import company_create
    from serverstock.asgi import application

    company = company_create(name="Console Co", legal_name="Console Co LLC", country="US")
    clients, devices = [], []
    for index, bmc in enumerate(sims):
        user = User.objects.create_user(email=f"console{index}@bench.test", password=PASSWORD)
        Membership.objects.create(user=user, company=company, role="technical")
        device = make_device(
            company,
            name=f"console-{index}",
            ipmi_address="127.0.0.1",
            ipmi_port=bmc["port"],
            ipmi_username="admin",
            ipmi_password="password",
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        assert client.post(f"/portal/network/devices/{device.pk}/console/", {"password": PASSWORD}).status_code == 302
        clients.append(client)
        devices.append(device)

    async def one(client, device, latencies):
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        socket = WebsocketCommunicator(
            application,
            f"/ws/remote/console/{device.pk}/",
            headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)],
        )
        connected, _ = await socket.connect(timeout=30)
        assert connected
        while (await socket.receive_json_from(timeout=30)).get("state") != "connected":
            pass
        await asyncio.sleep(0.5)
        while True:  # drain the prompt
            try:
                await socket.receive_json_from(timeout=0.3)
            except TimeoutError:
                break
        for char in "abcdefghijklmnopqrst":
            started = time.perf_counter()
            await socket.send_json_to({"type": "input", "data": char})
            while char not in (await socket.receive_json_from(timeout=30)).get("data", ""):
                pass
            latencies.append(time.perf_counter() - started)
        await socket.disconnect()

    failures: list[str] = []

    async def guarded(client, device, latencies):
        try:
            await one(client, device, latencies)
        except (Exception, asyncio.CancelledError) as error:  # report, do not hide: a console that broke
            failures.append(f"{device.name}: {type(error).__name__} {error}")

    async def all_at_once():
        latencies: list[float] = []
        await asyncio.gather(*(guarded(c, d, latencies) for c, d in zip(clients, devices, strict=True)))
        return latencies

    latencies = asyncio.run(all_at_once())
    if failures:
        print(f"  !! {len(failures)} of {len(devices)} consoles broke: {failures[:3]}", flush=True)

    # Reference: one bare pyghmi console in this process (no Django, no WebSocket).
    import threading

    from pyghmi.ipmi import console

    from remote.console import PUMP

    got = threading.Event()
    received = []

    def handler(data):
        if not isinstance(data, dict):
            received.append(bytes(data))
            got.set()

    PUMP.acquire()
    bare = console.Console(
        bmc="127.0.0.1", userid=b"admin", password=b"password", port=sims[0]["port"], iohandler=handler, force=True
    )
    deadline = time.monotonic() + 10
    while not bare.connected and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    bare_times = []
    for char in "abcdefghijklmnopqrst":
        got.clear()
        started = time.perf_counter()
        bare.send_data(char)
        got.wait(5)
        bare_times.append(time.perf_counter() - started)
    bare.close()
    PUMP.release()
    return p50(latencies), p50(bare_times), len(latencies)


def sensor_polling(bmcs: list[dict]) -> tuple[float, float, int, int]:
    from collector.ipmi import IpmiCollector
    from collector.shard import Shard

    rrd_dir = harness.ROOT / "var" / "bench" / "ipmi" / "rrd"

    class NoPortal:
        async def ipmi_targets(self, shard):
            return {
                "bmcs": [
                    {
                        "id": i + 1,
                        "address": "127.0.0.1",
                        "port": b["port"],
                        "username": "admin",
                        "password": "password",
                    }
                    for i, b in enumerate(bmcs)
                ]
            }

        async def send_ipmi(self, batch):
            return True

    collector = IpmiCollector(portal=NoPortal(), rrd_dir=rrd_dir, shard=Shard(0, 1), timeout=30, concurrency=32)

    async def rounds():
        await collector.load_targets()
        await asyncio.gather(*(collector.poll(state) for state in collector.bmcs.values()))  # first: logins, SDRs
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(collector.poll(state) for state in collector.bmcs.values()))
        return time.perf_counter() - wall, time.process_time() - cpu

    wall, cpu = asyncio.run(rounds())
    return wall, cpu, collector.stats["polls"], collector.stats["failures"]


def main() -> int:
    harness.setup("ipmi")
    from remote.simulator import start_simulator

    print(f"IPMI benchmark: {ROUNDS} rounds, {CONSOLES} consoles, {BMCS} BMCs (load {os.getloadavg()[0]:.2f})")
    single = start_simulator([{"name": "bench-power"}])
    consoles = []
    farms = []
    try:
        line("power round trips")
        rows = power_round_trip(single)
        job = job_round_trip(single)
        for name, ours, reference in rows:
            print(
                f"  {name:<32} p50 {ours * 1000:8.1f} ms   ipmitool {reference * 1000:8.1f} ms   "
                f"ratio {ours / reference:5.2f}   (target ≤ 2000 ms)"
            )
        print(
            f"  {'power job (request + task run)':<32} p50 {job * 1000:8.1f} ms   ipmitool {rows[0][2] * 1000:8.1f} ms"
            f"   ratio {job / rows[0][2]:5.2f}   (target ≤ 2000 ms)"
        )

        line(f"{CONSOLES} consoles at once")
        per_process = 5
        for start in range(0, CONSOLES, per_process):
            consoles.append(
                start_simulator([{"name": f"console-{i}"} for i in range(start, min(CONSOLES, start + per_process))])
            )
        echo, bare, count = console_echo([bmc for sim in consoles for bmc in sim.bmcs])
        print(
            f"  {'keystroke to echo, ' + str(CONSOLES) + ' consoles':<32} p50 {echo * 1000:8.1f} ms   bare pyghmi "
            f"{bare * 1000:8.1f} ms   ratio {echo / bare:5.2f}   ({count} keystrokes; target ≤ 100 ms)"
        )

        line(f"starting {BMCS} simulated BMCs")
        per_farm = 100
        for start in range(0, BMCS, per_farm):
            farms.append(
                start_simulator(
                    [{"name": f"farm-{i}"} for i in range(start, min(BMCS, start + per_farm))], deadline=120
                )
            )
        wall, cpu, polls, failures = sensor_polling([bmc for farm in farms for bmc in farm.bmcs])
        print(
            f"  {'sensor round of ' + str(BMCS) + ' BMCs':<32} wall {wall:8.2f} s   collector CPU {cpu:6.2f} s   "
            f"budget 60 s on one core: CPU {cpu / 60 * 100:5.1f} %   ({polls} polls, {failures} failures)"
        )
    finally:
        for sim in [single, *consoles, *farms]:
            sim.stop()
    print(f"load after: {os.getloadavg()[0]:.2f} (other work on these cores lowers every figure alike)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
