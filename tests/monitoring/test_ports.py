"""The one tenancy path of ports: own devices, switch ports cabled to them, switch ports of their services."""

from django.urls import reverse
from django.utils import timezone

from core.tenancy import for_user
from dcim.models import Interface
from monitoring.models import InterfaceState
from monitoring.ports import company_interfaces
from tests.monitoring.factories import cabled_server, make_device, make_interface, switch, transit_service
from tests.monitoring.rrdmonth import interface_file, write_samples


def _setup(acme, globex):
    sw = switch()
    own = make_interface(make_device(acme, name="acme-fw"), name="wan")
    _nic, cabled = cabled_server(acme, sw, port_name="Gi1/0/1")
    delivered = make_interface(sw, name="Te1/1/1")
    transit_service(acme, [delivered])
    _other_nic, foreign = cabled_server(globex, sw, port_name="Gi1/0/2")
    foreign_service_port = make_interface(sw, name="Te1/1/2")
    transit_service(globex, [foreign_service_port])
    idle = make_interface(sw, name="Gi1/0/48")
    return {
        "own": own,
        "cabled": cabled,
        "delivered": delivered,
        "foreign": foreign,
        "foreign_service": foreign_service_port,
        "idle": idle,
    }


def test_company_ports(db, acme, globex, alice, bob):
    ports = _setup(acme, globex)
    acme_ports = {ports["own"].pk, ports["cabled"].pk, ports["delivered"].pk}
    # The customer's server NIC is its own device's port too.
    assert acme_ports <= set(company_interfaces(acme).values_list("pk", flat=True))
    assert ports["foreign"].pk not in set(company_interfaces(acme).values_list("pk", flat=True))
    visible = set(for_user(Interface, alice).values_list("pk", flat=True))
    assert acme_ports <= visible
    assert not visible & {ports["foreign"].pk, ports["foreign_service"].pk, ports["idle"].pk}
    assert for_user(Interface, alice).count() == len(visible)  # no duplicates from the joins
    bob_visible = set(for_user(Interface, bob).values_list("pk", flat=True))
    assert {ports["foreign"].pk, ports["foreign_service"].pk} <= bob_visible
    assert not bob_visible & acme_ports


def test_service_end_and_uncabling_hand_the_port_back(db, acme, globex, alice):
    from dcim.models import Cable
    from dcim.services import cable_disconnect

    ports = _setup(acme, globex)
    service = ports["delivered"].services.get()
    type(service).objects.filter(pk=service.pk).update(status="terminated")
    cable_disconnect(cable=Cable.objects.get(a_interface=ports["cabled"]))
    visible = set(for_user(Interface, alice).values_list("pk", flat=True))
    assert ports["delivered"].pk not in visible and ports["cabled"].pk not in visible
    assert ports["own"].pk in visible


def test_states_api_and_graphs_follow_the_path(db, acme, globex, alice, client_for, settings, tmp_path):
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    ports = _setup(acme, globex)
    for key in ("cabled", "delivered", "foreign"):
        InterfaceState.objects.create(interface=ports[key], oper_status="up", in_bps=5e6, rates_at=timezone.now())
        start = int(timezone.now().timestamp()) // 300 * 300 - 86400
        write_samples(interface_file(settings, ports[key]), start=start, in_rates=[1e6] * 288, out_rates=[2e6] * 288)
    client = client_for(alice)
    api = client.get("/api/monitoring/interface-states/").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert {row["interface"] for row in rows} == {ports["cabled"].pk, ports["delivered"].pk}
    page = client.get(reverse("portal:bandwidth"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Gi1/0/1" in text and "Te1/1/1" in text and "Gi1/0/2" not in text
    own_graph = reverse("monitoring:interface_graph", args=[ports["cabled"].pk, "day", "png"])
    assert client.get(own_graph).status_code == 200
    foreign_graph = reverse("monitoring:interface_graph", args=[ports["foreign"].pk, "day", "png"])
    assert client.get(foreign_graph).status_code == 404
    assert client.get(reverse("portal:bandwidth_interface", args=[ports["foreign"].pk])).status_code == 404
    assert client.get(reverse("portal:bandwidth_interface", args=[ports["cabled"].pk])).status_code == 200
