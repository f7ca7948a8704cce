"""IPMI benchmark (``make bench BENCH=ipmi``), against simulated BMCs on 127.0.0.1, references from the same run:

1. power command round trip, p50: ``collector.ipmi.power_command`` (pyghmi, what a power job runs) and the
   whole job (request + task run, database included) beside ``ipmitool -C 3`` over the same BMC; target ≤ 2 s;
2. console keystroke-to-echo, p50, with 20 consoles open at once in this one ASGI process (the project's
   ASGI application, WebSockets through Channels to each simulated BMC's SOL); target ≤ 100 ms, every
   keystroke echoed; references: as many bare pyghmi consoles open in this process (no Django), typed into one
   at a time from one thread, and a ping over the same WebSocket path;
3. sensor polling of 500 simulated BMCs (power, 6 sensors, DCMI) by one IPMI collector: wall time of one
   round and the collector's CPU seconds, against the 60 s interval on one core.

   Then one simulator process (100 BMCs) is stopped for a round and resumed (``BENCH_FROZEN=0`` skips it):
   the round must end within the collector's deadline, and polling must come back.

``BENCH_BMCS`` (500), ``BENCH_CONSOLES`` (20), ``BENCH_ROUNDS`` (30), ``BENCH_POLL_ROUNDS`` (2) size it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

from tests.bench import harness

BMCS = int(os.environ.get("BENCH_BMCS", "500"))
CONSOLES = int(os.environ.get("BENCH_CONSOLES", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
POLL_ROUNDS = int(os.environ.get("BENCH_POLL_ROUNDS", "2"))
FROZEN = os.environ.get("BENCH_FROZEN", "1") != "0"
PASSWORD = "bench-password-1"
KEYSTROKES = "abcdefghijklmnopqrst"


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


def console_echo(sims) -> dict:
    """p50 keystroke-to-echo over ``len(sims)`` WebSocket consoles typing at once, beside two references from the
    same run: the same number of bare pyghmi consoles typing at once in this process (no Django, no WebSocket),
    and the same number of WebSockets through the same ASGI stack answered by the ping consumer (no BMC)."""
    from channels.testing import WebsocketCommunicator
    from django.test import Client
    from pyghmi.ipmi import console

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

    def communicator(client, path):
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        return WebsocketCommunicator(
            application, path, headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie), (b"host", b"127.0.0.1")]
        )

    # Never let receive_json_from time out while the console should stay open: on a time-out the test
    # communicator cancels the application (every console of the first attempt ended in CancelledError so).
    async def until(socket, predicate, timeout=30.0) -> str:
        text = ""
        while True:
            message = await socket.receive_json_from(timeout=timeout)
            if message.get("state") == "closed":
                raise RuntimeError(f"console closed: {message.get('message')}")
            text += message.get("data", "")
            if predicate(message, text):
                return text

    opened = asyncio.Event()
    ready: list[int] = []

    async def one(client, device, latencies, start):
        socket = communicator(client, f"/ws/remote/console/{device.pk}/")
        connected, _ = await socket.connect(timeout=30)
        assert connected
        seen = set()

        def open_with_prompt(message, text):  # output may come before the "connected" status
            seen.add(message.get("state"))
            return "connected" in seen and text.rstrip().endswith("~#")  # the shell's prompt

        await until(socket, open_with_prompt)
        ready.append(device.pk)
        if len(ready) == len(devices):
            opened.set()
        await opened.wait()  # every console is open before anyone types
        await start.wait()
        for char in KEYSTROKES:
            started = time.perf_counter()
            await socket.send_json_to({"type": "input", "data": char})
            await until(socket, lambda message, text, char=char: char in text)
            latencies.append(time.perf_counter() - started)
        await socket.disconnect(timeout=10)

    async def ping(client, latencies, start):
        socket = communicator(client, "/ws/ping/")
        connected, _ = await socket.connect(timeout=30)
        assert connected
        await start.wait()
        for _ in KEYSTROKES:
            started = time.perf_counter()
            await socket.send_json_to({"type": "ping"})
            assert (await socket.receive_json_from(timeout=30))["type"] == "pong"
            latencies.append(time.perf_counter() - started)
        await socket.disconnect(timeout=10)

    failures: list[str] = []

    async def guarded(coroutine, name):
        try:
            await coroutine
        except (Exception, asyncio.CancelledError) as error:  # report, do not hide: a console that broke
            failures.append(f"{name}: {type(error).__name__} {error}")
            opened.set()

    async def all_at_once(kind):
        latencies: list[float] = []
        start = asyncio.Event()
        if kind == "console":
            tasks = [guarded(one(c, d, latencies, start), d.name) for c, d in zip(clients, devices, strict=True)]
        else:
            tasks = [guarded(ping(c, latencies, start), f"ping {n}") for n, c in enumerate(clients)]
        gathered = asyncio.gather(*tasks)
        if kind == "console":
            await asyncio.wait_for(opened.wait(), 120)
        else:
            await asyncio.sleep(1)
        started = time.perf_counter()
        start.set()
        await gathered
        return latencies, time.perf_counter() - started

    latencies, console_wall = asyncio.run(all_at_once("console"))
    ping_latencies, _ = asyncio.run(all_at_once("ping"))
    if failures:
        print(f"  !! {len(failures)} of {len(devices)} sockets broke: {failures[:3]}", flush=True)

    # Reference: as many bare pyghmi consoles open in this process (no Django, no WebSocket), driven the way
    # pyghmi is written to be used: from one thread, send_data (which waits for the BMC's acknowledgement) then
    # wait_for_rsp until the echo, one console after the other. (Typing into them from one thread each, as an
    # earlier version of this reference did, deadlocks pyghmi as shipped: send_data holds its console's output
    # lock while wait_for_rsp processes other consoles' packets, so two threads each wait for the other's lock.)
    bare_times: list[float] = []
    bare_failures: list[str] = []
    received = {bmc["port"]: bytearray() for bmc in sims}

    def handler_for(port):
        def handler(data):
            if not isinstance(data, dict):
                received[port].extend(data)

        return handler

    def wait_until(predicate, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while not predicate() and time.monotonic() < end:
            console.Console.wait_for_rsp(0.01)
        return predicate()

    sessions = {}
    for bmc in sims:
        port = bmc["port"]
        try:
            sessions[port] = console.Console(
                bmc="127.0.0.1",
                userid=b"admin",
                password=b"password",
                port=port,
                iohandler=handler_for(port),
                force=True,
            )
        except Exception as error:  # noqa: BLE001 - counted and shown, never hidden
            bare_failures.append(f"{type(error).__name__} {error}")
    for port, session in list(sessions.items()):
        if not wait_until(lambda s=session, p=port: s.connected and received[p].rstrip().endswith(b"~#"), 30):
            bare_failures.append(f"console on {port} did not open")
            del sessions[port]
    for char in KEYSTROKES:
        for port, session in sessions.items():
            del received[port][:]
            started = time.perf_counter()
            session.send_data(char)
            if wait_until(lambda p=port, c=char: c.encode() in received[p], 30):
                bare_times.append(time.perf_counter() - started)
    for session in sessions.values():
        session.close()
    if bare_failures:
        print(f"  !! {len(bare_failures)} of {len(sims)} bare consoles broke: {bare_failures[:3]}", flush=True)
    return {
        "echo": p50(latencies) if latencies else float("nan"),
        "echo_p95": statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else float("nan"),
        "echo_p99": statistics.quantiles(latencies, n=100)[-1] if len(latencies) > 1 else float("nan"),
        "bare_p99": statistics.quantiles(bare_times, n=100)[-1] if len(bare_times) > 1 else float("nan"),
        "bare": p50(bare_times) if bare_times else float("nan"),
        "ping": p50(ping_latencies) if ping_latencies else float("nan"),
        "keystrokes": len(latencies),
        "bare_keystrokes": len(bare_times),
        "wall": console_wall,
        "failures": len(failures),
    }


def unique_ports(count: int) -> list[int]:
    """``count`` distinct free UDP ports on 127.0.0.1: held open together while picked (500 single picks by
    ``free_port`` almost surely repeat one, and two BMCs on one port answer each other's packets)."""
    import socket

    held = []
    try:
        for _ in range(count):
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.bind(("127.0.0.1", 0))
            held.append(probe)
        return [probe.getsockname()[1] for probe in held]
    finally:
        for probe in held:
            probe.close()


def start_farms(count: int, *, per_farm: int = 100, prefix: str = "farm") -> list:
    """``count`` simulated BMCs, ``per_farm`` per simulator process, on distinct ports."""
    from remote.simulator import start_simulator

    ports = unique_ports(count)
    farms = []
    try:
        for start in range(0, count, per_farm):
            bmcs = [{"name": f"{prefix}-{i}", "port": ports[i]} for i in range(start, min(count, start + per_farm))]
            farms.append(start_simulator(bmcs, deadline=120))
    except BaseException:
        for farm in farms:
            farm.stop()
        raise
    return farms


def sensor_polling(bmcs: list[dict], *, rounds: int = 2, frozen=None) -> dict:
    """One IPMI collector polls every BMC (power, SDR sensors, DCMI, RRD writes): a first round (logins, SDRs,
    RRD files created), then ``rounds`` steady rounds; wall and CPU seconds of this process for each. With
    ``frozen`` (a simulator process), then a round with that process stopped (SIGSTOP: its BMCs stop answering
    mid-session) and two after it is resumed: the round must still end (collector deadline 30 s). References
    from the same run: one BMC polled alone, serially, times the number of BMCs; ``ipmitool sdr`` (a login and
    the SDR each time) over a sample, times the number of BMCs, with its CPU."""
    import resource

    from collector.ipmi import BmcTarget, IpmiCollector, read_sensors
    from collector.shard import Shard

    rrd_dir = harness.ROOT / "var" / "bench" / "ipmi" / "rrd"
    shutil.rmtree(rrd_dir, ignore_errors=True)

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
    figures: list[tuple[float, float, int, int]] = []
    frozen_figures: list[tuple[str, float, float, int, int]] = []

    async def one_round():
        before = dict(collector.stats)
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(collector.poll(state) for state in collector.bmcs.values()))
        return (
            time.perf_counter() - wall,
            time.process_time() - cpu,
            collector.stats["polls"] - before["polls"],
            collector.stats["failures"] - before["failures"],
        )

    async def run_rounds():
        await collector.load_targets()
        for _ in range(rounds + 1):
            figures.append(await one_round())
        if frozen is not None:
            os.kill(frozen.process.pid, signal.SIGSTOP)
            try:
                frozen_figures.append((f"{len(frozen.bmcs)} BMCs stopped answering", *await one_round()))
            finally:
                os.kill(frozen.process.pid, signal.SIGCONT)
            for number in (1, 2):
                frozen_figures.append((f"round {number} after they came back", *await one_round()))

    asyncio.run(run_rounds())

    # Reference 1: one BMC alone, polled serially (logged in already), the median poll times the BMC count.
    target = BmcTarget(host="127.0.0.1", port=bmcs[0]["port"], username="admin", password="password")
    read_sensors(target)
    alone, alone_cpu = [], []
    for _ in range(20):
        cpu, started = time.process_time(), time.perf_counter()
        read_sensors(target)
        alone.append(time.perf_counter() - started)
        alone_cpu.append(time.process_time() - cpu)

    # Reference 2: ipmitool sdr over a sample of the BMCs (a process, a login and the SDR each), times the count.
    tool, tool_cpu = [], []
    ipmitool = shutil.which("ipmitool")
    if ipmitool:
        for bmc in bmcs[:: max(1, len(bmcs) // 10)][:10]:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(
                [ipmitool, "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", str(bmc["port"]), "-U", "admin"]
                + ["-P", "password", "sdr"],
                capture_output=True,
                check=True,
                timeout=60,
            )
            tool.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            tool_cpu.append(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime)
    return {
        "rounds": figures,
        "frozen": frozen_figures,
        "alone": p50(alone),
        "alone_cpu": p50(alone_cpu),
        "ipmitool": p50(tool) if tool else float("nan"),
        "ipmitool_cpu": p50(tool_cpu) if tool_cpu else float("nan"),
        "sensors": collector.stats["sensors"],
        "files": sum(1 for _ in rrd_dir.rglob("*.rrd")),
    }


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
        echo = console_echo([bmc for sim in consoles for bmc in sim.bmcs])
        print(
            f"  {'keystroke to echo, ' + str(CONSOLES) + ' consoles':<32} p50 {echo['echo'] * 1000:8.1f} ms   "
            f"bare pyghmi × {CONSOLES} {echo['bare'] * 1000:8.1f} ms   ratio {echo['echo'] / echo['bare']:5.2f}   "
            f"(target ≤ 100 ms; p95 {echo['echo_p95'] * 1000:.1f} ms, p99 {echo['echo_p99'] * 1000:.1f} ms; "
            f"{echo['keystrokes']} of {CONSOLES * len(KEYSTROKES)} keystrokes echoed, {echo['failures']} broken)"
        )
        print(
            f"  {'':<32}     bare pyghmi: {CONSOLES} open, one typing at a time from one thread, p99 "
            f"{echo['bare_p99'] * 1000:.1f} ms, {echo['bare_keystrokes']} of {CONSOLES * len(KEYSTROKES)} echoed"
        )
        print(
            f"  {'ping over the same ASGI stack':<32} p50 {echo['ping'] * 1000:8.1f} ms   "
            f"(the WebSocket path alone, {CONSOLES} sockets at once; console ÷ ping {echo['echo'] / echo['ping']:.2f})"
        )

        line(f"starting {BMCS} simulated BMCs")
        farms = start_farms(BMCS)
        polled = sensor_polling(
            [bmc for farm in farms for bmc in farm.bmcs], rounds=POLL_ROUNDS, frozen=farms[0] if FROZEN else None
        )
        for number, (wall, cpu, polls, failures) in enumerate(polled["rounds"]):
            label = "first round (logins, SDRs, files)" if number == 0 else f"sensor round {number}, {BMCS} BMCs"
            print(
                f"  {label:<34} wall {wall:7.2f} s   CPU {cpu:6.2f} s ({cpu / 60 * 100:5.1f} % of one core over 60 s)"
                f"   {polls} polls, {failures} failures   (target: wall ≤ 60 s)"
            )
        for label, wall, cpu, polls, failures in polled["frozen"]:
            print(f"  {label:<34} wall {wall:7.2f} s   CPU {cpu:6.2f} s   {polls} polls, {failures} failures")
        wall, cpu = min(r[0] for r in polled["rounds"][1:]), min(r[1] for r in polled["rounds"][1:])
        alone, tool = polled["alone"] * BMCS, polled["ipmitool"] * BMCS
        print(
            f"  {'reference: one BMC alone × ' + str(BMCS):<34} wall {alone:7.2f} s   CPU "
            f"{polled['alone_cpu'] * BMCS:6.2f} s   (poll p50 {polled['alone'] * 1000:.1f} ms; steady round ÷ this: "
            f"wall {wall / alone:.2f}, CPU {cpu / (polled['alone_cpu'] * BMCS):.2f})"
        )
        print(
            f"  {'reference: ipmitool sdr × ' + str(BMCS):<34} wall {tool:7.2f} s   CPU "
            f"{polled['ipmitool_cpu'] * BMCS:6.2f} s   (one p50 {polled['ipmitool'] * 1000:.1f} ms, login included; "
            f"steady round ÷ this: wall {wall / tool:.3f}, CPU {cpu / (polled['ipmitool_cpu'] * BMCS):.3f})"
        )
        print(f"  {'':<34} {polled['sensors']:,} sensor readings, {polled['files']:,} RRD files")
    finally:
        for sim in [single, *consoles, *farms]:
            sim.stop()
    print(f"load after: {os.getloadavg()[0]:.2f} (other work on these cores lowers every figure alike)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
