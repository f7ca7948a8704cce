"""The portal's Bandwidth pages (own interfaces only, with or without an RRD) and the staff admin's graphs."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collector.rrd import RrdWriter
from monitoring.models import InterfaceState
from tests.monitoring.factories import make_device, make_interface


@pytest.fixture
def rrd_dir(tmp_path, settings):
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    return tmp_path / "rrd"


def monitored(company, name="uplink", **state):
    interface = make_interface(make_device(company), name=name, speed=1000)
    state.setdefault("oper_status", "up")
    return InterfaceState.objects.create(interface=interface, rates_at=timezone.now(), **state)


def record_traffic(rrd_dir, interface, *, minutes=30, in_bps=40e6, out_bps=10e6):
    """Half an hour of one-minute samples at steady rates."""
    writer = RrdWriter(rrd_dir)
    now = int(time.time())
    start = now - minutes * 60
    for step in range(minutes + 1):
        seconds = step * 60
        writer.add(
            device_id=interface.device_id,
            interface_name=interface.name,
            timestamp=start + seconds,
            values={"in_octets": int(in_bps / 8 * seconds), "out_octets": int(out_bps / 8 * seconds), "status": 1},
            speed_mbps=interface.speed,
        )
    writer.flush()
    assert not writer.errors


def test_customer_sees_own_interfaces_only(rrd_dir, acme, globex, alice, client_for):
    own = monitored(acme, in_bps=12_345_678, out_bps=2_500_000)
    make_interface(own.interface.device, name="unmonitored")
    theirs = monitored(globex, name="globex-uplink")
    page = client_for(alice).get(reverse("portal:bandwidth")).content.decode()
    assert own.interface.device.name in page and "uplink" in page
    assert "12.3 Mbit/s" in page and "2.5 Mbit/s" in page
    assert "unmonitored" not in page
    assert "globex-uplink" not in page and theirs.interface.device.name not in page
    assert client_for(alice).get(reverse("portal:bandwidth_interface", args=[theirs.interface_id])).status_code == 404


def test_pages_without_rrd(rrd_dir, acme, alice, client_for):
    state = monitored(acme)
    client = client_for(alice)
    page = client.get(reverse("portal:bandwidth")).content.decode()
    assert "No traffic recorded yet." in page
    assert "/noc/graphs/" not in page
    detail = client.get(reverse("portal:bandwidth_interface", args=[state.interface_id]))
    assert detail.status_code == 200
    assert b"No traffic has been recorded" in detail.content
    assert b"<img" not in detail.content


def test_pages_with_rrd(rrd_dir, acme, alice, client_for):
    state = monitored(acme, in_bps=40e6, out_bps=10e6)
    record_traffic(rrd_dir, state.interface)
    client = client_for(alice)
    day = reverse("monitoring:interface_graph", args=[state.interface_id, "day", "png"])
    page = client.get(reverse("portal:bandwidth")).content.decode()
    assert f'src="{day}"' in page
    detail = client.get(reverse("portal:bandwidth_interface", args=[state.interface_id])).content.decode()
    for period in ("day", "week", "month", "year"):
        assert reverse("monitoring:interface_graph", args=[state.interface_id, period, "png"]) in detail
    assert "95th percentile: 40 Mbit/s" in detail
    graph = client.get(day)
    assert graph.status_code == 200 and graph["Content-Type"] == "image/png"


def test_list_query_count_is_constant(rrd_dir, acme, alice, client_for):
    client = client_for(alice)
    monitored(acme, name="eth0")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("portal:bandwidth")).status_code == 200
    for n in range(1, 6):
        monitored(acme, name=f"eth{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("portal:bandwidth")).content.decode()
    assert page.count("portal/bandwidth/interfaces/") == 6
    assert len(many) == len(few)


@pytest.mark.parametrize("with_rrd", [True, False])
def test_staff_admin_shows_graphs(rrd_dir, acme, superuser, client_for, with_rrd):
    state = monitored(acme)
    if with_rrd:
        record_traffic(rrd_dir, state.interface)
    page = client_for(superuser).get(reverse("admin:monitoring_interfacestate_change", args=[state.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    for period in ("day", "week"):
        url = reverse("monitoring:interface_graph", args=[state.interface_id, period, "png"])
        assert (f'<img src="{url}"' in content) is with_rrd
    if not with_rrd:
        assert "No traffic has been recorded for this interface yet." in content
