"""BMC sensors: the IPMI collector polls the simulated BMC into RRD through the portal's collector channel;
unreachable BMCs and sensors out of range become NOC events; the server page shows readings and graphs."""

import asyncio
import os
import signal

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from collector.ipmi import BmcTarget, IpmiCollector, power_command, read_sensors, sensor_rrd_path
from collector.shard import Shard
from monitoring.choices import EventKind
from monitoring.models import MonitoringEvent
from monitoring.services import collector_token_create
from remote.models import BmcStatus
from remote.simulator import free_port, start_simulator
from tests.remote.conftest import HELD_PASSWORD, shared_session
from tests.remote.factories import server_with_bmc

pytestmark = pytest.mark.slow


class ChannelThroughTestClient:
    """The collector's portal client, but over Django's test client (same views, same token check)."""

    def __init__(self, token: str):
        self.client = Client(headers={"authorization": f"Bearer {token}"})

    async def ipmi_targets(self, shard: str) -> dict:
        from asgiref.sync import sync_to_async

        response = await sync_to_async(self.client.get)(f"/api/remote/collector/targets/?shard={shard}")
        assert response.status_code == 200, response.content
        return response.json()

    async def send_ipmi(self, batch):
        from asgiref.sync import sync_to_async

        if batch:
            response = await sync_to_async(self.client.post)(
                "/api/remote/collector/events/", batch, content_type="application/json"
            )
            assert response.status_code == 200, response.content
        return True


def test_sensor_readings_from_the_simulator(bmc):
    from collector.ipmi import BmcTarget

    sample = read_sensors(BmcTarget(host="127.0.0.1", port=bmc.port, username="admin", password="s3cret-bmc"))
    readings = {s.name: s for s in sample.sensors}
    assert sample.power == "on" and sample.watts == 240
    assert readings["CPU1 Temp"].kind == "temperature" and readings["CPU1 Temp"].value == 52
    assert readings["FAN1"].kind == "fan" and readings["FAN1"].value == 7200
    assert all(s.health == "ok" for s in sample.sensors)


def test_sensor_readings_from_ipmi_sim(ipmi_sim):
    from collector.ipmi import BmcTarget

    target = BmcTarget(host="127.0.0.1", port=ipmi_sim.port, username="admin", password="password")
    sample = read_sensors(target, timeout=60)
    assert {s.name: s.value for s in sample.sensors}["Inlet Temp"] == 24


@pytest.mark.django_db(transaction=True)
def test_collector_polls_into_rrd_and_raises_noc_events(bmc, acme, alice, bob, remote_settings):
    device = server_with_bmc(acme, port=bmc.port, password="s3cret-bmc", name="sensor-host")
    dead = server_with_bmc(acme, port=free_port(), name="dead-bmc")
    _token, raw = collector_token_create(name="ipmi")
    rrd_dir = remote_settings.MONITORING_RRD_DIR
    assert Client().get("/api/remote/collector/targets/").status_code in (401, 403)

    async def scenario():
        collector = IpmiCollector(
            portal=ChannelThroughTestClient(raw), rrd_dir=rrd_dir, shard=Shard(0, 1), timeout=2, down_after=2, step=5
        )
        await collector.load_targets()
        assert set(collector.bmcs) == {device.pk, dead.pk}
        await collector.run_once()
        await asyncio.to_thread(bmc.control, {"op": "set_sensor", "name": "CPU1 Temp", "value": 97})
        await asyncio.sleep(1.1)  # the next RRD update needs a later second
        await collector.run_once()
        await asyncio.to_thread(bmc.control, {"op": "set_sensor", "name": "CPU1 Temp", "value": 52})
        return collector.stats

    stats = async_to_sync(scenario)()
    assert stats["polls"] == 2 and stats["failures"] == 2
    assert sensor_rrd_path(rrd_dir, device.pk, "CPU1 Temp").exists()
    assert sensor_rrd_path(rrd_dir, device.pk, "power_watts").exists()
    events = {(e.device_id, e.kind, e.status): e for e in MonitoringEvent.objects.all()}
    assert (dead.pk, EventKind.BMC, "unreachable") in events
    hot = events[(device.pk, EventKind.SENSOR, "critical")]
    assert hot.severity == "critical" and "CPU1 Temp of sensor-host is critical at 97" in hot.message
    status = BmcStatus.objects.get(device=device)
    assert status.reachable and status.power_state == "on" and status.watts == 240
    assert BmcStatus.objects.get(device=dead).reachable is False

    owner = Client()
    owner.force_login(alice)
    page = owner.get(reverse("portal:device_detail", args=[device.pk]))
    assert b"BMC sensors" in page.content and b"CPU1 Temp" in page.content and b"240 W" in page.content
    graph = owner.get(reverse("portal:server_sensor_graph", args=[device.pk, "CPU1 Temp"]))
    assert graph.status_code == 200 and graph["Content-Type"] == "image/svg+xml" and b"<svg" in graph.content
    other = Client()
    other.force_login(bob)
    assert other.get(reverse("portal:server_sensor_graph", args=[device.pk, "CPU1 Temp"])).status_code == 404
    assert other.get(f"/api/remote/bmc-statuses/{status.pk}/").status_code == 404


