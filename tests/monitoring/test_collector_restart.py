"""A collector process stopped with SIGTERM and started again leaves no gap in the RRD beyond its downtime.

Real parts: the portal (live server), ``python -m collector run`` processes, the simulated switch and rrdtool
files. The files are made with a 2-second step (``RRD_STEP``) and the device is polled every second, so a
few seconds of running fill many rows; the heartbeat is ten steps, as in production (10 minutes at 60 s).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rrdtool

from collector.rrd import HEARTBEAT_STEPS, rrd_path
from dcim.models import Device
from monitoring import services
from tests.collector.conftest import snmp_agent  # noqa: F401 - the session's simulated switch
from tests.monitoring.factories import snmp_device

ROOT = Path(__file__).resolve().parents[2]
STEP = 2
PORT = 10  # receives 10 Mbit/s (fixtures/snmp/make_switch.py)


def start_collector(env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "collector", "run"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def stop_collector(process: subprocess.Popen) -> int:
    """SIGTERM, then wait (kill after a deadline); returns the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        raise


def wait_for(condition, *, timeout: float, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the collector exited with {process.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def last_update(path: Path) -> int:
    return rrdtool.last(str(path)) if path.exists() else 0


def in_rates(path: Path, start: int, end: int) -> list[tuple[int, float | None]]:
    (first, _end, step), names, rows = rrdtool.fetch(
        str(path), "AVERAGE", "-r", str(STEP), "-s", str(start), "-e", str(end)
    )
    column = names.index("in")
    return [(first + step * (index + 1), row[column]) for index, row in enumerate(rows)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_restart_resumes_polling_without_a_gap(live_server, snmp_agent, tmp_path, acme):  # noqa: F811
    device = snmp_device(acme, port=snmp_agent.port, name="restart-switch")
    Device.objects.filter(pk=device.pk).update(snmp_polling_interval=1)
    _token, raw = services.collector_token_create(name="restart")
    rrd_dir = tmp_path / "rrd"
    env = {
        **os.environ,
        "PORTAL_URL": live_server.url,
        "COLLECTOR_TOKEN": raw,
        "RRD_DIR": str(rrd_dir),
        "RRD_STEP": str(STEP),
        # The first process would only write after 60 s: what it polled reaches the file through the
        # flush on SIGTERM, or not at all.
        "COLLECTOR_FLUSH_EVERY": "60",
    }
    path = rrd_path(rrd_dir, device.pk, f"Gi1/0/{PORT}")
    log = tmp_path / "collector.log"

    first = start_collector(env, log)
    try:
        # The file is made at the first poll; let a few more polls queue up, then stop the process.
        wait_for(path.exists, timeout=60, what="the first poll", process=first)
        created = rrdtool.info(str(path))["last_update"]
        time.sleep(4)
    finally:
        assert stop_collector(first) == 0, log.read_text()
    stopped_at = last_update(path)
    assert stopped_at > created + 2, "the polls before SIGTERM were not flushed into the RRD"

    time.sleep(3)  # downtime
    env["COLLECTOR_FLUSH_EVERY"] = "1"
    second = start_collector(env, log)
    try:
        wait_for(
            lambda: last_update(path) >= stopped_at + 16, timeout=60, what="polls after the restart", process=second
        )
    finally:
        assert stop_collector(second) == 0, log.read_text()
    resumed_until = last_update(path)

    output = log.read_text()
    assert "RRD update refused" not in output and "Traceback" not in output, output
    assert rrdtool.info(str(path))["ds[in].minimal_heartbeat"] == HEARTBEAT_STEPS * STEP
    # One file, taken over by the second process (never re-created): every row from the first process's first
    # interval to the second's last is known, at the port's rate, across the restart (the downtime is shorter
    # than the heartbeat, so rrdtool bridges it with the average rate, as it does for a restart in production).
    assert sorted(p.name for p in path.parent.iterdir()) == sorted({p.name for p in path.parent.glob("*.rrd")})
    # From the second interval after the first poll (the first sample only sets the counter) to the last.
    rows = [
        (at, value) for at, value in in_rates(path, created, resumed_until) if created + 3 * STEP < at < resumed_until
    ]
    assert len(rows) >= 5
    unknown = [at for at, value in rows if value is None]
    assert unknown == [], f"unknown rows at {unknown} (stopped at {stopped_at}, resumed until {resumed_until})"
    # Updates carry whole seconds, so a 2-second row of second-by-second polls can be off by up to half a row's
    # traffic (60 s rows in production: a sixtieth); over the whole span the rate is the port's, and no row
    # shows a restart spike (counters counted twice, or from zero) or a hole.
    bits = [value * 8 for _at, value in rows]
    assert sum(bits) / len(bits) == pytest.approx(PORT * 1_000_000, rel=0.15), bits
    assert all(0.3 * PORT * 1_000_000 < value < 2 * PORT * 1_000_000 for value in bits), bits
