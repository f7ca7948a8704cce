"""The lean decode path end to end (collector/lean.py) against the real simulated agents, snmpsim and snmpd.

The same polls go through pysnmp's generic path and the lean path; the lean samples must equal the generic
ones (counters sandwiched between two generic polls, since the simulated counters grow with time), and in
``verify_lean`` mode every lean decode is checked against pysnmp's decode of the same message.
"""

import asyncio
from dataclasses import replace

import pytest

from collector.config import Config
from collector.runner import Collector
from collector.snmp import POLL_COLUMNS, SnmpClient

pytestmark = pytest.mark.slow
COUNTERS = [name for name, (_oid, bits) in POLL_COLUMNS.items() if bits]


@pytest.fixture(params=["snmpsim", "snmpd"])
def agent_target(request, v2c_target):
    if request.param == "snmpd":
        agent = request.getfixturevalue("snmpd_agent")
        return replace(v2c_target, device_id=21, port=agent.port)
    return v2c_target


def poll_three_ways(target):
    """Generic, lean (verifying), generic: the samples, the lean discovery and the lean model's counts."""

    async def main():
        generic = SnmpClient(concurrency=5, lean_decode=False)
        lean = SnmpClient(concurrency=5, verify_lean=True)
        try:
            before = await generic.poll_interfaces(target)
            sample = await lean.poll_interfaces(target)
            after = await generic.poll_interfaces(target)
            discovered = (await lean.discover(target), await generic.discover(target))
            return before, sample, after, discovered, lean.lean_model
        finally:
            generic.close()
            lean.close()

    return asyncio.run(main())


def test_lean_samples_equal_generic_ones(agent_target):
    before, sample, after, (lean_found, generic_found), model = poll_three_ways(agent_target)
    assert model.lean_messages >= 2 and model.generic_messages == 0
    assert model.mismatches == []
    assert sorted(sample.interfaces) == sorted(before.interfaces) == sorted(after.interfaces) == list(range(1, 49))
    assert sample.varbinds == before.varbinds == after.varbinds
    assert before.uptime <= sample.uptime <= after.uptime
    for if_index, interface in sample.interfaces.items():
        values = interface.values
        old, new = before.interfaces[if_index].values, after.interfaces[if_index].values
        assert set(values) == set(old) == set(new)
        assert all(type(value) is int for value in values.values())
        for name in values:
            if name in COUNTERS:
                assert old[name] <= values[name] <= new[name], (if_index, name)
            else:
                assert old[name] == values[name] == new[name], (if_index, name)
    assert lean_found == generic_found and len(lean_found) == 48


def test_pysnmp_commands_on_the_same_engine_keep_full_answers(v2c_target):
    """A GET or SET through pysnmp's hlapi on the lean client's engine is not taken by the lean path."""

    async def main():
        client = SnmpClient(concurrency=5)
        try:
            name = await client.get_scalar(v2c_target, "1.3.6.1.2.1.1.5.0")
            sample = await client.poll_interfaces(v2c_target)
            missing = await client.get_scalar(v2c_target, "1.3.6.1.2.1.1.99.0")
            return name, sample, missing, client.lean_model
        finally:
            client.close()

    name, sample, missing, model = asyncio.run(main())
    assert isinstance(name, str) and name
    assert missing is None
    assert len(sample.interfaces) == 48
    assert model.lean_messages >= 1 and model.generic_messages == 2


def test_v3_stays_on_the_generic_path(v3_target):
    async def main():
        client = SnmpClient(concurrency=5)
        try:
            return await client.poll_interfaces(v3_target), client.lean_model
        finally:
            client.close()

    sample, model = asyncio.run(main())
    assert len(sample.interfaces) == 48
    assert model.lean_messages == 0


def test_collector_flag(tmp_path, v2c_target):
    assert Config.from_env({}).lean_decode is True
    assert Config.from_env({"COLLECTOR_LEAN_DECODE": "0"}).lean_decode is False
    config = Config.from_env({"COLLECTOR_LEAN_DECODE": "off"}, rrd_dir=tmp_path)
    assert Collector(config).client.lean_model is None
    assert Collector(Config(rrd_dir=tmp_path)).client.lean_model is not None
