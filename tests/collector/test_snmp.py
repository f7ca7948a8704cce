"""Real polling of a simulated 48-port switch (snmpsim on 127.0.0.1), v2c and v3 authPriv."""

import asyncio

import pytest

from collector.config import Config
from collector.runner import Collector
from collector.snmp import SnmpClient, SnmpError, Target

pytestmark = pytest.mark.slow
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"


def run(coroutine_function):
    """Run ``coroutine_function(client)`` with a fresh SNMP client, closed afterwards."""

    async def main():
        client = SnmpClient(concurrency=10)
        try:
            return await coroutine_function(client)
        finally:
            client.close()

    return asyncio.run(main())


def device_payload(target: Target, **extra) -> dict:
    snmp = {"version": target.version, "community": target.community}
    if target.version == "v3":
        snmp = {
            "version": "v3",
            "user": target.user,
            "auth_protocol": target.auth_protocol,
            "auth_key": target.auth_key,
            "priv_protocol": target.priv_protocol,
            "priv_key": target.priv_key,
        }
    return {"id": target.device_id, "name": "sim", "address": target.host, "port": target.port, "snmp": snmp, **extra}


def make_collector(tmp_path, *targets) -> Collector:
    config = Config(portal_url="http://127.0.0.1:9", token="unused", rrd_dir=tmp_path / "rrd", down_after=2)
    collector = Collector(config, client=SnmpClient(concurrency=10))
    collector.apply_targets({"devices": [device_payload(target, timeout=1, retries=0) for target in targets]})
    return collector


@pytest.mark.parametrize("target_fixture", ["v2c_target", "v3_target"])
def test_getbulk_of_48_ports(request, target_fixture):
    target = request.getfixturevalue(target_fixture)
    sample = run(lambda client: client.poll_interfaces(target))
    assert sorted(sample.interfaces) == list(range(1, 49))
    assert sample.uptime > 0
    port = sample.interfaces[12].values
    assert set(port) >= {"in_octets", "out_octets", "in_errors", "out_discards", "oper_status", "high_speed"}
    assert port["high_speed"] == 1000
    assert sample.varbinds >= 48 * 10


def test_discovery(v2c_target):
    interfaces = run(lambda client: client.discover(v2c_target))
    assert len(interfaces) == 48
    first = interfaces[0]
    assert (first.if_index, first.name, first.descr, first.alias) == (
        1,
        "Gi1/0/1",
        "GigabitEthernet1/0/1",
        "customer port 1",
    )
    assert first.speed_mbps == 1000
    assert interfaces[30].alias == ""


def test_wrong_v3_key_fails(v3_target):
    from dataclasses import replace

    wrong = replace(v3_target, priv_key="not-the-key", timeout=0.5, retries=0)
    with pytest.raises(SnmpError):
        run(lambda client: client.poll_interfaces(wrong))


def test_rates_over_two_polls_and_rrd_files(tmp_path, v2c_target, v3_target):
    collector = make_collector(tmp_path, v2c_target, v3_target)

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
    assert len(batch["discovered"]) == 2
    rates = {(rate["device"], rate["interface"]): rate for rate in batch["rates"]}
    assert len(rates) == 96
    # Port n receives n Mbit/s and sends half of that (fixtures/snmp/make_switch.py).
    for device in (1, 2):
        assert rates[(device, "Gi1/0/10")]["in_bps"] == pytest.approx(10_000_000, rel=0.15)
        assert rates[(device, "Gi1/0/10")]["out_bps"] == pytest.approx(5_000_000, rel=0.15)
        assert rates[(device, "Gi1/0/40")]["in_errors_ps"] == pytest.approx(1, abs=0.5)
    assert batch["events"] == []
    assert collector.stats["dropped_samples"] == 0
    assert (tmp_path / "rrd" / "device-1" / "Gi1_0_48.rrd").exists()
    assert len(list((tmp_path / "rrd" / "device-2").glob("*.rrd"))) == 48


def test_port_taken_down_produces_a_link_event(tmp_path, v2c_target):
    collector = make_collector(tmp_path, v2c_target)
    port = 47

    async def scenario():
        state = collector.devices[v2c_target.device_id]
        await collector.poll_device(state)
        await collector.client.set_integer(v2c_target, f"{IF_OPER_STATUS}.{port}", 2)
        try:
            await collector.poll_device(state)
        finally:
            await collector.client.set_integer(v2c_target, f"{IF_OPER_STATUS}.{port}", 1)
        await collector.poll_device(state)
        collector.client.close()

    asyncio.run(scenario())
    events = collector.drain()["events"]
    assert [(e["type"], e["interface"], e["previous"], e["status"]) for e in events] == [
        ("link", "Gi1/0/47", "up", "down"),
        ("link", "Gi1/0/47", "down", "up"),
    ]


def test_unreachable_device_is_reported_once_and_recovers(tmp_path, v2c_target, snmp_agent):
    from dataclasses import replace

    from collector.simulate import free_udp_port

    dead = replace(v2c_target, device_id=5, port=free_udp_port())
    collector = make_collector(tmp_path, dead, v2c_target)

    async def scenario():
        for _ in range(3):
            await asyncio.gather(*(collector.poll_device(state) for state in collector.devices.values()))
        # The agent comes back (here: the device is moved to the live agent's port).
        collector.devices[5].target = replace(dead, port=snmp_agent.port)
        await collector.poll_device(collector.devices[5])
        collector.client.close()

    asyncio.run(scenario())
    events = [(e["device"], e["status"]) for e in collector.drain()["events"] if e["type"] == "device"]
    assert events == [(5, "unreachable"), (5, "reachable")]
    assert collector.stats["failures"] == 3
