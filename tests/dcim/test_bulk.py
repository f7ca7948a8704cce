"""Bulk changes of devices and interfaces: all rows or none, each refusal naming the row and what collides."""

import pytest
from django.core.exceptions import ValidationError

from dcim import services
from dcim.choices import DeviceStatus, InterfaceType
from dcim.models import Cable, Device, Interface, PowerOutlet
from tests.dcim.factories import make_circuit, make_device, make_interface, make_pdu, make_power_port, make_rack, site

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_set_status_refuses_putting_a_rented_server_back_to_inventory_and_saves_nothing(acme):
    own = make_device(None, name="spare1", status=DeviceStatus.STAGED)
    rented = make_device(None, name="dedi1", status=DeviceStatus.ACTIVE)
    services.device_assign(device=rented, company=acme)
    with pytest.raises(ValidationError) as error:
        services.device_bulk_set_status(devices=Device.objects.filter(pk__in=[own.pk, rented.pk]), status="inventory")
    assert "dedi1 is rented to Acme Hosting; return it to stock after its wipe instead." in messages(error.value)
    assert Device.objects.get(pk=own.pk).status == DeviceStatus.STAGED
    assert services.device_bulk_set_status(devices=[own], status=DeviceStatus.FAULTY) == 1
    assert Device.objects.get(pk=own.pk).status == DeviceStatus.FAULTY
    with pytest.raises(ValidationError, match="bogus is not a device status"):
        services.device_bulk_set_status(devices=[own], status="bogus")


def test_move_clears_positions_and_respects_rack_owners(acme, globex):
    rack = make_rack(name="B04")
    acme_rack = make_rack(acme, name="C01")
    placed = make_device(acme, name="web01")
    services.device_place(device=placed, rack=rack, position=10)
    other = make_device(globex, name="globex1")
    with pytest.raises(ValidationError) as error:
        services.device_bulk_move(devices=[placed, other], site=site(), rack=acme_rack)
    assert "Rack C01 belongs to Acme Hosting; globex1 is Globex's." in messages(error.value)
    assert Device.objects.get(pk=placed.pk).position == 10
    assert services.device_bulk_move(devices=[placed], site=site(), rack=acme_rack) == 1
    moved = Device.objects.get(pk=placed.pk)
    assert (moved.rack, moved.position, moved.site) == (acme_rack, None, site())


def test_move_refuses_a_rack_of_another_site(acme):
    from dcim.models import Site

    elsewhere = Site.objects.create(name="Frankfurt 1", slug="fra-1")
    with pytest.raises(ValidationError, match="Rack B04 is in Ashburn 1, not in Frankfurt 1"):
        services.device_bulk_move(devices=[make_device(acme)], site=elsewhere, rack=make_rack(name="B04"))


def test_add_tag(acme):
    devices = [make_device(acme), make_device(acme)]
    assert services.device_bulk_add_tag(devices=devices, tag=" core ") == 2
    assert Device.objects.filter(tags__name="core").count() == 2
    with pytest.raises(ValidationError, match="Give the tag"):
        services.device_bulk_add_tag(devices=devices, tag=" ")


def test_decommission_unracks_unplugs_and_uncables(acme):
    rack = make_rack(name="B04")
    server = make_device(acme, name="colo1")
    services.device_place(device=server, rack=rack, position=3)
    pdu = make_pdu(make_circuit(), name="pdu1")
    services.power_port_connect(power_port=make_power_port(server, "PSU1", watts=100), outlet=pdu.outlets.first())
    services.cable_connect(a=make_interface(server, "eth0"), b=make_interface(make_device(None, name="sw1"), "swp1"))
    assert services.device_bulk_decommission(devices=[server]) == 1
    server.refresh_from_db()
    assert (server.status, server.rack, server.position) == (DeviceStatus.DECOMMISSIONED, None, None)
    assert not PowerOutlet.objects.filter(power_port__device=server).exists()
    assert not Cable.objects.exists()


def test_decommission_refuses_rented_servers_and_busy_pdus_and_changes_nothing(acme):
    rented = make_device(None, name="dedi1")
    services.device_assign(device=rented, company=acme)
    pdu = make_pdu(make_circuit(), name="pdu1")
    services.power_port_connect(
        power_port=make_power_port(make_device(acme, name="web01"), "PSU1", watts=100), outlet=pdu.outlets.first()
    )
    spare = make_device(None, name="spare")
    with pytest.raises(ValidationError) as error:
        services.device_bulk_decommission(devices=[rented, pdu, spare])
    text = messages(error.value)
    assert "dedi1 is rented to Acme Hosting; return it to stock first." in text
    assert "pdu1 still powers web01 PSU1 (outlet 1); move its power first." in text
    assert Device.objects.filter(status=DeviceStatus.DECOMMISSIONED).count() == 0
    # Setting the status to decommissioned goes through the same rules.
    with pytest.raises(ValidationError, match="dedi1 is rented"):
        services.device_bulk_set_status(devices=[rented, spare], status=DeviceStatus.DECOMMISSIONED)
    assert Device.objects.get(pk=spare.pk).status == DeviceStatus.INVENTORY


def test_interfaces_enable_and_disable_all_or_nothing(acme):
    server = make_device(acme, name="web01")
    eth0, eth1 = make_interface(server, "eth0"), make_interface(server, "eth1")
    front = make_interface(make_device(None, name="pp1"), "front1", type=InterfaceType.FRONT_PORT)
    with pytest.raises(ValidationError, match="pp1 front1 is a passive patch panel port"):
        services.interface_bulk_set_enabled(interfaces=[eth0, eth1, front], enabled=False)
    assert Interface.objects.filter(enabled=False).count() == 0
    assert services.interface_bulk_set_enabled(interfaces=Interface.objects.filter(device=server), enabled=False) == 2
    assert set(Interface.objects.filter(enabled=False)) == {eth0, eth1}
