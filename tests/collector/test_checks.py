"""The collector's service checks against real servers on loopback: ping over a raw socket, TCP connect,
HTTP(S) with a self-signed certificate, DNS, the scheduler and the check RRDs."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rrdtool

from collector.checks import CheckRunner, CheckTarget, Prober
from collector.probes import IcmpPinger, ProbeError, dns_answers, dns_query, echo_request
from collector.rrd import CheckRrdWriter, check_rrd_path
from collector.shard import Shard
from tests.collector.loopback import (
    free_tcp_port,
    self_signed_certificate,
    start_dns_server,
    start_http_server,
    start_tcp_listener,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tcp_listener():
    listener = start_tcp_listener()
    yield listener
    listener.stop()


@pytest.fixture(scope="module")
def http_server():
    server = start_http_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    files = self_signed_certificate(tmp_path_factory.mktemp("tls"), days=5)
    server = start_http_server(tls_files=files)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dns_server():
    server = start_dns_server({"web1.acme.test": "192.0.2.10"})
    yield server
    server.stop()


def run(coroutine):
    return asyncio.run(coroutine)


def test_echo_request_checksum_verifies():
    packet = echo_request(0x1234, 7)
    total = sum(int.from_bytes(packet[i : i + 2], "big") for i in range(0, len(packet), 2))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    assert total == 0xFFFF  # a correct Internet checksum sums to all ones


def test_ping_many_loopback_addresses_matches_each_reply():
    addresses = [f"127.{a}.{b}.{c}" for a in (1, 2) for b in (0, 7) for c in range(1, 126)]

    async def scenario():
        pinger = IcmpPinger()
        try:
            times = await asyncio.gather(*(pinger.ping(address, timeout=2) for address in addresses))
        finally:
            pinger.close()
        return times, pinger

    times, pinger = run(scenario())
    assert len(times) == len(addresses) == 500
    assert all(0 <= value < 2000 for value in times)
    # Loopback shows the raw socket our own requests too: each reply was matched once, none left over.
    assert pinger.sent == pinger.received == 500
    assert not pinger._pending


def test_two_pingers_do_not_take_each_others_replies():
    async def scenario():
        first, second = IcmpPinger(identifier=1111), IcmpPinger(identifier=2222)
        for pinger in (first, second):  # both sockets open before any request, so each sees every reply
            pinger._socket(socket.AF_INET)
        try:
            await asyncio.gather(
                *(first.ping(f"127.9.0.{n}", timeout=2) for n in range(1, 51)),
                *(second.ping(f"127.9.0.{n}", timeout=2) for n in range(1, 51)),
            )
        finally:
            first.close()
            second.close()
        return first, second

    first, second = run(scenario())
    assert first.received == second.received == 50
    assert first.foreign >= 50 and second.foreign >= 50  # each saw the other's replies and left them


@pytest.fixture
def silent_namespace():
    """A network namespace (named for this engineer) whose loopback ignores echo requests (a per-namespace
    sysctl), so a ping there times out; deleted in teardown."""
    name = f"checks-noecho-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(
            ["ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1"], check=True
        )
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def test_ping_times_out_when_nothing_answers(silent_namespace):
    code = (
        "import asyncio, json\n"
        "from collector.checks import CheckTarget, Prober\n"
        "result = asyncio.run(Prober().run(CheckTarget(id=1, kind='icmp', address='127.0.0.1', "
        "timeout=0.3, retries=1)))\n"
        "print(json.dumps(result.as_dict()))\n"
    )
    output = subprocess.run(
        ["ip", "netns", "exec", silent_namespace, sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    result = json.loads(output.stdout)
    assert result["ok"] is False and result["message"] == "no echo reply within 0.3 s"


def test_tcp_open_and_closed_ports(tcp_listener):
    prober = Prober()
    up = run(prober.run(CheckTarget(id=1, kind="tcp", address="127.0.0.1", port=tcp_listener.port, timeout=2)))
    closed = free_tcp_port()
    down = run(prober.run(CheckTarget(id=2, kind="tcp", address="127.0.0.1", port=closed, timeout=2, retries=2)))
    assert up.ok and up.response_ms is not None and up.message == "connected"
    assert not down.ok and down.message == "connection refused" and down.response_ms is None


def test_http_status_keyword_and_response_time(http_server):
    prober = Prober()
    base = {"kind": "http", "address": "127.0.0.1", "port": http_server.port, "timeout": 2, "retries": 0}
    ok = run(prober.run(CheckTarget(id=1, path="/health", keyword="status: ok", **base)))
    missing_keyword = run(prober.run(CheckTarget(id=2, path="/health", keyword="degraded", **base)))
    not_found = run(prober.run(CheckTarget(id=3, path="/nope", **base)))
    expected_404 = run(prober.run(CheckTarget(id=4, path="/nope", expected_status=404, **base)))
    assert ok.ok and ok.message == "HTTP 200" and ok.response_ms > 0
    assert not missing_keyword.ok and "without 'degraded'" in missing_keyword.message
    assert not not_found.ok and not_found.message == "HTTP 404"
    assert expected_404.ok


def test_https_self_signed_certificate_expiry_warning_and_verification(https_server):
    prober = Prober()
    base = {"kind": "https", "address": "127.0.0.1", "port": https_server.port, "timeout": 3, "retries": 0}
    unverified = run(prober.run(CheckTarget(id=1, verify_tls=False, cert_warning_days=14, **base)))
    assert unverified.ok
    assert "certificate expires in" in unverified.message
    assert unverified.cert_expires_at == pytest.approx(time.time() + 5 * 86400, abs=600)
    verified = run(prober.run(CheckTarget(id=2, verify_tls=True, **base)))
    assert not verified.ok and "certificate not trusted" in verified.message
    quiet = run(prober.run(CheckTarget(id=3, verify_tls=False, cert_warning_days=2, **base)))
    assert quiet.ok and quiet.message == "HTTP 200"


def test_dns_answers_and_errors(dns_server):
    prober = Prober()
    base = {"kind": "dns", "address": "127.0.0.1", "port": dns_server.port, "timeout": 2, "retries": 0}
    ok = run(prober.run(CheckTarget(id=1, query="web1.acme.test", expected="192.0.2.10", **base)))
    wrong = run(prober.run(CheckTarget(id=2, query="web1.acme.test", expected="192.0.2.99", **base)))
    missing = run(prober.run(CheckTarget(id=3, query="nothing.acme.test", **base)))
    assert ok.ok and ok.message == "192.0.2.10"
    assert not wrong.ok and "not 192.0.2.99" in wrong.message
    assert not missing.ok and missing.message == "DNS no such name"


def test_dns_parser_refuses_an_answer_to_another_query():
    query = dns_query("a.test", "A", query_id=7)
    with pytest.raises(ProbeError, match="another query"):
        dns_answers(query, query_id=8, record_type="A")


def test_runner_schedules_every_check_on_its_interval_and_writes_rrd(tcp_listener, http_server, tmp_path):
    closed = free_tcp_port()
    payload = {
        "checks": [
            {"id": 1, "kind": "icmp", "address": "127.3.0.1", "interval": 1, "timeout": 0.5},
            {"id": 2, "kind": "tcp", "address": "127.0.0.1", "port": tcp_listener.port, "interval": 1, "timeout": 0.5},
            {"id": 3, "kind": "tcp", "address": "127.0.0.1", "port": closed, "interval": 1, "timeout": 0.5},
            {"id": 4, "kind": "http", "address": "127.0.0.1", "port": http_server.port, "interval": 1, "timeout": 1},
        ]
    }

    async def scenario():
        runner = CheckRunner(rrd=CheckRrdWriter(tmp_path), shard=Shard(0, 1))
        runner.apply_targets(payload)
        stop = asyncio.Event()
        task = asyncio.create_task(runner.scheduler(stop))
        await asyncio.sleep(3.6)
        stop.set()
        await task
        await asyncio.sleep(0.2)
        runner.rrd.flush()
        runner.prober.close()
        return runner

    runner = run(scenario())
    batch = runner.drain()
    by_check = {}
    for item in batch["results"]:
        by_check.setdefault(item["check"], []).append(item)
    assert set(by_check) == {1, 2, 3, 4}
    for check_id, items in by_check.items():
        assert 3 <= len(items) <= 5, (check_id, len(items))  # once a second, never back to back
    assert all(item["ok"] for check_id in (1, 2, 4) for item in by_check[check_id])
    assert not any(item["ok"] for item in by_check[3])
    info = rrdtool.info(str(check_rrd_path(tmp_path, 2)))
    assert info["ds[rtt].type"] == "GAUGE" and info["last_update"] > 0
    assert runner.drain() is None


def test_runner_owns_only_its_shard():
    async def scenario():
        runner = CheckRunner(shard=Shard(0, 2))
        runner.apply_targets({"checks": [{"id": n, "kind": "icmp", "address": "127.0.0.1"} for n in range(1, 101)]})
        return set(runner.targets)

    owned = run(scenario())
    other = {n for n in range(1, 101) if Shard(1, 2).owns(n)}
    assert owned and other and owned.isdisjoint(other) and owned | other == set(range(1, 101))


def test_snmp_reachability_against_snmpd(snmpd_agent):
    base = {"kind": "snmp", "address": "127.0.0.1", "timeout": 1, "retries": 0}

    async def scenario():
        prober = Prober()
        try:
            up = await prober.run(CheckTarget(id=1, port=snmpd_agent.port, community="public", **base))
            wrong = await prober.run(CheckTarget(id=2, port=snmpd_agent.port, community="not-the-community", **base))
        finally:
            prober.close()
        return up, wrong

    up, wrong = run(scenario())
    assert up.ok and up.message == "SNMP answers" and up.response_ms > 0
    assert not wrong.ok and wrong.message.startswith("SNMP")
