"""Collector throughput on loopback: ``make bench-collector`` (``python -m tests.bench collector``). Django-free.

Starts ``BENCH_AGENTS`` simulated agents (snmpsim UDP endpoints on 127.0.0.1, spread over
``BENCH_AGENT_PROCESSES`` snmpsim processes) with ``BENCH_PORTS`` interfaces each, then measures, in one run:

* the reference: Net-SNMP's ``snmpbulkwalk`` (C, one process per column and device, as LibreNMS polls) walking
  the same OIDs from the same agents (sysUpTime and the 10 IF-MIB columns the collector polls);
* the collector's real poll path (``Collector.poll_device``: GETBULK walk, counter arithmetic, RRD queue,
  RRD flush) in ``BENCH_PROCESSES`` processes, each polling its own shard (``--shard I/N``), on uvloop when
  installed: one cycle over every device, then back-to-back cycles for ``BENCH_SECONDS`` seconds with
  the RRD updates going through rrdcached when it is installed, with max-repetitions 25 and ``BENCH_PORTS``+1;
* RRD updates/s for ``BENCH_RRD_FILES`` files, directly (rrdtool.update per file) and through rrdcached (BATCH).

CPU seconds are measured per process (``time.process_time`` in the collector processes, ``/proc`` for the
agents and rrdcached, ``getrusage`` for the snmpbulkwalk children), so the table shows whose CPU a varbind
costs: on one shared 2-core machine the agents and the collector compete, and the projection to a
collector host with both cores to itself is ``2 / CPU per varbind``. Bigger runs::

    BENCH_AGENTS=100 BENCH_PORTS=48 BENCH_SECONDS=60 make bench-collector
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from collector import rrd  # noqa: E402
from collector.simulate import process_cpu_seconds, start_agent, write_switch  # noqa: E402
from collector.snmp import POLL_COLUMNS, SYS_UPTIME  # noqa: E402
from tests.bench.harness import Report  # noqa: E402

AGENTS = int(os.environ.get("BENCH_AGENTS", "24"))
PORTS = int(os.environ.get("BENCH_PORTS", "48"))
AGENT_PROCESSES = int(os.environ.get("BENCH_AGENT_PROCESSES", "2"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", str(os.cpu_count() or 2)))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
REFERENCE_SECONDS = float(os.environ.get("BENCH_REFERENCE_SECONDS", "10"))
RRD_FILES = int(os.environ.get("BENCH_RRD_FILES", "2000"))
COLUMNS_PER_INTERFACE = len(POLL_COLUMNS)
GOAL_INTERFACES = 50_000


def dotted(oid: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in oid)


def progress(text: str) -> None:
    print(f"  .. {text}", flush=True)


# Agents -------------------------------------------------------------------------------------------------


def start_agents(workdir: Path) -> tuple[list, list[dict]]:
    """snmpsim processes and the device payloads (the portal's targets format) pointing at their endpoints."""
    processes = max(1, min(AGENT_PROCESSES, AGENTS))
    per_process = [AGENTS // processes + (1 if index < AGENTS % processes else 0) for index in range(processes)]
    agents, devices = [], []
    device_id = 0
    for index, count in enumerate(per_process):
        data_dir = workdir / f"agent-{index}"
        # One data file (community) per device; every endpoint serves them all, each device uses its own.
        first = device_id
        for offset in range(count):
            write_switch(data_dir / f"dev{first + offset}.snmprec", ports=PORTS, name=f"bench-{first + offset}")
        agents.append(
            start_agent(
                data_dir,
                extra_ports=count - 1,
                community=f"dev{first}",
                users=[],
                log_path=workdir / f"agent-{index}.log",
                ready_timeout=60,
            )
        )
        for offset, port in enumerate(agents[-1].ports):
            devices.append(
                {
                    "id": first + offset + 1,
                    "name": f"bench-{first + offset}",
                    "address": "127.0.0.1",
                    "port": port,
                    "snmp": {"version": "v2c", "community": f"dev{first + offset}"},
                    "timeout": 5,
                    "retries": 2,
                }
            )
        device_id += count
    return agents, devices


def agents_cpu(agents) -> float:
    return sum(agent.cpu_seconds() for agent in agents)


# Reference: Net-SNMP snmpbulkwalk ------------------------------------------------------------------------


def reference(devices: list[dict], agents, *, seconds: float) -> dict:
    """Passes of ``snmpbulkwalk`` over every device (PROCESSES at a time) for at least ``seconds``.

    One walk per column and one for sysUpTime, as LibreNMS polls (``snmpbulkwalk`` takes one OID); a single
    ``snmpbulkget`` cannot stand in, since snmpsim answers at most 64 varbinds per request (6 rows of 10
    columns) and snmpbulkget does not continue.
    """
    executable = shutil.which("snmpbulkwalk")
    if not executable:
        return {}
    oids = [dotted(SYS_UPTIME)] + [dotted(column) for column, _bits in POLL_COLUMNS.values()]
    env = {**os.environ, "MIBS": "", "MIBDIRS": "/nonexistent"}

    def one(device: dict) -> tuple[int, int]:
        varbinds = failures = 0
        for oid in oids:
            argv = [executable, "-v2c", "-c", device["snmp"]["community"], f"-Cr{PORTS + 1}", "-On", "-Oq"]
            argv += ["-t", "5", "-r", "2", f"127.0.0.1:{device['port']}", oid]
            result = subprocess.run(argv, capture_output=True, text=True, env=env)
            if result.returncode:
                failures += 1
            varbinds += result.stdout.count("\n")
        return varbinds, failures

    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    agents_before = agents_cpu(agents)
    varbinds = failures = polls = 0
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PROCESSES) as pool:
        while True:
            for count, failed in pool.map(one, devices):
                varbinds += count
                failures += failed
            polls += len(devices)
            if time.perf_counter() - started >= seconds:
                break
    wall = time.perf_counter() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children_after.ru_utime - children_before.ru_utime) + (children_after.ru_stime - children_before.ru_stime)
    return {
        "wall": wall,
        "varbinds": varbinds,
        "interfaces": polls * PORTS,
        "cpu": cpu,
        "agent_cpu": agents_cpu(agents) - agents_before,
        "failures": failures,
    }