class StaticTargets:
    """A portal that hands the collector fixed targets and takes its batches (no database needed)."""

    def __init__(self, targets: list[dict]):
        self.targets = targets
        self.batches: list[dict] = []

    async def ipmi_targets(self, shard: str) -> dict:
        return {"bmcs": self.targets}

    async def send_ipmi(self, batch):
        if batch:
            self.batches.append(batch)
        return True


def test_a_round_ends_within_its_deadline_with_a_dead_and_a_hung_bmc(bmc, tmp_path):
    """A BMC nobody answers for and one that stops answering mid-session (its simulator frozen with SIGSTOP after
    the first round) cost a round its deadline, never more; the healthy BMC is polled every round; a hung BMC
    gets no second call while its first is still waiting inside pyghmi (one thread per stuck BMC, never more)."""
    from collector.ipmi import calls_in_flight

    hung = start_simulator([{"name": "hung-host"}])
    dead_port = free_port()

    def target(device_id, port, password="password"):
        return {"id": device_id, "address": "127.0.0.1", "port": port, "username": "admin", "password": password}

    portal = StaticTargets([target(1, bmc.port, "s3cret-bmc"), target(2, hung.port), target(3, dead_port)])
    deadline = 2.0
    collector = IpmiCollector(
        portal=portal,
        rrd_dir=tmp_path,
        shard=Shard(0, 1),
        timeout=deadline,
        concurrency=1,  # one slot: a stuck call must give it up (slot_seconds) for the round to end in time
        slot_seconds=0.5,
        down_after=1,
        step=5,
    )

    async def scenario():
        loop = asyncio.get_running_loop()
        await collector.run_once()  # logs in to both live BMCs
        assert collector.stats["polls"] == 2 and collector.stats["failures"] == 1
        os.kill(hung.process.pid, signal.SIGSTOP)
        walls, in_flight = [], []
        for _ in range(3):
            started = loop.time()
            await collector.run_once()
            walls.append(loop.time() - started)
            in_flight.append(calls_in_flight())
        return walls, in_flight

    try:
        walls, in_flight = asyncio.run(scenario())
    finally:
        os.kill(hung.process.pid, signal.SIGCONT)
        hung.stop()
    # The deadline, plus the healthy BMC's poll and its RRD writes; never a second deadline (the stuck calls give
    # up their slot after slot_seconds and wait side by side; a BMC still stuck from the round before fails at once).
    assert all(wall < deadline + 1.5 for wall in walls), walls
    assert collector.stats["polls"] == 2 + 3, collector.stats  # the healthy BMC, every round
    assert collector.stats["failures"] == 1 + 3 * 2, collector.stats
    assert max(in_flight) <= 2, in_flight  # at most one call per stuck BMC, however many rounds
    events = [event for batch in portal.batches for event in batch["events"]]
    assert {event["device"] for event in events if event["status"] == "unreachable"} == {2, 3}


def test_a_poll_and_a_power_command_wait_out_their_sessions_keepalive(held_bmc):
    """A keepalive is sent, with a callback, by whichever thread's pyghmi turn finds it due; a command on the same
    session waits for it to be answered. pyghmi's wait processed no packets, so when no other thread was pumping
    the answer sat in the queue until the keepalive expired (9 to 20 s) and the poll failed its 2 s deadline."""
    import threading

    from pyghmi.ipmi.private import session as ipmisession

    target = BmcTarget(host="127.0.0.1", port=held_bmc.port, username="admin", password=HELD_PASSWORD)
    assert read_sensors(target).power == "on"
    session = shared_session(held_bmc)
    results = {}
    for name, call in (("poll", lambda: read_sensors(target, timeout=2).power),
                       ("power", lambda: power_command(target, "status", timeout=2)["powerstate"])):  # fmt: skip
        os.kill(held_bmc.process.pid, signal.SIGSTOP)
        ipmisession.Session.keepalive_sessions[session]["timeout"] = 0
        ipmisession.Session.wait_for_rsp(0.05)  # a turn sends it; nobody turns after
        in_command = bool(session._isincommand())
        thaw = threading.Timer(0.3, os.kill, (held_bmc.process.pid, signal.SIGCONT))
        thaw.start()
        try:
            results[name] = (in_command, call())
        finally:
            thaw.join()
    assert results == {"poll": (True, "on"), "power": (True, "on")}
