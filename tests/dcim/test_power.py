"""Power ports: created from templates, one outlet each way, budgets computed from what is plugged in."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dcim import selectors, services
from dcim.models import PowerOutlet, PowerPort
from tests.dcim.factories import device_type, make_circuit, make_device, make_pdu, make_power_port, make_rack

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_device_create_makes_power_ports_from_the_template_or_the_typical_draw():
    templated = device_type(
        "dual-psu",
        power_port_template=[
            {"name": "PSU1", "type": "iec-c14", "maximum_draw": 800, "allocated_draw": 300},
            {"name": "PSU2", "type": "iec-c14", "maximum_draw": 800, "allocated_draw": 300},
        ],
    )
    device = services.device_create(name="web01", device_type=templated)
    ports = list(device.power_ports.order_by("name").values_list("name", "type", "maximum_draw_w", "allocated_draw_w"))
    assert ports == [("PSU1", "iec-c14", 800, 300), ("PSU2", "iec-c14", 800, 300)]
    plain = services.device_create(name="web02", device_type=device_type("plain", power_draw_watts=200))
    assert list(plain.power_ports.values_list("name", "allocated_draw_w")) == [("PSU1", 200)]
    pdu = services.device_create(name="pdu9", device_type=device_type("zero", power_draw_watts=0))
    assert not pdu.power_ports.exists()


def test_allocated_draw_cannot_exceed_the_maximum(acme):
    with pytest.raises(ValidationError, match="350 W is more than the 300 W this supply can draw"):
        services.power_port_create(device=make_device(acme), name="PSU1", maximum_draw_w=300, allocated_draw_w=350)


def test_an_outlet_powers_one_port_and_a_port_takes_one_outlet(acme):
    pdu = make_pdu(make_circuit(), name="pdu-a")
    web01, web02 = make_device(acme, name="web01"), make_device(acme, name="web02")
    first, second = make_power_port(web01, "PSU1", watts=100), make_power_port(web02, "PSU1", watts=100)
    outlet1, outlet2 = pdu.outlets.get(name="1"), pdu.outlets.get(name="2")
    services.power_port_connect(power_port=first, outlet=outlet1)
    with pytest.raises(ValidationError) as error:
        services.power_port_connect(power_port=second, outlet=outlet1)
    assert "Outlet pdu-a 1 already powers web01 PSU1." in messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.power_port_connect(power_port=first, outlet=outlet2)
    assert "web01 PSU1 is already plugged into outlet pdu-a 1." in messages(error.value)
    assert PowerOutlet.objects.get(pk=outlet2.pk).power_port is None
    # Connecting again to the same outlet changes nothing; unplugging frees both.
    services.power_port_connect(power_port=first, outlet=outlet1)
    services.power_port_disconnect(power_port=first)
    services.power_port_connect(power_port=second, outlet=outlet1)
    assert PowerOutlet.objects.get(pk=outlet1.pk).power_port == second


def test_a_circuit_allocated_to_a_customer_feeds_only_that_customer(acme, globex):
    circuit = make_circuit()
    services.power_circuit_allocate(circuit=circuit, company=globex, kw=Decimal("1.00"))
    pdu = make_pdu(circuit, name="pdu-g")
    port = make_power_port(make_device(acme, name="acme-web"), "PSU1", watts=100)
    with pytest.raises(ValidationError) as error:
        services.power_port_connect(power_port=port, outlet=pdu.outlets.get(name="1"))
    assert f"Circuit {circuit} is allocated to Globex; acme-web PSU1 belongs to Acme Hosting." in messages(error.value)


def test_the_customers_contracted_kw_caps_what_it_plugs_in(acme):
    circuit = make_circuit()
    services.power_circuit_allocate(circuit=circuit, company=acme, kw=Decimal("0.50"))
    pdu = make_pdu(circuit, name="pdu-a")
    services.power_port_connect(
        power_port=make_power_port(make_device(acme, name="web01"), "PSU1", watts=300), outlet=pdu.outlets.get(name="1")
    )
    with pytest.raises(ValidationError) as error:
        services.power_port_connect(
            power_port=make_power_port(make_device(acme, name="web02"), "PSU1", watts=300),
            outlet=pdu.outlets.get(name="2"),
        )
    assert (
        f"Acme Hosting has 0.50 kW on circuit {circuit} and 0.30 kW is connected: web02 PSU1 (300 W) would take it "
        "to 0.60 kW." in messages(error.value)
    )
    # Nor may the contract shrink below what is plugged in.
    with pytest.raises(ValidationError, match="0.30 kW is connected to circuit .* already; allocate at least that"):
        services.power_circuit_allocate(circuit=circuit, company=acme, kw=Decimal("0.20"))


def test_the_rack_budget_counts_every_circuit_feeding_it(acme):
    rack = make_rack(name="B04", power_budget_kw=Decimal("0.50"))
    pdu_a = make_pdu(make_circuit(rack=rack), name="pdu-b04-a")
    pdu_b = make_pdu(make_circuit(rack=rack), name="pdu-b04-b")
    server = make_device(acme, name="db1")
    services.power_port_connect(power_port=make_power_port(server, "PSU1", watts=300), outlet=pdu_a.outlets.first())
    with pytest.raises(ValidationError) as error:
        services.power_port_connect(power_port=make_power_port(server, "PSU2", watts=300), outlet=pdu_b.outlets.first())
    assert (
        "Rack B04 has a power budget of 0.50 kW and 0.30 kW is connected: db1 PSU2 (300 W) would take it to 0.60 kW."
        in messages(error.value)
    )


def test_raising_a_plugged_ports_draw_is_checked_again(acme):
    circuit = make_circuit(amperage=2)  # 0.37 kW usable
    pdu = make_pdu(circuit, name="pdu-a")
    port = make_power_port(make_device(acme, name="web01"), "PSU1", watts=200, maximum_draw_w=1000)
    services.power_port_connect(power_port=port, outlet=pdu.outlets.first())
    with pytest.raises(ValidationError, match="web01 PSU1 \\(500 W\\) would take it to 0.50 kW"):
        services.power_port_update(power_port=port, allocated_draw_w=500)
    assert PowerPort.objects.get(pk=port.pk).allocated_draw_w == 200
    services.power_port_update(power_port=port, allocated_draw_w=350)
    assert PowerPort.objects.get(pk=port.pk).allocated_draw_w == 350


def test_power_report_and_rack_power_come_from_connected_ports(acme, globex, django_assert_max_num_queries):
    rack = make_rack(name="A01", power_budget_kw=Decimal("8"))
    circuit = make_circuit(rack=rack)
    services.power_circuit_allocate(circuit=circuit, company=acme, kw=Decimal("2.00"))
    pdu = make_pdu(circuit, name="pdu-a01-a")
    for number in (1, 2):
        port = make_power_port(make_device(acme, name=f"web0{number}"), "PSU1", watts=250)
        services.power_port_connect(power_port=port, outlet=pdu.outlets.get(name=str(number)))
    make_power_port(make_device(globex, name="unplugged"), "PSU1", watts=900)
    with django_assert_max_num_queries(3):
        report = selectors.power_report()
    acme_row = next(row for row in report["companies"] if row["company"] == "Acme Hosting")
    assert (acme_row["allocated_kw"], acme_row["connected_kw"], acme_row["drawn_kw"]) == (
        Decimal("2.00"),
        Decimal("0.50"),
        Decimal("0.50"),
    )
    assert report["racks"][0]["connected_kw"] == Decimal("0.50")
    power = selectors.rack_power(rack)
    assert (power["connected_kw"], power["allocated_kw"]) == (Decimal("0.50"), Decimal("2.00"))


def test_power_report_page_shows_connected_draw(acme, superuser, client_for):
    from django.urls import reverse

    circuit = make_circuit()
    services.power_circuit_allocate(circuit=circuit, company=acme, kw=Decimal("1.5"))
    port = make_power_port(make_device(acme, name="web01"), "PSU1", watts=420)
    services.power_port_connect(power_port=port, outlet=make_pdu(circuit).outlets.first())
    content = client_for(superuser).get(reverse("admin:dcim_powercircuit_power_report")).content.decode()
    assert "Acme Hosting" in content and "0.42" in content


@pytest.mark.django_db(transaction=True)
def test_data_migration_turns_outlet_links_into_power_ports():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("dcim", "0004_power_ports")])
    apps = executor.loader.project_state([("dcim", "0004_power_ports")]).apps
    Manufacturer = apps.get_model("dcim", "Manufacturer")
    DeviceType = apps.get_model("dcim", "DeviceType")
    Device = apps.get_model("dcim", "Device")
    Outlet = apps.get_model("dcim", "PowerOutlet")
    vendor = Manufacturer.objects.create(name="V", slug="v")
    server_type = DeviceType.objects.create(manufacturer=vendor, model="S", slug="s", power_draw_watts=400)
    pdu_type = DeviceType.objects.create(manufacturer=vendor, model="P", slug="p", u_height=0)
    pdu = Device.objects.create(name="pdu1", device_type=pdu_type)
    server = Device.objects.create(name="web01", device_type=server_type)
    Outlet.objects.create(pdu=pdu, name="1", device=server)
    Outlet.objects.create(pdu=pdu, name="2", device=server)
    Outlet.objects.create(pdu=pdu, name="3")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ports = PowerPort.objects.filter(device__name="web01").order_by("name")
    assert [(p.name, p.allocated_draw_w, p.outlet.name) for p in ports] == [("PSU1", 400, "1"), ("PSU2", 400, "2")]
    assert PowerOutlet.objects.get(name="3").power_port is None


def test_outlet_admin_form_refuses_a_double_booked_port(acme, superuser):
    from django.contrib import admin
    from django.test import RequestFactory

    pdu = make_pdu(make_circuit(), name="pdu-a")
    port = make_power_port(make_device(acme, name="web01"), "PSU1", watts=100)
    services.power_port_connect(power_port=port, outlet=pdu.outlets.get(name="1"))
    request = RequestFactory().get("/")
    request.user = superuser
    outlet = pdu.outlets.get(name="2")
    form_class = admin.site._registry[PowerOutlet].get_form(request, outlet)
    form = form_class(data={"pdu": pdu.pk, "name": "2", "feed": "A", "power_port": port.pk}, instance=outlet)
    assert not form.is_valid()
    assert "web01 PSU1 is already plugged into outlet pdu-a 1." in " ".join(form.errors["power_port"])


def test_api_refuses_plugging_a_port_in_twice(acme, superuser, client_for):
    pdu = make_pdu(make_circuit(), name="pdu-a")
    port = make_power_port(make_device(acme, name="web01"), "PSU1", watts=100)
    services.power_port_connect(power_port=port, outlet=pdu.outlets.get(name="1"))
    outlet = pdu.outlets.get(name="2")
    response = client_for(superuser).patch(
        f"/api/dcim/power-outlets/{outlet.pk}/", {"power_port": port.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "web01 PSU1 is already plugged into outlet pdu-a 1." in str(response.json())
    assert PowerOutlet.objects.get(pk=outlet.pk).power_port is None


def test_api_refuses_raising_a_plugged_in_ports_draw_over_the_circuit(acme, superuser, client_for):
    pdu = make_pdu(make_circuit(), name="pdu-a")  # 16 A at 230 V, 80 % usable: 2.944 kW
    port = make_power_port(make_device(acme, name="web01"), "PSU1", watts=100, maximum_draw_w=5000)
    services.power_port_connect(power_port=port, outlet=pdu.outlets.get(name="1"))
    client = client_for(superuser)
    url = f"/api/dcim/power-ports/{port.pk}/"
    response = client.patch(url, {"allocated_draw_w": 4000}, content_type="application/json")
    assert response.status_code == 400
    assert "can carry" in str(response.json()["allocated_draw_w"])
    assert PowerPort.objects.get(pk=port.pk).allocated_draw_w == 100
    assert client.patch(url, {"allocated_draw_w": 250}, content_type="application/json").status_code == 200
    assert PowerPort.objects.get(pk=port.pk).allocated_draw_w == 250