# The collector's poll path in worker processes --------------------------------------------------------------


def worker(shard_index: int, shard_count: int, devices: list[dict], rrd_dir: str, cached: str, connection) -> None:
    """One collector process: its shard of the devices, commands from the parent over ``connection``."""
    from collector.config import Config
    from collector.runner import Collector
    from collector.shard import Shard
    from collector.snmp import SnmpClient

    async def main() -> None:
        config = Config(
            portal_url="http://127.0.0.1:9",
            token="unused",
            rrd_dir=Path(rrd_dir),
            rrdcached_address=cached,
            shard=Shard(shard_index, shard_count),
        )
        # COLLECTOR_LEAN_DECODE=0 measures pysnmp's generic decode path for comparison.
        lean_decode = Config.from_env().lean_decode
        collector = Collector(config, client=SnmpClient(concurrency=config.concurrency, lean_decode=lean_decode))
        collector.apply_targets({"devices": devices})
        loop = asyncio.get_running_loop()

        async def cycle() -> None:
            await asyncio.gather(*(collector.poll_device(state) for state in collector.devices.values()))
            await asyncio.to_thread(collector.writer.flush)
            collector.drain()

        # Warm-up: discovery, first sample, RRD files created (not measured).
        await cycle()
        last_end = [int(time.time())]
        connection.send(("ready", type(loop).__module__, len(collector.devices), lean_decode))
        while True:
            command, repetitions, seconds = await loop.run_in_executor(None, connection.recv)
            if command == "stop":
                break
            collector.client.max_repetitions = repetitions
            before = dict(collector.stats)
            rrd_errors = len(collector.writer.errors)
            cpu, started = time.process_time(), time.perf_counter()
            cycles = 0
            idle = 0.0
            while True:
                # rrdtool takes one update per file and second: a cycle starts in a later second than the
                # last one ended. That wait is idle time of the benchmark only, so it is not counted.
                if int(time.time()) <= last_end[0]:
                    pause = last_end[0] + 1 - time.time()
                    idle += pause
                    await asyncio.sleep(pause)
                await cycle()
                last_end[0] = int(time.time())
                cycles += 1
                if time.perf_counter() - started >= seconds:
                    break
            connection.send(
                {
                    "wall": time.perf_counter() - started - idle,
                    "cpu": time.process_time() - cpu,
                    "cycles": cycles,
                    "varbinds": collector.stats["varbinds"] - before["varbinds"],
                    "interfaces": (collector.stats["polls"] - before["polls"]) * PORTS,
                    "failures": collector.stats["failures"] - before["failures"],
                    "rrd_errors": len(collector.writer.errors) - rrd_errors,
                }
            )
        collector.client.close()

    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


