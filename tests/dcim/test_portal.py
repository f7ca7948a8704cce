"""The customer's view of racks, devices, cross-connects and power: own company only, constant queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tenancy import for_user
from dcim import selectors, services
from dcim.choices import DeviceStatus, Ownership
from dcim.models import CrossConnect, Device, Rack, SecretReveal
from tests.dcim.factories import (
    cross_connect_for,
    device_type,
    make_circuit,
    make_device,
    make_interface,
    make_pdu,
    make_power_port,
    make_rack,
)

pytestmark = pytest.mark.django_db


def test_overview_lists_own_things_only(acme, globex, alice, client_for):
    make_rack(acme, name="ACME-R1")
    make_rack(globex, name="GLOBEX-R1")
    make_device(acme, name="acme-web")
    make_device(globex, name="globex-web")
    cross_connect_for(acme)
    make_circuit(acme)
    content = client_for(alice).get(reverse("portal:network")).content.decode()
    assert "ACME-R1" in content and "acme-web" in content
    assert "GLOBEX" not in content and "globex-web" not in content


def _overview_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("portal:network")).status_code == 200
    return len(captured)


def test_overview_queries_do_not_grow(acme, alice, client_for, django_assert_max_num_queries):
    client = client_for(alice)
    client.get(reverse("portal:network"))
    # Nothing yet: one probe (racks, cross-connects, circuits) and the devices; the others are read only once
    # the probe finds some, the circuits' connected draw with them.
    empty = _overview_queries(client)
    rack = make_rack(acme)
    make_device(acme, rack=rack, position=1)
    cross_connect_for(acme)
    make_pdu(make_circuit(acme, rack=rack))
    few = _overview_queries(client)
    assert few == empty + 4
    for _ in range(5):
        rack = make_rack(acme)
        make_device(acme, rack=None)
        make_device(acme, rack=rack, position=3)
        cross_connect_for(acme)
        circuit = make_circuit(acme, rack=rack, allocated_kw=Decimal("2.00"))
        port = make_power_port(make_device(acme, name=f"psu-host-{rack.pk}"), "PSU1", watts=250)
        services.power_port_connect(power_port=port, outlet=make_pdu(circuit).outlets.first())
    assert _overview_queries(client) == few
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:network")).status_code == 200


def test_device_table_rows_read_as_the_devices_show_themselves(acme, globex, alice):
    rack = make_rack(acme, name="C07")
    make_device(acme, name="colo-1", rack=rack, position=10, management_ip="192.0.2.5")
    make_device(acme, name="rented-1", rack=rack, position=20, ownership=Ownership.DATACENTER)
    make_device(acme, name="pdu-0u", rack=rack, position=30, dtype=device_type("PDU 0U", u_height=0))
    make_device(acme, name="spare", status=DeviceStatus.INVENTORY)
    make_device(globex, name="theirs")
    scoped = for_user(Device, alice, company=acme, staff_scope=False)
    rows = selectors.device_table(scoped)
    devices = list(scoped.select_related("device_type", "company", "rack", "site"))
    assert [row["name"] for row in rows] == ["colo-1", "pdu-0u", "rented-1", "spare"]
    for row, device in zip(rows, devices, strict=True):
        assert row == {
            "pk": device.pk,
            "name": device.name,
            "device_type": str(device.device_type),
            "owner": device.owner_display,
            "status": device.status,
            "status_label": device.get_status_display(),
            "rack": str(device.rack) if device.rack else None,
            "units": device.unit_range,
            "site": str(device.site) if device.site else None,
            "management_ip": device.management_ip,
        }
    assert [row["owner"] for row in rows] == ["Acme Hosting", "Acme Hosting", "Datacenter", "Acme Hosting"]
    assert [row["units"] for row in rows[:3]] == ["U 10", "U 30", "U 20"]


def test_rack_and_cross_connect_rows_read_as_the_objects_show_themselves(acme, globex, alice):
    make_rack(acme, name="C01", power_budget_kw=Decimal("6.00"))
    roomless = make_rack(acme, name="C02")
    roomless.room = roomless.row = None
    roomless.save()
    make_rack(globex, name="G01")
    cross_connect_for(acme)
    far = cross_connect_for(acme)
    far.z_rack, far.z_port, far.z_party = make_rack(acme, name="MMR"), "MMR:24", "Carrier One"
    far.save()
    cross_connect_for(globex)
    racks = for_user(Rack, alice, company=acme, staff_scope=False)
    assert selectors.rack_table(racks) == [
        {
            "pk": rack.pk,
            "name": rack.name,
            "site": str(rack.site),
            "room": str(rack.room) if rack.room else None,
            "u_height": rack.u_height,
            "power_budget_kw": rack.power_budget_kw,
        }
        for rack in racks
    ]
    cross_connects = for_user(CrossConnect, alice, company=acme, staff_scope=False)
    rows = selectors.cross_connect_table(cross_connects)
    assert len(rows) == 2
    assert rows == [
        {
            "circuit_id": xc.circuit_id,
            "status_label": xc.get_status_display(),
            "media_label": xc.get_media_display(),
            "a_rack": str(xc.a_rack),
            "a_port": xc.a_port,
            "z_rack": str(xc.z_rack) if xc.z_rack else None,
            "z_port": xc.z_port,
            "z_party": xc.z_party,
            "loss_db": xc.loss_db,
        }
        for xc in cross_connects
    ]


def test_rack_elevation_in_portal(acme, globex, alice, client_for):
    rack = make_rack(acme, name="ACME-R1")
    services.device_place(device=make_device(acme, name="acme-web"), rack=rack, position=10)
    content = client_for(alice).get(reverse("portal:rack_detail", args=[rack.pk])).content.decode()
    assert "<svg" in content and "acme-web" in content and "Rack ACME-R1, front" in content
    other = make_rack(globex)
    assert client_for(alice).get(reverse("portal:rack_detail", args=[other.pk])).status_code == 404


def test_customer_reveals_root_password_of_own_server(acme, alice, client_for):
    device = make_device(acme, name="acme-web", root_password="hunter2-root")
    client = client_for(alice)
    page = client.get(reverse("portal:device_detail", args=[device.pk])).content.decode()
    assert "hunter2-root" not in page and "Show Root password" in page
    response = client.post(reverse("portal:device_reveal", args=[device.pk]), {"field": "root_password"})
    assert "hunter2-root" in response.content.decode()
    assert SecretReveal.objects.filter(user=alice, as_customer=True).count() == 1
    refused = client.post(reverse("portal:device_reveal", args=[device.pk]), {"field": "snmp_community"})
    assert refused.status_code == 404


# --- cables and power on the device page -----------------------------------------------------------------


def _patched_server(acme, globex, *, interfaces: int = 2, suffix: str = ""):
    """An Acme server: eth0 runs through two patch panels to a core switch, eth1 to a Globex box, PSU1 to a PDU."""
    from dcim.choices import DeviceRole, InterfaceType
    from dcim.models import CrossConnect

    server = make_device(acme, name=f"acme-web{suffix}", rack=make_rack(acme), position=1)
    switch = make_device(None, name=f"sw-core{suffix}", role=DeviceRole.SWITCH)
    panels = []
    for name in (f"pp-cage{suffix}", f"pp-mmr{suffix}"):
        panel = make_device(None, name=name, role=DeviceRole.PATCH_PANEL)
        rear = make_interface(panel, "rear1", type=InterfaceType.REAR_PORT)
        make_interface(panel, "front1", type=InterfaceType.FRONT_PORT, rear_port=rear)
        panels.append(panel)
    cage, mmr = panels
    services.cable_connect(a=make_interface(server, "eth0"), b=cage.interfaces.get(name="front1"), label=f"C-1{suffix}")
    services.cable_connect(
        a=cage.interfaces.get(name="rear1"), b=mmr.interfaces.get(name="rear1"), label=f"C-2{suffix}"
    )
    services.cable_connect(
        a=mmr.interfaces.get(name="front1"), b=make_interface(switch, "Ethernet7"), label=f"C-3{suffix}"
    )
    services.cable_connect(
        a=make_interface(server, "eth1"), b=make_interface(make_device(globex, name=f"globex-secret{suffix}"), "p1")
    )
    for number in range(2, interfaces):
        services.cable_connect(
            a=make_interface(server, f"eth{number}"), b=make_interface(switch, f"Ethernet{100 + number}")
        )
    CrossConnect.objects.create(
        circuit_id=f"XC-ACME-1{suffix}",
        company=acme,
        a_rack=server.rack,
        a_panel=cage,
        a_port="front1",
        z_party="Carrier One",
    )
    CrossConnect.objects.create(circuit_id=f"XC-GLOBEX-1{suffix}", company=globex, a_rack=server.rack, a_panel=cage)
    pdu = make_pdu(make_circuit(), name=f"pdu-a01-a{suffix}", outlets=interfaces + 1)
    for number in range(1, interfaces):
        port = make_power_port(server, f"PSU{number}", watts=100)
        services.power_port_connect(power_port=port, outlet=pdu.outlets.get(name=str(number)))
    make_power_port(server, "PSU-spare", watts=0)
    return server


def test_device_page_traces_cables_and_power_without_other_companies(acme, globex, alice, client_for):
    server = _patched_server(acme, globex)
    content = client_for(alice).get(reverse("portal:device_detail", args=[server.pk])).content.decode()
    assert "pp-cage</strong> front1" in content and "pp-mmr</strong> rear1" in content
    assert "sw-core</strong> Ethernet7" in content
    assert "Cross-connect XC-ACME-1" in content and "Carrier One" in content
    assert "equipment of another party" in content
    assert "globex-secret" not in content and "XC-GLOBEX-1" not in content
    assert "pdu-a01-a outlet 1" in content and "PP-1/" in content and "Not plugged in" in content


def test_device_page_queries_do_not_grow_with_interfaces_and_ports(acme, globex, alice, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    small = _patched_server(acme, globex, interfaces=2)
    client.get(reverse("portal:device_detail", args=[small.pk]))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("portal:device_detail", args=[small.pk])).status_code == 200
    large = _patched_server(acme, globex, interfaces=12, suffix="-2")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("portal:device_detail", args=[large.pk])).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_overview_and_rack_page_show_the_connected_draw_of_own_circuits(acme, alice, client_for):
    from decimal import Decimal

    rack = make_rack(acme, name="C01")
    circuit = make_circuit(rack=rack)
    services.power_circuit_allocate(circuit=circuit, company=acme, kw=Decimal("2.00"))
    port = make_power_port(make_device(acme, name="acme-web"), "PSU1", watts=250)
    services.power_port_connect(power_port=port, outlet=make_pdu(circuit).outlets.first())
    client = client_for(alice)
    overview = client.get(reverse("portal:network")).content.decode()
    assert "<td>0.25 kW</td>" in overview and "<td>2.00 kW</td>" in overview
    rack_page = client.get(reverse("portal:rack_detail", args=[rack.pk])).content.decode()
    assert "0.25 kW connected" in rack_page
