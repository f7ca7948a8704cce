"""End to end: a simulated switch, ``python -m collector run --once`` against a live portal, the NOC socket,
graphs from the RRD files, the portal-down backlog and bandwidth thresholds."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from collector.config import Config
from collector.portal import PortalClient
from collector.rrd import RrdWriter
from collector.runner import Collector
from collector.simulate import free_udp_port
from collector.snmp import SnmpClient, Target
from dcim.models import Interface
from monitoring import services
from monitoring.models import InterfaceState, MonitoringEvent
from tests.accounts.factories import sign_in
from tests.collector.conftest import snmp_agent  # noqa: F401 - the session's simulated switch
from tests.monitoring.factories import snmp_device

ROOT = Path(__file__).resolve().parents[2]
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"


@pytest.fixture
def rrd_dir(tmp_path, settings):
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    return tmp_path / "rrd"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_collector_once_against_live_portal(live_server, snmp_agent, rrd_dir, acme, alice, bob, client_for):  # noqa: F811
    device = snmp_device(acme, port=snmp_agent.port, name="sim-switch")
    _token, raw = services.collector_token_create(name="e2e")
    env = {**os.environ, "PORTAL_URL": live_server.url, "COLLECTOR_TOKEN": raw, "RRD_DIR": str(rrd_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "collector", "run", "--once", "--shard", "0/1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["polls"] == 1
    assert Interface.objects.filter(device=device).count() == 48
    assert InterfaceState.objects.filter(interface__device=device, oper_status="up").count() == 48
    assert len(list((rrd_dir / f"device-{device.pk}").glob("*.rrd"))) == 48

    # Graphs: the owning company sees them, another company gets 404.
    interface = Interface.objects.get(device=device, name="Gi1/0/5")
    for fmt, content_type in (("png", "image/png"), ("svg", "image/svg+xml"), ("json", "application/json")):
        response = client_for(alice).get(f"/noc/graphs/interface/{interface.pk}/day.{fmt}")
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
    assert response.json()["columns"] == ["in_bps", "out_bps"]
    assert client_for(bob).get(f"/noc/graphs/interface/{interface.pk}/week.png").status_code == 404


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_noc_socket_receives_link_down_from_simulated_switch(snmp_agent, noc_user, alice, tmp_path):  # noqa: F811
    from serverstock.asgi import application

    device = snmp_device(None, port=snmp_agent.port, name="core-switch")
    config = Config(portal_url="http://127.0.0.1:9", token="unused", rrd_dir=tmp_path / "rrd")
    target = Target(device_id=device.pk, host="127.0.0.1", port=snmp_agent.port, timeout=2, retries=1)

    staff_session = sign_in(Client(), noc_user).cookies[settings.SESSION_COOKIE_NAME].value
    staff_headers = [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={staff_session}".encode()),
    ]
    customer_session = sign_in(Client(), alice).cookies[settings.SESSION_COOKIE_NAME].value
    customer_headers = [*staff_headers[:2], (b"cookie", f"{settings.SESSION_COOKIE_NAME}={customer_session}".encode())]

    async def scenario():
        collector = Collector(config, client=SnmpClient(concurrency=10))
        collector.apply_targets(
            {"devices": [{"id": device.pk, "address": "127.0.0.1", "port": snmp_agent.port, "snmp": {}}]}
        )
        state = collector.devices[device.pk]
        await collector.poll_device(state)
        await sync_to_async(services.ingest_batch)(batch=collector.drain())

        # Staff sockets need a session that passed MFA (a scope user alone is refused), as a browser's would.
        socket = WebsocketCommunicator(application, "/ws/noc/", headers=staff_headers)
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
        customer = WebsocketCommunicator(application, "/ws/noc/", headers=customer_headers)
        refused, code = await customer.connect()
        assert not refused and code == 4403

        await collector.client.set_integer(target, f"{IF_OPER_STATUS}.44", 2)
        try:
            started = asyncio.get_running_loop().time()
            await collector.poll_device(state)
            await sync_to_async(services.ingest_batch)(batch=collector.drain())
            message = await socket.receive_json_from(timeout=5)
            elapsed = asyncio.get_running_loop().time() - started
        finally:
            await collector.client.set_integer(target, f"{IF_OPER_STATUS}.44", 1)
            collector.client.close()
            await socket.disconnect()
        return message, elapsed

    message, elapsed = asyncio.run(scenario())
    assert message["type"] == "events"
    [event] = message["events"]
    assert (event["interface_name"], event["status"], event["previous"]) == ("Gi1/0/44", "down", "up")
    assert elapsed < 60
    assert MonitoringEvent.objects.filter(device=device, status="down").count() == 1


def test_noc_board_is_staff_only(db, client_for, noc_user, alice):
    assert client_for(noc_user).get("/noc/").status_code == 200
    assert client_for(alice).get("/noc/").status_code == 403  # signed in, but neither NOC nor Administrator


@pytest.mark.django_db(transaction=True)
def test_portal_down_backlog_is_resent(live_server, acme, tmp_path):
    device = snmp_device(acme)
    _token, raw = services.collector_token_create(name="backlog")
    portal = PortalClient(f"http://127.0.0.1:{free_udp_port()}", raw, retries=0, timeout=2)
    collector = Collector(Config(rrd_dir=tmp_path), writer=RrdWriter(tmp_path), portal=portal)
    collector.events.append(
        {"type": "device", "device": device.pk, "status": "unreachable", "at": timezone.now().isoformat()}
    )
    assert asyncio.run(collector.flush()) is False
    assert len(portal.backlog) == 1
    collector.events.append(
        {"type": "device", "device": device.pk, "status": "reachable", "at": timezone.now().isoformat()}
    )
    assert asyncio.run(collector.flush()) is False
    portal.base_url = live_server.url  # the portal is back
    assert asyncio.run(collector.flush()) is True
    assert not portal.backlog
    assert list(MonitoringEvent.objects.filter(device=device).order_by("pk").values_list("status", flat=True)) == [
        "unreachable",
        "reachable",
    ]
