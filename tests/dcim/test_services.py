"""Placement, reservations, cables, power budgets, secret reveal and resale."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.choices import CompanyRole
from dcim import services
from dcim.choices import DeviceStatus, RackFace, SecretField
from dcim.models import Cable, Device, PowerOutlet, SecretReveal
from dcim.selectors import server_stock
from tests.accounts.factories import MembershipFactory, UserFactory, staff_member
from tests.dcim.factories import (
    device_type,
    make_circuit,
    make_device,
    make_interface,
    make_pdu,
    make_power_port,
    make_rack,
)

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- placement -------------------------------------------------------------------------------------------


def test_device_is_placed_and_takes_its_units(acme):
    rack = make_rack(name="B04")
    device = make_device(acme, dtype=device_type("2U box", u_height=2))
    services.device_place(device=device, rack=rack, position=12)
    device.refresh_from_db()
    assert (device.rack, device.position, device.site) == (rack, 12, rack.site)
    assert device.unit_range == "U 12–13"


def test_occupied_units_are_refused_naming_the_device(acme):
    rack = make_rack(name="B04")
    services.device_place(
        device=make_device(acme, name="web01", dtype=device_type("2U", u_height=2)), rack=rack, position=12
    )
    newcomer = make_device(acme, name="web02", dtype=device_type("2U", u_height=2))
    with pytest.raises(ValidationError) as error:
        services.device_place(device=newcomer, rack=rack, position=13)
    assert "U 13 of rack B04 are taken by web01 (U 12–13" in messages(error.value)
    newcomer.refresh_from_db()
    assert newcomer.rack is None


def test_reserved_units_of_another_customer_are_refused(acme, globex):
    rack = make_rack(name="B04")
    services.rack_reserve(rack=rack, company=globex, first_u=12, last_u=13, reason="expansion")
    device = make_device(acme, dtype=device_type("2U", u_height=2))
    with pytest.raises(ValidationError) as error:
        services.device_place(device=device, rack=rack, position=12)
    assert "U 12–13 of rack B04 are reserved for Globex" in messages(error.value)
    # Globex's own device may go there.
    services.device_place(device=make_device(globex, dtype=device_type("2U", u_height=2)), rack=rack, position=12)


def test_units_outside_the_rack_are_refused(acme):
    rack = make_rack(name="B04", u_height=42)
    with pytest.raises(ValidationError) as error:
        services.device_place(device=make_device(acme, dtype=device_type("2U", u_height=2)), rack=rack, position=42)
    assert "U 42–43 is outside rack B04" in messages(error.value)


def test_half_depth_devices_share_units_front_and_rear(acme):
    rack = make_rack(name="B04")
    half = device_type("half", full_depth=False)
    services.device_place(device=make_device(acme, dtype=half), rack=rack, position=5, face=RackFace.FRONT)
    services.device_place(device=make_device(acme, dtype=half), rack=rack, position=5, face=RackFace.REAR)
    with pytest.raises(ValidationError):
        services.device_place(device=make_device(acme, dtype=device_type("full")), rack=rack, position=5)


def test_a_customer_rack_refuses_other_customers_devices(acme, globex):
    rack = make_rack(acme, name="A01")
    with pytest.raises(ValidationError) as error:
        services.device_place(device=make_device(globex), rack=rack, position=1)
    assert "Rack A01 belongs to Acme Hosting" in messages(error.value)


def test_device_create_builds_interfaces_from_template():
    dtype = device_type(
        "switch48", interface_template=[{"name": "swp1", "type": "10gbase-x-sfpp", "speed": 10000}, {"name": "mgmt0"}]
    )
    device = services.device_create(name="sw01", device_type=dtype)
    assert sorted(device.interfaces.values_list("name", flat=True)) == ["mgmt0", "swp1"]
    assert device.interfaces.get(name="swp1").speed == 10000


# --- reservations ----------------------------------------------------------------------------------------


def test_overlapping_reservation_is_refused(acme, globex):
    rack = make_rack(name="C01")
    services.rack_reserve(rack=rack, company=globex, first_u=10, last_u=14)
    with pytest.raises(ValidationError) as error:
        services.rack_reserve(rack=rack, company=acme, first_u=14, last_u=16)
    assert "U 14 of rack C01 are already reserved for Globex" in messages(error.value)


def test_reservation_over_someone_elses_device_is_refused(acme, globex):
    rack = make_rack(name="C01")
    services.device_place(device=make_device(acme, name="db1"), rack=rack, position=20)
    with pytest.raises(ValidationError) as error:
        services.rack_reserve(rack=rack, company=globex, first_u=18, last_u=22)
    assert "U 20 of rack C01 hold db1 (Acme Hosting)" in messages(error.value)


# --- cables ----------------------------------------------------------------------------------------------


def test_interface_cannot_take_two_cables(acme):
    server = make_device(acme, name="web01")
    switch = make_device(None, name="sw01")
    eth0, swp1, swp2 = make_interface(server, "eth0"), make_interface(switch, "swp1"), make_interface(switch, "swp2")
    services.cable_connect(a=eth0, b=swp1, label="C-1")
    with pytest.raises(ValidationError) as error:
        services.cable_connect(a=swp2, b=eth0)
    assert "web01 eth0 is already connected to sw01 swp1 (cable C-1)" in messages(error.value)
    assert Cable.objects.count() == 1
    with pytest.raises(ValidationError):
        services.cable_connect(a=swp1, b=swp1)


# --- power -----------------------------------------------------------------------------------------------


def test_circuit_capacity_is_80_percent_of_the_breaker():
    circuit = make_circuit(amperage=16, voltage=230)
    assert circuit.rated_kw == Decimal("3.68")
    assert circuit.capacity_kw == Decimal("2.94")
    three = make_circuit(amperage=32, voltage=400, phase="three")
    assert three.capacity_kw == Decimal("17.74")


def test_over_allocation_is_refused(acme):
    circuit = make_circuit(amperage=16, voltage=230)
    with pytest.raises(ValidationError) as error:
        services.power_circuit_allocate(circuit=circuit, company=acme, kw=Decimal("3.00"))
    assert "can carry 2.94 kW" in messages(error.value)
    services.power_circuit_allocate(circuit=circuit, company=acme, kw=Decimal("2.50"))
    circuit.refresh_from_db()
    assert (circuit.company, circuit.allocated_kw) == (acme, Decimal("2.50"))


def test_rack_power_budget_is_enforced(acme, globex):
    rack = make_rack(acme, name="A02", power_budget_kw=Decimal("4.00"))
    services.power_circuit_allocate(circuit=make_circuit(rack=rack), company=acme, kw=Decimal("2.50"))
    with pytest.raises(ValidationError) as error:
        services.power_circuit_allocate(circuit=make_circuit(rack=rack), company=acme, kw=Decimal("2.00"))
    assert "power budget of 4.00 kW and 2.50 kW is allocated already" in messages(error.value)
    taken = make_circuit()
    services.power_circuit_allocate(circuit=taken, company=globex, kw=Decimal("1"))
    with pytest.raises(ValidationError, match="allocated to Globex"):
        services.power_circuit_allocate(circuit=taken, company=acme, kw=Decimal("1"))


def test_outlet_refuses_overload(acme):
    circuit = make_circuit(amperage=2, voltage=230)  # 0.37 kW usable
    pdu = make_pdu(circuit, name="pdu1")
    first, second = (make_power_port(make_device(acme, name=f"web0{n}"), "PSU1", watts=300) for n in (1, 2))
    services.power_port_connect(power_port=first, outlet=pdu.outlets.get(name="1"))
    with pytest.raises(ValidationError) as error:
        services.power_port_connect(power_port=second, outlet=pdu.outlets.get(name="2"))
    assert "Circuit PP-1/" in messages(
        error.value
    ) and "can carry 0.37 kW and 0.30 kW is connected already: web02 PSU1 (300 W) would take it to 0.60 kW" in messages(
        error.value
    )
    assert not PowerOutlet.objects.filter(power_port=second).exists()


# --- secrets ---------------------------------------------------------------------------------------------


def raw_column(device: Device, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM dcim_device WHERE id = %s", [device.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_secrets_are_encrypted_at_rest(acme):
    device = make_device(acme, root_password="hunter2-root", ipmi_password="ipmi-secret", snmp_community="c0mm")
    for column, plain in (
        ("root_password", "hunter2-root"),
        ("ipmi_password", "ipmi-secret"),
        ("snmp_community", "c0mm"),
    ):
        stored = raw_column(device, column)
        assert stored and plain not in stored
    assert Device.objects.get(pk=device.pk).root_password == "hunter2-root"


def test_noc_may_reveal_and_is_audited(acme, noc_user):
    device = make_device(acme, root_password="hunter2-root")
    value = services.device_secret_reveal(
        device=device, field=SecretField.ROOT_PASSWORD, user=noc_user, ip_address="127.0.0.1"
    )
    assert value == "hunter2-root"
    reveal = SecretReveal.objects.get()
    assert (reveal.user, reveal.device, reveal.field, reveal.as_customer) == (noc_user, device, "root_password", False)


def test_staff_without_permission_is_refused_and_nothing_logged(acme):
    support = staff_member(roles=["Support technician"], email="support@serverstock.test")
    device = make_device(acme, root_password="hunter2-root")
    with pytest.raises(PermissionDenied):
        services.device_secret_reveal(device=device, field=SecretField.ROOT_PASSWORD, user=support)
    assert not SecretReveal.objects.exists()


def test_owning_customer_may_reveal_root_password_only(acme, alice, bob):
    device = make_device(acme, root_password="hunter2-root", snmp_community="c0mm")
    assert services.device_secret_reveal(device=device, field=SecretField.ROOT_PASSWORD, user=alice) == "hunter2-root"
    assert SecretReveal.objects.get().as_customer
    with pytest.raises(PermissionDenied):
        services.device_secret_reveal(device=device, field=SecretField.SNMP_COMMUNITY, user=alice)
    with pytest.raises(PermissionDenied):
        services.device_secret_reveal(device=device, field=SecretField.ROOT_PASSWORD, user=bob)
    reader = MembershipFactory(company=acme, user=UserFactory(), role=CompanyRole.READ_ONLY).user
    with pytest.raises(PermissionDenied):
        services.device_secret_reveal(device=device, field=SecretField.ROOT_PASSWORD, user=reader)
    assert SecretReveal.objects.count() == 1


# --- stock and resale ------------------------------------------------------------------------------------


def test_stock_counts_unassigned_inventory_servers_per_type(acme):
    small, big = device_type("S1", memory_gb=64), device_type("L1", memory_gb=512)
    for _ in range(3):
        make_device(None, dtype=small)
    make_device(None, dtype=big)
    make_device(acme, dtype=big)  # customer's own
    make_device(None, dtype=big, status=DeviceStatus.FAULTY)
    rows = {row["slug"]: row for row in server_stock()}
    assert rows["s1"]["available"] == 3
    assert rows["l1"]["available"] == 1
    assert rows["s1"]["device_type"] == "S1"


def test_rented_server_goes_back_to_stock_after_wipe(acme):
    dtype = device_type("S1")
    server = make_device(None, dtype=dtype)
    services.device_assign(device=server, company=acme)
    services.device_secret_set(device=server, field="root_password", value="acme-root")
    assert server_stock() == []
    with pytest.raises(ValidationError, match="Disks securely wiped"):
        services.server_return_to_stock(device=server, checklist={"bios_reset": True})
    checklist = dict.fromkeys(services.WIPE_CHECKLIST, True)
    services.server_return_to_stock(device=server, checklist=checklist, new_ipmi_password="fresh")
    server.refresh_from_db()
    assert (server.company, server.status, server.root_password) == (None, DeviceStatus.INVENTORY, "")
    assert server_stock()[0]["available"] == 1
    assert server.history.filter(company=acme).exists()