class Workers:
    """``PROCESSES`` collector processes (spawned: no state shared with this one)."""

    def __init__(self, devices: list[dict], rrd_dir: Path, cached: str):
        context = multiprocessing.get_context("spawn")
        self.connections, self.processes = [], []
        for index in range(PROCESSES):
            parent, child = context.Pipe()
            process = context.Process(target=worker, args=(index, PROCESSES, devices, str(rrd_dir), cached, child))
            process.start()
            self.connections.append(parent)
            self.processes.append(process)
        ready = [connection.recv() for connection in self.connections]
        self.loop = ready[0][1]
        self.devices_per_process = [item[2] for item in ready]
        self.lean_decode = ready[0][3]

    def run(self, *, repetitions: int, seconds: float) -> dict:
        for connection in self.connections:
            connection.send(("run", repetitions, seconds))
        results = [connection.recv() for connection in self.connections]
        total = {key: sum(result[key] for result in results) for key in results[0]}
        total["wall"] = max(result["wall"] for result in results)
        return total

    def stop(self) -> None:
        for connection in self.connections:
            connection.send(("stop", 0, 0))
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()


# RRD ------------------------------------------------------------------------------------------------------


def rrd_updates(directory: Path, cached: str, *, rounds: int = 5) -> float:
    """Seconds per update: ``rounds`` updates of RRD_FILES files, one flush per round (files made beforehand)."""
    writer = rrd.RrdWriter(directory, rrdcached_address=cached)
    start = int(time.time()) // 60 * 60 - 3600
    names = [f"port{index}" for index in range(RRD_FILES)]
    for name in names:
        writer.add(device_id=1, interface_name=name, timestamp=start, values={"in_octets": 0})
    writer.flush()
    elapsed = 0.0
    for minute in range(1, rounds + 1):
        for index, name in enumerate(names):
            value = minute * 60 * (index + 1) * 1000
            writer.add(device_id=1, interface_name=name, timestamp=start + 60 * minute, values={"in_octets": value})
        began = time.perf_counter()
        writer.flush()
        elapsed += time.perf_counter() - began
    if writer.errors:
        print(f"  RRD errors: {writer.errors[:3]}")
    return elapsed / (rounds * RRD_FILES)


