"""The monitoring pipeline end to end on this host: ``python -m tests.bench pipeline`` (``make bench-pipeline``).

Real parts only, all inside a network namespace of its own (``ss-ingest-bench-<pid>``, deleted at the end):

* ``BENCH_VETH`` veth pairs give the namespace ``2 × BENCH_VETH + 1`` kernel interfaces (with ``lo``);
  ``BENCH_AGENTS`` Net-SNMP ``snmpd`` processes on its 127.0.0.1 serve their IF-MIB;
* ``BENCH_DEVICES`` switches in the portal, spread over the agents, each polled every ``BENCH_INTERVAL`` s;
  every switch's interfaces are discovered by the collectors and created through the ingest;
* ``BENCH_SHARDS`` collector processes (``python -m collector run --shard I/N``) writing RRD files through
  ``rrdcached`` and posting to the portal;
* the portal behind the production WSGI server (granian, ``BENCH_WORKERS`` workers, persistent database
  connections) on PostgreSQL (reached over its Unix socket, which the namespace shares).

After a warm-up (discovery, then a second poll of every switch so that rates exist), it measures for
``BENCH_SECONDS``: interfaces/s whose rates became visible in the portal (rows the ingest wrote, from
PostgreSQL's statistics), the lag from SNMP answer to visible rate, bandwidth threshold events (each switch's
``lo`` carries the SNMP traffic and gets a 1 Mbit/s commit, so thresholds really fire), and the CPU seconds
of each part (``/proc``), which say what holds the ceiling. The offered load is devices × interfaces /
interval; the reference beside it is the goal (1,000,000 interfaces per 300 s = 3,333/s). Run as root (the
namespace); ``DATABASE_URL`` names the PostgreSQL server (default ``postgres://postgres@127.0.0.1:5432/``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from collector.simulate import process_cpu_seconds  # noqa: E402
from tests.bench import harness  # noqa: E402

# The defaults offer the goal's rate (34,170 interfaces every 10 s = 3,417/s): 201 interfaces per switch, as
# snmpd misses polls with 1,001; a 10 s interval, as each interface's RRD takes 1 MB (34 GB here, deleted after).
VETH = int(os.environ.get("BENCH_VETH", "100"))
AGENTS = int(os.environ.get("BENCH_AGENTS", "4"))
DEVICES = int(os.environ.get("BENCH_DEVICES", "170"))
INTERVAL = int(os.environ.get("BENCH_INTERVAL", "10"))
SHARDS = int(os.environ.get("BENCH_SHARDS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "90"))
WARMUP_TIMEOUT = float(os.environ.get("BENCH_WARMUP_TIMEOUT", "900"))
GOAL_PER_SECOND = 1_000_000 / 300
PORTAL_PORT = 8000
AGENT_PORT = 16100
NAMESPACE = f"ss-ingest-bench-{os.getpid()}"


def progress(text: str) -> None:
    print(f"  .. {text}", flush=True)


# Outside: the namespace ------------------------------------------------------------------------------------


def namespace_create(name: str, pairs: int) -> None:
    subprocess.run(["ip", "netns", "add", name], check=True)
    commands = ["link set lo up"]
    for number in range(pairs):
        commands += [f"link add a{number} type veth peer name b{number}", f"link set a{number} up"]
        commands.append(f"link set b{number} up")
    subprocess.run(["ip", "-n", name, "-batch", "-"], input="\n".join(commands) + "\n", text=True, check=True)


def outside() -> int:
    """Create the namespace, run this module inside it, delete the namespace whatever happens."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        print("The pipeline benchmark needs root and iproute2 (it creates a network namespace).")
        return 1
    for tool in ("snmpd", "rrdcached", "granian"):
        candidates = (shutil.which(tool), Path(sys.executable).parent / tool, Path(f"/usr/sbin/{tool}"))
        if not any(candidate and Path(candidate).exists() for candidate in candidates):
            print(f"{tool} is missing (Makefile DEB_PACKAGES / requirements.lock).")
            return 1
    progress(f"namespace {NAMESPACE} with {VETH} veth pairs ({2 * VETH + 1} interfaces)")
    # SIGTERM (a timeout) must still delete the namespace and stop what runs inside: finally blocks run.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    namespace_create(NAMESPACE, VETH)
    inner = None
    try:
        inner = subprocess.Popen(
            ["ip", "netns", "exec", NAMESPACE, sys.executable, "-m", "tests.bench.pipeline", "--inside"], cwd=ROOT
        )
        return inner.wait()
    finally:
        if inner is not None:
            stop(inner)  # the inner run stops its own processes on SIGTERM
        subprocess.run(["ip", "netns", "delete", NAMESPACE], check=False)


