"""Benchmark of the collector's service checks (``make bench BENCH=checks``).

One collector process (one core) runs BENCH_CHECKS (10,000) mixed checks, a third each ICMP (distinct
127.x.y.z addresses), TCP connect and HTTP GET, against loopback servers that run in *another* process (so
their CPU is not counted). Figures, each beside a reference measured in the same run:

* sustained: every check on a 60 s interval for BENCH_CHECK_SECONDS (60) -> results per 60 s, the CPU
  share of one core it took, and the event loop's lag (how late a 50 ms timer fires: the loop is never blocked
  if it stays at a few ms);
* burst capacity: all checks at once -> CPU seconds per 10,000 checks (= checks per core-minute);
* ICMP beside ``fping`` over the same addresses, TCP beside a plain asyncio connect loop;
* alert latency: a checked port closes -> the e-mail file and the NOC board's channel message, with a 10 s
  interval (target: at most one interval + 5 s).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKS = int(os.environ.get("BENCH_CHECKS", "10000"))
SECONDS = float(os.environ.get("BENCH_CHECK_SECONDS", "60"))
CONCURRENCY = int(os.environ.get("BENCH_CHECK_CONCURRENCY", "1000"))
LATENCY_INTERVAL = 10

SERVERS = """
import json, sys, time
from tests.collector.loopback import start_http_server, start_tcp_listener
tcp, http = start_tcp_listener(), start_http_server()
print(json.dumps({"tcp": tcp.port, "http": http.port}), flush=True)
sys.stdin.read()
"""


def progress(text: str) -> None:
    print(f"  .. {text}", flush=True)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def icmp_addresses(count: int) -> list[str]:
    return [f"127.{20 + n // 62500}.{n // 250 % 250}.{n % 250 + 1}" for n in range(count)]


def targets(ports: dict) -> list[dict]:
    third = CHECKS // 3
    items = []
    for address in icmp_addresses(CHECKS - 2 * third):
        items.append({"id": len(items) + 1, "kind": "icmp", "address": address, "timeout": 2, "retries": 0})
    for _ in range(third):
        items.append({"id": len(items) + 1, "kind": "tcp", "address": "127.0.0.1", "port": ports["tcp"], "timeout": 5})
    for _ in range(third):
        items.append(
            {
                "id": len(items) + 1,
                "kind": "http",
                "address": "127.0.0.1",
                "port": ports["http"],
                "path": "/health",
                "keyword": "ok",
                "timeout": 5,
            }
        )
    for item in items:
        item["interval"] = 60
        item["retries"] = 0
    return items


async def sustained(ports: dict) -> dict:
    from collector.checks import CheckRunner, LagMeter, measure_loop_lag

    runner = CheckRunner(concurrency=CONCURRENCY)
    runner.apply_targets({"checks": targets(ports)})
    # Spread the first runs over the whole interval, as a long-running collector's are.
    loop = asyncio.get_running_loop()
    now = loop.time()
    runner._heap.clear()
    for check_id in runner.targets:
        runner._schedule(check_id, now + (check_id * 0.6180339887) % 1 * 60)
    stop = asyncio.Event()
    lag = LagMeter()
    cpu = cpu_seconds()
    tasks = [asyncio.create_task(runner.scheduler(stop)), asyncio.create_task(measure_loop_lag(lag, stop))]
    await asyncio.sleep(SECONDS)
    stop.set()
    await asyncio.gather(*tasks)
    if runner._running:  # the checks started within the window finish and count
        await asyncio.wait(list(runner._running), timeout=10)
    wall, used = SECONDS, cpu_seconds() - cpu
    results = runner.results
    runner.prober.close()
    return {
        "results": len(results),
        "failed": sum(1 for result in results if not result.ok),
        "wall": wall,
        "cpu": used,
        "lag_worst_ms": lag.worst_ms,
        "lag_mean_ms": lag.mean_ms,
    }


async def burst(ports: dict) -> dict:
    from collector.checks import CheckRunner, LagMeter, measure_loop_lag

    runner = CheckRunner(concurrency=CONCURRENCY)
    runner.apply_targets({"checks": targets(ports)})
    stop, lag = asyncio.Event(), LagMeter()
    meter = asyncio.create_task(measure_loop_lag(lag, stop))
    cpu, started = cpu_seconds(), time.perf_counter()
    results = await runner.run_all_once()
    wall, used = time.perf_counter() - started, cpu_seconds() - cpu
    stop.set()
    await meter
    runner.prober.close()
    by_kind: dict[str, int] = {}
    for result in results:
        if not result.ok:
            kind = runner.targets[result.check].kind
            by_kind[kind] = by_kind.get(kind, 0) + 1
    return {"results": len(results), "failed": by_kind, "wall": wall, "cpu": used, "lag_worst_ms": lag.worst_ms}


async def ours_icmp(addresses: list[str]) -> dict:
    from collector.probes import IcmpPinger

    pinger = IcmpPinger()
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(address):
        async with slots:
            try:
                await pinger.ping(address, timeout=2)
                return True
            except Exception:  # noqa: BLE001
                return False

    cpu, started = cpu_seconds(), time.perf_counter()
    answered = sum(await asyncio.gather(*(one(address) for address in addresses)))
    wall, used = time.perf_counter() - started, cpu_seconds() - cpu
    pinger.close()
    return {"answered": answered, "wall": wall, "cpu": used}


def fping(addresses: list[str], workdir: Path) -> dict | None:
    if not shutil.which("fping"):
        return None
    listing = workdir / "targets.txt"
    listing.write_text("\n".join(addresses) + "\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # -i 0: no pause between packets (fping's minimum inter-packet interval), one echo each, 2 s timeout.
    result = subprocess.run(
        ["fping", "-q", "-c", "1", "-t", "2000", "-i", "0", "-r", "0", "-f", str(listing)],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    answered = sum(1 for line in result.stderr.splitlines() if "1/1/0%" in line)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"answered": answered, "wall": wall, "cpu": cpu}


async def ours_tcp(port: int, count: int) -> dict:
    from collector.probes import tcp_connect

    slots = asyncio.Semaphore(CONCURRENCY)

    async def one():
        async with slots:
            await tcp_connect("127.0.0.1", port, timeout=5)

    cpu, started = cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return {"wall": time.perf_counter() - started, "cpu": cpu_seconds() - cpu}


async def plain_tcp(port: int, count: int) -> dict:
    """The reference: the plainest asyncio connect loop (open_connection, close)."""
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one():
        async with slots:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()

    cpu, started = cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return {"wall": time.perf_counter() - started, "cpu": cpu_seconds() - cpu}


def alert_latency(workdir: Path) -> dict:
    """A checked port closes; seconds until the e-mail file exists and the NOC group got the message."""
    from tests.bench import harness

    var = harness.setup("checks")
    mail_dir = var / "mail"
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.conf import settings

    from collector.checks import CheckRunner
    from monitoring import checks as services
    from monitoring.incidents import check_results_ingest
    from tests.accounts.factories import CompanyFactory
    from tests.collector.loopback import start_tcp_listener

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(mail_dir)},
        }
    }
    company = CompanyFactory(name="Bench Hosting")
    services.contact_create(company=company, name="On-call", email="oncall@bench.test")
    listener = start_tcp_listener()
    check = services.check_create(
        company=company,
        name="bench tcp",
        kind="tcp",
        host="127.0.0.1",
        port=listener.port,
        interval_seconds=LATENCY_INTERVAL,
        timeout_seconds=1,
        retries=0,
        down_after=1,
    )

    async def scenario() -> dict:
        from monitoring.check_selectors import check_targets

        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("noc", channel)
        runner = CheckRunner()
        runner.apply_targets({"checks": await sync_to_async(check_targets)()})
        stop = asyncio.Event()
        scheduler = asyncio.create_task(runner.scheduler(stop))

        async def forward():  # the collector's flush, every 0.5 s, into the portal's service
            while not stop.is_set():
                await asyncio.sleep(0.5)
                batch = runner.drain()
                if batch:
                    await sync_to_async(check_results_ingest)(results=batch["results"])

        forwarder = asyncio.create_task(forward())
        state = sync_to_async(lambda: type(check).objects.get(pk=check.pk).state)
        while await state() != "up":
            await asyncio.sleep(0.2)
        listener.stop()
        closed = time.perf_counter()
        board = None
        while board is None:
            message = await asyncio.wait_for(layer.receive(channel), timeout=LATENCY_INTERVAL + 30)
            if message["type"] == "monitoring.checks" and any(item["state"] == "down" for item in message["checks"]):
                board = time.perf_counter() - closed
        email = None
        deadline = time.perf_counter() + 30
        while email is None and time.perf_counter() < deadline:
            if any("oncall@bench.test" in path.read_text() for path in mail_dir.glob("*.log")):
                email = time.perf_counter() - closed
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(scheduler, forwarder)
        runner.prober.close()
        return {"board": board, "email": email}

    return asyncio.run(scenario())


def main() -> int:
    from tests.bench.harness import Report

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a thousand sockets in flight

    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    print(
        f"checks benchmark: {CHECKS} checks (ICMP/TCP/HTTP thirds) on 127.0.0.1, one collector process, "
        f"{SECONDS:g} s sustained; cores: {os.cpu_count()}, load before: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    workdir = ROOT / "var" / "bench" / "checks-work"
    workdir.mkdir(parents=True, exist_ok=True)
    servers = subprocess.Popen(
        [sys.executable, "-c", SERVERS], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        ports = json.loads(servers.stdout.readline())
        report = Report(f"Service checks: {CHECKS} mixed ICMP/TCP/HTTP checks, loopback servers in another process")
        addresses = icmp_addresses(CHECKS - 2 * (CHECKS // 3))

        progress("reference: fping over the ICMP targets")
        reference_ping = fping(addresses, workdir)
        progress("our pinger over the same targets")
        ping = asyncio.run(ours_icmp(addresses))
        if reference_ping:
            report.row(
                f"ICMP {len(addresses)} addresses ({ping['answered']} answered), wall",
                ping["wall"],
                reference=(reference_ping["wall"], None),
                reference_label=f"fping ({reference_ping['answered']} answered)",
            )
            report.row(
                "ICMP, CPU", ping["cpu"], reference=(reference_ping["cpu"] or 1e-9, None), reference_label="fping"
            )
        else:
            report.note("ICMP reference", "fping is missing: install the Debian package fping (make deps)")

        count = CHECKS // 3
        progress("reference: plain asyncio TCP connect loop")
        reference_tcp = asyncio.run(plain_tcp(ports["tcp"], count))
        tcp = asyncio.run(ours_tcp(ports["tcp"], count))
        report.row(
            f"TCP {count} connects, wall",
            tcp["wall"],
            reference=(reference_tcp["wall"], None),
            reference_label="asyncio.open_connection loop",
        )
        report.row("TCP, CPU", tcp["cpu"], reference=(reference_tcp["cpu"], None), reference_label="asyncio loop")

        progress("burst: every check at once")
        result = asyncio.run(burst(ports))
        per_core_minute = result["results"] / result["cpu"] * 60 if result["cpu"] else float("inf")
        report.row(f"burst {result['results']} checks, wall", result["wall"])
        report.note(
            "burst capacity",
            f"{per_core_minute:,.0f} checks per core-minute (CPU {result['cpu']:.1f} s; "
            f"failed {result['failed'] or 'none'}; loop lag worst {result['lag_worst_ms']:.0f} ms)",
        )

        progress(f"sustained: {CHECKS} checks every 60 s for {SECONDS:g} s")
        steady = asyncio.run(sustained(ports))
        per_minute = steady["results"] / steady["wall"] * 60
        report.note(
            "sustained",
            f"{per_minute:,.0f} checks per 60 s (target >= 10,000), {steady['failed']} failed; "
            f"CPU {steady['cpu'] / steady['wall'] * 100:.0f} % of one core",
        )
        report.note(
            "event loop lag",
            f"worst {steady['lag_worst_ms']:.1f} ms, mean {steady['lag_mean_ms']:.2f} ms (50 ms timer)",
        )

        progress(f"alert latency with a {LATENCY_INTERVAL} s interval")
        latency = alert_latency(workdir)
        for name in ("board", "email"):
            value = latency[name]
            text = "not seen within 30 s" if value is None else f"{value:.1f} s"
            report.note(f"alert latency to the {name}", f"{text} (target <= {LATENCY_INTERVAL + 5} s)")
        report.print()
        ok = per_minute >= min(10_000, CHECKS) * 0.99 and latency["email"] is not None
        return 0 if ok else 1
    finally:
        servers.stdin.close()
        servers.terminate()
        try:
            servers.wait(timeout=10)
        except subprocess.TimeoutExpired:
            servers.kill()


if __name__ == "__main__":
    sys.exit(main())