def start_rrdcached(workdir: Path):
    executable = shutil.which("rrdcached")
    if not executable:
        return None, ""
    socket_path = workdir / "rrdcached.sock"
    process = subprocess.Popen(
        [executable, "-g", "-l", f"unix:{socket_path}", "-p", str(workdir / "rrdcached.pid"), "-w", "3600"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not socket_path.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            return None, ""
        time.sleep(0.05)
    return process, f"unix:{socket_path}"


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# Report ---------------------------------------------------------------------------------------------------


class RateReport(Report):
    """harness.Report with rows of rates (higher is better): the ratio is figure / reference."""

    def rate(self, label: str, value: float, unit: str, reference: float | None = None, reference_label: str = ""):
        figure = f"{value:,.0f} {unit}"
        if reference:
            ref = f"{reference_label}: {reference:,.0f} {unit}"
            self.rows.append((label, figure, ref, f"x{value / reference:.2f}"))
        else:
            self.rows.append((label, figure, "", ""))

    def cost(self, label: str, value: float, reference: float | None = None, reference_label: str = ""):
        figure = f"{value * 1e6:,.1f} µs CPU"
        if reference:
            ref = f"{reference_label}: {reference * 1e6:,.1f} µs CPU"
            self.rows.append((label, figure, ref, f"x{value / reference:.2f}"))
        else:
            self.rows.append((label, figure, "", ""))


def main() -> int:
    print(
        f"collector benchmark: {AGENTS} agents x {PORTS} interfaces on 127.0.0.1 ({AGENT_PROCESSES} snmpsim "
        f"processes), {PROCESSES} collector processes, {SECONDS:g} s sustained; cores: {os.cpu_count()}, "
        f"load before: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-collector-"))
    agents, cached_process, workers = [], None, None
    report = RateReport(f"Collector: {AGENTS} agents x {PORTS} interfaces, {PROCESSES} processes")
    try:
        progress("starting agents")
        agents, devices = start_agents(workdir)
        cached_process, cached = start_rrdcached(workdir)

        progress(f"reference: snmpbulkwalk for {REFERENCE_SECONDS:g} s")
        ref = reference(devices, agents, seconds=REFERENCE_SECONDS)
        ref_rate = ref["varbinds"] / ref["wall"] if ref else None
        ref_cpu = ref["cpu"] / ref["varbinds"] if ref and ref["varbinds"] else None
        ref_agent_cpu = ref["agent_cpu"] / ref["varbinds"] if ref and ref["varbinds"] else None
        if not ref:
            report.note("reference", "snmpbulkwalk not installed (Debian package snmp): no reference")

        progress("collector warm-up (discovery, RRD files)")
        workers = Workers(devices, workdir / "rrd", cached)
        setup_label = (
            f"{workers.loop.split('.')[0]}, rrd {'via rrdcached' if cached else 'direct'}, "
            f"v2c decode {'lean' if workers.lean_decode else 'pysnmp generic'}"
        )
        results = {}
        for repetitions in (25, PORTS + 1):
            progress(f"collector: one cycle, max-repetitions {repetitions}")
            agent_before = agents_cpu(agents)
            one = workers.run(repetitions=repetitions, seconds=0)
            one["agent_cpu"] = agents_cpu(agents) - agent_before
            progress(f"collector: sustained {SECONDS:g} s, max-repetitions {repetitions}")
            agent_before = agents_cpu(agents)
            cached_before = process_cpu_seconds(cached_process.pid) if cached_process else 0.0
            sustained = workers.run(repetitions=repetitions, seconds=SECONDS)
            sustained["agent_cpu"] = agents_cpu(agents) - agent_before
            # rrdcached works for the collector host: its CPU is the collector's.
            if cached_process:
                sustained["cpu"] += process_cpu_seconds(cached_process.pid) - cached_before
            results[repetitions] = (one, sustained)

        for repetitions, (one, sustained) in results.items():
            rate = one["varbinds"] / one["wall"]
            report.rate(f"one cycle, reps {repetitions}: varbinds/s", rate, "vb/s", ref_rate, "snmpbulkwalk")
            rate = sustained["varbinds"] / sustained["wall"]
            report.rate(f"sustained, reps {repetitions}: varbinds/s", rate, "vb/s", ref_rate, "snmpbulkwalk")
            per_minute = sustained["interfaces"] / sustained["wall"] * 60
            ref_minute = ref["interfaces"] / ref["wall"] * 60 if ref else None
            report.rate(f"sustained, reps {repetitions}: interfaces/60 s", per_minute, "if", ref_minute, "snmpbulkwalk")
            cpu = sustained["cpu"] / sustained["varbinds"]
            agent_cpu = sustained["agent_cpu"] / sustained["varbinds"]
            label = f"sustained, reps {repetitions}"
            report.cost(f"{label}: collector CPU/varbind (+rrdcached)", cpu, ref_cpu, "snmpbulkwalk")
            report.cost(f"{label}: agent CPU/varbind", agent_cpu, ref_agent_cpu, "under snmpbulkwalk")
            if sustained["failures"] or sustained["rrd_errors"]:
                report.note(
                    f"reps {repetitions}: problems",
                    f"{sustained['failures']} failed polls, {sustained['rrd_errors']} RRD errors",
                )
        best = max(results, key=lambda reps: results[reps][1]["varbinds"] / results[reps][1]["cpu"])
        sustained = results[best][1]
        cpu_per_varbind = sustained["cpu"] / sustained["varbinds"]
        varbinds_per_interface = sustained["varbinds"] / sustained["interfaces"]
        projected = 2 / cpu_per_varbind / varbinds_per_interface * 60
        report.rate(f"projection: 2 cores for the collector alone (reps {best})", projected, "if/60 s")
        report.note(
            "goal",
            f"{GOAL_INTERFACES:,} if/60 s = {GOAL_INTERFACES * varbinds_per_interface / 60:,.0f} vb/s "
            f"at {varbinds_per_interface:.1f} varbinds per interface",
        )
        share = sustained["agent_cpu"] / (sustained["agent_cpu"] + sustained["cpu"])
        report.note("CPU share in sustained run", f"agents {share:.0%}, collector {1 - share:.0%} ({setup_label})")
        report.note(
            "bottleneck here",
            "the simulated agents (snmpsim) use more CPU per varbind than the collector"
            if share > 0.5
            else "the collector uses more CPU per varbind than the simulated agents",
        )
        report.note(
            "max-repetitions",
            "snmpsim answers at most 64 varbinds per GETBULK (6 rows of 10 columns): above 6 all ask the same",
        )

        progress(f"RRD: {RRD_FILES} files, direct")
        direct = rrd_updates(workdir / "rrd-direct", "")
        report.rate("RRD updates/s, direct (rrdtool.update)", 1 / direct, "upd/s")
        if cached:
            progress(f"RRD: {RRD_FILES} files, rrdcached")
            through = rrd_updates(workdir / "rrd-cached", cached)
            report.rate("RRD updates/s, rrdcached BATCH", 1 / through, "upd/s", 1 / direct, "direct")
        else:
            report.note("RRD updates/s, rrdcached", "rrdcached not installed")
        report.print()
        print(f"load after: {os.getloadavg()[0]:.2f} (other work on these cores lowers every figure alike)")
        return 0
    finally:
        if workers is not None:
            workers.stop()
        for agent in agents:
            agent.stop()
        stop(cached_process)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