# Inside: the parts ------------------------------------------------------------------------------------------


def socket_url(url: str) -> str:
    """The same PostgreSQL database over the Unix socket (the namespace has its own loopback)."""
    base, database = url.rsplit("/", 1)
    user = base.split("://", 1)[1].split("@", 1)[0] if "@" in base else "postgres"
    return f"postgres://{user}@%2Fvar%2Frun%2Fpostgresql/{database}"


def start(argv: list[str], *, log: Path, env: dict | None = None) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.5)


def start_agents(workdir: Path) -> list[subprocess.Popen]:
    agents = []
    snmpd = shutil.which("snmpd") or "/usr/sbin/snmpd"
    for number in range(AGENTS):
        directory = workdir / f"snmpd-{number}"
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "snmpd.conf"
        config.write_text(
            f"agentAddress udp:127.0.0.1:{AGENT_PORT + number}\nrocommunity public 127.0.0.1\n"
            f"sysName bench-agent-{number}\ndontLogTCPWrappersConnects yes\n"
        )
        (directory / "persist").mkdir(exist_ok=True)
        env = {**os.environ, "MIBS": "", "MIBDIRS": "/nonexistent", "SNMP_PERSISTENT_DIR": str(directory / "persist")}
        agents.append(
            start(
                [
                    snmpd,
                    "-f",
                    "-C",
                    "-c",
                    str(config),
                    "-Lf",
                    str(directory / "snmpd.log"),
                    "-p",
                    str(directory / "pid"),
                ],
                log=directory / "stdout.log",
                env=env,
            )
        )
    for number in range(AGENTS):

        def answers(number=number) -> bool:
            result = subprocess.run(
                ["snmpget", "-v2c", "-cpublic", "-t1", "-r0", f"127.0.0.1:{AGENT_PORT + number}", ".1.3.6.1.2.1.1.3.0"],
                capture_output=True,
                env={**os.environ, "MIBS": "", "MIBDIRS": "/nonexistent"},
            )
            return result.returncode == 0

        wait_for(answers, timeout=30, what=f"snmpd {number}")
    return agents


def start_rrdcached(workdir: Path) -> tuple[subprocess.Popen, str]:
    socket_path = workdir / "rrdcached.sock"
    process = start(
        ["rrdcached", "-g", "-l", f"unix:{socket_path}", "-p", str(workdir / "rrdcached.pid"), "-w", "3600"],
        log=workdir / "rrdcached.log",
    )
    wait_for(socket_path.exists, timeout=10, what="rrdcached")
    return process, f"unix:{socket_path}"


def portal_env(var_dir: Path) -> dict:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-pipeline-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_CONN_MAX_AGE": "600",
        "SERVERSTOCK_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "serverstock.settings",
    }


