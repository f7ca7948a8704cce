"""``make run``'s collector: the launcher ``manage.py serve`` starts (``python -P monitoring/run_collector.py``)
brings up the simulated switch and a collector that polls it into the portal, and stops both on SIGTERM."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import OperationalError

from collector.simulate import free_udp_port
from dcim.models import Interface
from monitoring import services
from monitoring.apps import register_collector_process
from monitoring.models import InterfaceState
from tests.monitoring.factories import snmp_device

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux /proc)."""
    try:
        return {int(item) for item in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def polled(device, var: Path) -> bool:
    """The switch's 48 interfaces were discovered into DCIM and their RRD files written."""
    if len(list((var / "rrd" / f"device-{device.pk}").glob("*.rrd"))) < 48:
        return False
    try:
        return (
            Interface.objects.filter(device=device).count() == 48
            and InterfaceState.objects.filter(interface__device=device, oper_status="up").count() == 48
        )
    except OperationalError:  # the live server thread is writing the shared in-memory SQLite database
        return False


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def launcher_argv(monkeypatch):
    """The launcher command exactly as ``manage.py serve`` gets it from the monitoring app."""
    from core.management.commands.serve import SERVE_PROCESSES

    before = list(SERVE_PROCESSES)
    monkeypatch.setenv("COLLECTOR_TOKEN", "ssc_registered_only")
    assert register_collector_process() is True
    argv = dict(SERVE_PROCESSES)["collector"]
    SERVE_PROCESSES[:] = before
    return argv


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_launcher_starts_polls_and_stops_on_sigterm(live_server, launcher_argv, tmp_path):
    assert launcher_argv[1] == "-P" and launcher_argv[2].endswith("monitoring/run_collector.py")
    var = tmp_path / "var"
    var.mkdir()
    port = free_udp_port()
    (var / "snmpsim_port").write_text(str(port))  # as manage.py demo leaves it
    _token, raw = services.collector_token_create(name="make run")
    (var / "collector_token").write_text(raw)
    device = snmp_device(None, port=port, name="sim-switch-48")
    env = {**os.environ, "SERVERSTOCK_VAR_DIR": str(var), "PORTAL_URL": live_server.url, "COLLECTOR_FLUSH_EVERY": "1"}
    env.pop("COLLECTOR_TOKEN", None)  # the launcher reads var/collector_token, as after manage.py demo
    env.pop("RRD_DIR", None)
    log = tmp_path / "launcher.log"
    with open(log, "wb") as output:
        launcher = subprocess.Popen(launcher_argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while not polled(device, var):
            started |= children(launcher.pid)
            assert launcher.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the collector did not poll the switch:\n{log.read_text()}"
            time.sleep(0.5)
        started |= children(launcher.pid)
        assert len(started) >= 2  # snmpsim and the collector
    finally:
        launcher.send_signal(signal.SIGTERM)
        try:
            status = launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()
            launcher.wait(timeout=10)
            for pid in started:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
            raise
    assert status == 0, log.read_text()
    # Both children were stopped and reaped by the launcher, none left behind.
    assert [pid for pid in started if alive(pid)] == []
    assert "Traceback" not in log.read_text()
