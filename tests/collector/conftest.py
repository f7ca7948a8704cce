"""Simulated devices for the collector tests: one snmpsim agent per session on 127.0.0.1 (TESTBED.md)."""

import pytest

from collector.simulate import V3User, prepare_data_dir, snmpd_executable, start_agent, start_snmpd
from collector.snmp import Target

V3_USER = V3User(name="collector", auth_key="authpass123", priv_key="privpass123")


@pytest.fixture(scope="session")
def snmp_agent(tmp_path_factory):
    """A 48-port switch (fixtures/snmp/switch48) answering v2c ``public`` and v3 SHA/AES; stopped by PID."""
    data_dir = prepare_data_dir(tmp_path_factory.mktemp("snmpsim"))
    agent = start_agent(data_dir, users=[V3_USER], log_path=data_dir / "snmpsim.log")
    yield agent
    agent.stop()


@pytest.fixture(scope="session")
def snmpd_agent(tmp_path_factory):
    """snmpd as a 48-port switch (fixtures/snmp/snmpd.conf: v2c ``public``, v3 SHA/AES); stopped by PID."""
    if snmpd_executable() is None:
        pytest.skip("Net-SNMP snmpd is not installed (Debian package snmpd, in the Makefile's DEB_PACKAGES)")
    agent = start_snmpd(tmp_path_factory.mktemp("snmpd"), user=V3_USER)
    yield agent
    agent.stop()


@pytest.fixture
def v2c_target(snmp_agent):
    return Target(device_id=1, host="127.0.0.1", port=snmp_agent.port, community="public", timeout=2, retries=1)


@pytest.fixture
def v3_target(snmp_agent):
    return Target(
        device_id=2,
        host="127.0.0.1",
        port=snmp_agent.port,
        version="v3",
        user=V3_USER.name,
        auth_protocol="SHA",
        auth_key=V3_USER.auth_key,
        priv_protocol="AES",
        priv_key=V3_USER.priv_key,
        timeout=2,
        retries=1,
    )