def start_portal(var_dir: Path, workdir: Path) -> subprocess.Popen:
    granian = Path(sys.executable).parent / "granian"
    process = start(
        [str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(PORTAL_PORT)]
        + ["--workers", str(WORKERS), "--working-dir", str(ROOT / "site"), "serverstock.wsgi:application"],
        log=workdir / "granian.log",
        env=portal_env(var_dir),
    )

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"granian exited: see {workdir / 'granian.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORTAL_PORT}/healthz", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    wait_for(healthy, timeout=120, what="the portal (granian)")
    return process


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (granian's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def database_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def written_rows() -> int:
    """Rows of interface states inserted or updated so far (PostgreSQL's statistics, flushed about each second)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = 'monitoring_interfacestate'"
        )
        return cursor.fetchone()[0]


def cpu_of(groups: dict[str, list[int]]) -> dict[str, float]:
    return {name: sum(process_cpu_seconds(pid) for pid in pids) for name, pids in groups.items()}


def database_setup() -> Path:
    """Like ``harness.setup("pipeline")``, but an existing benchmark database is kept, migrated and emptied of
    devices (``TRUNCATE … CASCADE``) rather than made anew: migrating a fresh database takes many minutes on a
    busy host. Returns the var dir (fresh)."""
    import psycopg

    var_dir = ROOT / "var" / "bench" / "pipeline"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/serverstock_bench_pipeline"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = 'serverstock_bench_pipeline'").fetchone():
            connection.execute('CREATE DATABASE "serverstock_bench_pipeline"')
    for path in (str(ROOT / "site"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ["SERVERSTOCK_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serverstock.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection as django_connection

    call_command("migrate", verbosity=0, interactive=False)
    with django_connection.cursor() as cursor:
        cursor.execute("TRUNCATE dcim_device, monitoring_collectortoken, dcim_historicalinterface CASCADE")
    return var_dir


def inside() -> int:
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    progress("database: kept from an earlier run and emptied, or made and migrated (minutes on a busy host)")
    os.environ["DATABASE_URL"] = socket_url(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", portal_env(Path("."))["SECRET_KEY"])
    var_dir = database_setup()
    from django.db import connection
    from django.db.models import Count, Max, Min

    from dcim.choices import DeviceStatus, Ownership
    from dcim.models import Device, DeviceType, Manufacturer, Site
    from monitoring.models import DeviceHealth, InterfaceState, MonitoringEvent
    from monitoring.services import collector_token_create

    if connection.vendor != "postgresql":
        print("The pipeline benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
        return 1
    workdir = var_dir / "run"
    workdir.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    interfaces_per_device = 2 * VETH + 1
    expected = DEVICES * interfaces_per_device
    progress(
        f"{DEVICES} switches x {interfaces_per_device} interfaces = {expected:,} interfaces every {INTERVAL} s"
        f" (offered {expected / INTERVAL:,.0f}/s), {AGENTS} snmpd, {SHARDS} collectors, {WORKERS} portal workers;"
        f" load average {load_start[0]:.2f}"
    )
    site = Site.objects.get_or_create(slug="bench-1", defaults={"name": "Bench 1", "code": "BEN1"})[0]
    vendor = Manufacturer.objects.get_or_create(slug="bench", defaults={"name": "Bench"})[0]
    switch = DeviceType.objects.get_or_create(
        slug="bench-switch", defaults={"manufacturer": vendor, "model": "Bench", "u_height": 1}
    )[0]
    Device.objects.bulk_create(
        [
            Device(
                name=f"sw{number:04d}",
                device_type=switch,
                role="switch",
                status=DeviceStatus.ACTIVE,
                ownership=Ownership.DATACENTER,
                site=site,
                management_ip="127.0.0.1",
                snmp_enabled=True,
                snmp_community="public",
                snmp_port=AGENT_PORT + number % AGENTS,
                snmp_polling_interval=INTERVAL,
            )
            for number in range(DEVICES)
        ]
    )
    _token, raw = collector_token_create(name="bench")
    processes: list[subprocess.Popen] = []
    try:
        agents = start_agents(workdir)
        processes += agents
        cached, address = start_rrdcached(workdir)
        processes.append(cached)
        portal = start_portal(var_dir, workdir)
        processes.append(portal)
        collector_env = {
            **os.environ,
            "PORTAL_URL": f"http://127.0.0.1:{PORTAL_PORT}",
            "COLLECTOR_TOKEN": raw,
            "RRD_DIR": str(workdir / "rrd"),
            "RRDCACHED_ADDRESS": address,
        }
        started = time.monotonic()
        collectors = [
            start(
                [sys.executable, "-m", "collector", "run", "--shard", f"{index}/{SHARDS}"],
                log=workdir / f"collector-{index}.log",
                env=collector_env,
            )
            for index in range(SHARDS)
        ]
        processes += collectors

        def discovered() -> bool:
            if any(process.poll() is not None for process in collectors):
                raise RuntimeError(f"a collector exited: see {workdir}")
            return InterfaceState.objects.count() >= expected

        wait_for(discovered, timeout=WARMUP_TIMEOUT, what="discovery of every interface")
        progress(f"discovered {expected:,} interfaces in {time.monotonic() - started:.0f} s")
        # Thresholds that really fire: each switch's lo carries the SNMP traffic; a 1 Mbit/s commit on it.
        events_before = MonitoringEvent.objects.filter(kind="bandwidth").count()
        InterfaceState.objects.filter(interface__name="lo").update(commit_mbps=1)
        wait_for(
            lambda: InterfaceState.objects.filter(rates_at__isnull=False).count() >= expected * 0.99,
            timeout=WARMUP_TIMEOUT,
            what="rates of every interface",
        )
        progress(f"rates of every interface after {time.monotonic() - started:.0f} s; measuring {SECONDS:.0f} s")

        groups = {
            "snmpd agents": [process.pid for process in agents],
            "collectors": [process.pid for process in collectors],
            "rrdcached": [cached.pid],
            "portal (granian)": tree(portal.pid),
            "PostgreSQL backends": database_backends(),
        }
        cpu_before, rows_before, wall_before = cpu_of(groups), written_rows(), time.monotonic()
        time.sleep(SECONDS)
        groups["portal (granian)"] = tree(portal.pid)
        cpu_after, rows_after, wall_after = cpu_of(groups), written_rows(), time.monotonic()
        load_end = os.getloadavg()
        fresh = (
            InterfaceState.objects.values("interface__device_id")
            .annotate(latest=Max("rates_at"), oldest=Min("rates_at"), count=Count("pk"))
            .order_by()
        )
        seen = dict(DeviceHealth.objects.values_list("device_id", "last_seen_at"))
        lags = [(seen[row["interface__device_id"]] - row["latest"]).total_seconds() for row in fresh]
        threshold_events = MonitoringEvent.objects.filter(kind="bandwidth").count() - events_before
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(workdir / "rrd", ignore_errors=True)  # a megabyte per interface
    logs = "".join((workdir / f"collector-{index}.log").read_text(errors="replace") for index in range(SHARDS))
    failures = logs.count("ingest failed") + logs.count("rejected")

    seconds = wall_after - wall_before
    rows = rows_after - rows_before
    per_second = rows / seconds
    cpu = {name: cpu_after[name] - cpu_before[name] for name in groups}
    total = sum(cpu.values())
    report = harness.Report(f"Monitoring pipeline end to end on this host ({os.cpu_count()} cores, shared)")
    report.note(
        "setup",
        f"{DEVICES} switches x {interfaces_per_device} interfaces = {expected:,} every {INTERVAL} s (offered"
        f" {expected / INTERVAL:,.0f}/s); {AGENTS} snmpd, {SHARDS} collectors, {WORKERS} granian workers",
    )
    report.note(
        "rates visible in the portal",
        f"{per_second:,.0f} interfaces/s over {seconds:.0f} s (goal 1,000,000 per 300 s = {GOAL_PER_SECOND:,.0f}/s:"
        f" x{per_second / GOAL_PER_SECOND:.2f}); {rows:,} rows written",
    )
    if lags:
        lags.sort()
        report.note(
            "SNMP answer -> visible",
            f"median {lags[len(lags) // 2]:.1f} s, worst {lags[-1]:.1f} s (collector flush every 5 s included)",
        )
    report.note(
        "thresholds",
        f"{threshold_events} bandwidth events since lo got a 1 Mbit/s commit ({DEVICES} expected: lo is over it)",
    )
    for name, seconds_used in cpu.items():
        share = seconds_used / total * 100 if total else 0
        per_thousand = seconds_used / max(rows, 1) * 1000 * 1000
        report.note(f"CPU {name}", f"{seconds_used:.1f} s ({share:.0f} %), {per_thousand:.1f} ms per 1,000 interfaces")
    if rows:
        ceiling = os.cpu_count() / (total / rows)
        report.note(
            "ceiling on this host",
            f"{ceiling:,.0f} interfaces/s if these parts had all {os.cpu_count()} cores ({total / rows * 1e6:.0f} us"
            f" CPU per interface); largest part: {max(cpu, key=cpu.get)}",
        )
    report.note("collector complaints", f"{failures} failed or rejected posts in the logs")
    report.note("load average", f"{load_start[0]:.2f} at start, {load_end[0]:.2f} at the end (1 min; others' work too)")
    report.print()
    (var_dir / "pipeline.json").write_text(
        json.dumps({"per_second": per_second, "cpu": cpu, "rows": rows, "seconds": seconds, "load": load_end[0]})
    )
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(inside() if "--inside" in sys.argv else outside())
