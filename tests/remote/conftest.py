"""Simulated BMCs on 127.0.0.1 (never a mock of pyghmi): the pyghmi-based simulator and OpenIPMI's ipmi_sim,
started and stopped by PID."""

import os
import signal

import pytest

import tests.factories  # noqa: F401 - loads every app's factories first (they import each other)
from remote.ipmisim import start_ipmi_sim
from remote.simulator import start_simulator


@pytest.fixture(scope="session")
def bmc_process():
    """One simulator process for the session, serving one BMC (host powered on)."""
    process = start_simulator([{"name": "sim-host", "username": "admin", "password": "s3cret-bmc"}])
    yield process
    process.stop()


@pytest.fixture
def bmc(bmc_process):
    """The session's simulated BMC, its host powered on again for each test."""
    bmc_process.control({"op": "set_power", "state": "on"})
    return bmc_process


@pytest.fixture
def ipmi_sim(tmp_path):
    """A fresh OpenIPMI ipmi_sim per test (it keeps packet counters across sessions)."""
    sim = start_ipmi_sim(tmp_path / "ipmi_sim")
    yield sim
    sim.stop()


@pytest.fixture
def remote_settings(settings, tmp_path):
    settings.REMOTE_POWER_TIMEOUT = 3
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    return settings


HELD_PASSWORD = "held-pw"


@pytest.fixture
def held_bmc():
    """A BMC of its own (its pyghmi session is shared by this test's calls only), for tests that freeze it with
    SIGSTOP to hold its answers back; thawed and stopped after."""
    sim = start_simulator([{"name": "held-host", "username": "admin", "password": HELD_PASSWORD}])
    yield sim
    os.kill(sim.process.pid, signal.SIGCONT)
    sim.stop()


def shared_session(sim):
    """The one pyghmi session of this process to ``sim``'s BMC."""
    from pyghmi.ipmi.private import session

    found = [
        entry["ipmisession"]
        for entry in list(session.Session.keepalive_sessions.values())
        if getattr(entry.get("ipmisession"), "port", None) == sim.port
    ]
    assert len(found) == 1, found
    return found[0]
