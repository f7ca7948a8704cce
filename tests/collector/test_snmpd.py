"""The collector against Net-SNMP's snmpd, the second real agent (TESTBED.md): same 48-port switch, served by
``fixtures/snmp/snmpd.conf`` and the ``ifmib_pass.py`` pass_persist script on an unprivileged loopback port."""

import asyncio
from dataclasses import replace

import pytest

from collector.config import Config
from collector.runner import Collector
from collector.simulate import V3User
from collector.snmp import SnmpClient, Target

pytestmark = pytest.mark.slow
V3_USER = V3User(name="collector", auth_key="authpass123", priv_key="privpass123")
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"


@pytest.fixture
def snmpd_v2c(snmpd_agent):
    return Target(device_id=11, host="127.0.0.1", port=snmpd_agent.port, community="public", timeout=2, retries=1)


@pytest.fixture
def snmpd_v3(snmpd_agent):
    return Target(
        device_id=12,
        host="127.0.0.1",
        port=snmpd_agent.port,
        version="v3",
        user=V3_USER.name,
        auth_protocol="SHA",
        auth_key=V3_USER.auth_key,
        priv_protocol="AES",
        priv_key=V3_USER.priv_key,
        timeout=2,
        retries=1,
    )


def run(coroutine_function):
    async def main():
        client = SnmpClient(concurrency=10)
        try:
            return await coroutine_function(client)
        finally:
            client.close()

    return asyncio.run(main())


def make_collector(tmp_path, *targets) -> Collector:
    config = Config(portal_url="http://127.0.0.1:9", token="unused", rrd_dir=tmp_path / "rrd")
    collector = Collector(config, client=SnmpClient(concurrency=10))
    devices = []
    for target in targets:
        snmp = {"version": "v2c", "community": target.community}
        if target.version == "v3":
            snmp = {
                "version": "v3",
                "user": target.user,
                "auth_protocol": "SHA",
                "auth_key": target.auth_key,
                "priv_protocol": "AES",
                "priv_key": target.priv_key,
            }
        devices.append({"id": target.device_id, "address": target.host, "port": target.port, "snmp": snmp})
    collector.apply_targets({"devices": devices})
    return collector


@pytest.mark.parametrize("target_fixture", ["snmpd_v2c", "snmpd_v3"])
def test_getbulk_and_discovery_from_snmpd(request, target_fixture):
    target = request.getfixturevalue(target_fixture)
    sample = run(lambda client: client.poll_interfaces(target))
    assert sorted(sample.interfaces) == list(range(1, 49))
    assert sample.uptime is not None and sample.uptime >= 0
    port = sample.interfaces[12].values
    assert set(port) >= {"in_octets", "out_octets", "in_errors", "out_discards", "oper_status", "high_speed"}
    assert port["high_speed"] == 1000
    interfaces = run(lambda client: client.discover(target))
    assert [(item.if_index, item.name, item.descr) for item in interfaces[:1]] == [
        (1, "Gi1/0/1", "GigabitEthernet1/0/1")
    ]
    assert len(interfaces) == 48


def test_rates_and_rrd_from_snmpd(tmp_path, snmpd_v2c, snmpd_v3):
    collector = make_collector(tmp_path, snmpd_v2c, snmpd_v3)

    async def two_polls():
        for state in collector.devices.values():
            await collector.poll_device(state)
        await asyncio.sleep(2.5)
        for state in collector.devices.values():
            await collector.poll_device(state)
        collector.writer.flush()
        collector.client.close()

    asyncio.run(two_polls())
    batch = collector.drain()
    rates = {(rate["device"], rate["interface"]): rate for rate in batch["rates"]}
    assert len(rates) == 96
    for device in (11, 12):
        assert rates[(device, "Gi1/0/10")]["in_bps"] == pytest.approx(10_000_000, rel=0.15)
        assert rates[(device, "Gi1/0/10")]["out_bps"] == pytest.approx(5_000_000, rel=0.15)
    assert collector.stats["dropped_samples"] == 0
    assert collector.writer.errors == []
    assert len(list((tmp_path / "rrd" / "device-12").glob("*.rrd"))) == 48


def test_port_down_on_snmpd_produces_link_events(tmp_path, snmpd_agent, snmpd_v2c):
    collector = make_collector(tmp_path, snmpd_v2c)
    writer = replace(snmpd_v2c, community=snmpd_agent.write_community)

    async def scenario():
        state = collector.devices[snmpd_v2c.device_id]
        await collector.poll_device(state)
        snmpd_agent.set_link(46, up=False)  # the link-state file, as a script reads a real port's state
        await collector.client.set_integer(writer, f"{IF_OPER_STATUS}.47", 2)  # an SNMP SET, as with snmpsim
        try:
            await collector.poll_device(state)
        finally:
            snmpd_agent.set_link(46, up=True)
            await collector.client.set_integer(writer, f"{IF_OPER_STATUS}.47", 1)
        await collector.poll_device(state)
        collector.client.close()

    asyncio.run(scenario())
    events = [(e["interface"], e["previous"], e["status"]) for e in collector.drain()["events"]]
    assert events == [
        ("Gi1/0/46", "up", "down"),
        ("Gi1/0/47", "up", "down"),
        ("Gi1/0/46", "down", "up"),
        ("Gi1/0/47", "down", "up"),
    ]
