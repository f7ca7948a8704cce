"""The customer's server page: its IP addresses, services, open tickets and graphs, linked both ways, in
constant queries; and the places the remote app fills."""

import ipaddress
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import services as catalog_services
from ipam import services as ipam_services
from monitoring.models import InterfaceState
from tests.catalog.factories import active_service
from tests.dcim.factories import make_device, make_interface
from tests.ipam.factories import customer_block, justification_for
from tests.tickets.factories import make_ticket

pytestmark = pytest.mark.django_db

_hosts = itertools.count(1)


def _server(company, *, extra: int = 0, name: str = "web-01"):
    """A server with a monitored port holding an address, a service holding a block, and tickets on both;
    ``extra`` adds that many more of each."""
    server = make_device(company, name=name)
    for number in range(1 + extra):
        port = make_interface(server, f"eth{number}", speed=1000)
        InterfaceState.objects.create(
            interface=port, oper_status="up", in_bps=2_000_000, out_bps=499995.866, rates_at=timezone.now()
        )
        block = customer_block(company)
        first, _last = block.usable_range()
        ipam_services.ip_assign(
            address=str(ipaddress.IPv4Address(first)),
            company=company,
            interface=port,
            justification=justification_for(company),
        )
        service = active_service(company, label=f"Dedicated {name} {number}")
        catalog_services.service_link_resources(service=service, actor=None, devices=[server])
        ipam_services.ip_assign(
            address=str(ipaddress.IPv4Address(first + 1)),
            company=company,
            service=service,
            justification=justification_for(company),
        )
        make_ticket(company, subject=f"Reboot {name} please {number}", device=server)
        make_ticket(company, subject=f"Invoice question on {name} {number}", service=service)
    return server


def test_server_page_lists_ips_services_tickets_and_graphs(alice, acme, globex, client_for):
    server = _server(acme)
    theirs = _server(globex, name="globex-db")
    make_ticket(acme, subject="Unrelated ticket")
    client = client_for(alice)
    page = client.get(reverse("portal:device_detail", args=[server.pk])).content.decode()
    assignment = server.interfaces.get(name="eth0").ip_assignments.get()
    assert assignment.network in page and "port eth0" in page
    service = server.services.get()
    on_service = str(ipaddress.ip_interface(assignment.network).ip + 1)
    assert on_service in page  # held for the server's service, not configured on a port
    assert reverse("portal:service_detail", args=[service.pk]) in page and service.label in page
    assert "Reboot web-01 please 0" in page and "Invoice question on web-01 0" in page
    assert "Unrelated ticket" not in page and "globex-db" not in page
    assert reverse("portal:bandwidth_interface", args=[server.interfaces.get().pk]) in page
    assert "500 kbit/s" in page and "2 Mbit/s" in page
    assert f"{reverse('portal:ticket_create')}?device={server.pk}" in page
    # The remote app fills the slot: without a BMC address and credentials it says what is missing.
    assert 'id="server-controls"' in page and "web-01 has no IPMI address" in page
    # ...and back: the service page links the server, the ticket page links server and service.
    service_page = client.get(reverse("portal:service_detail", args=[service.pk])).content.decode()
    assert reverse("portal:device_detail", args=[server.pk]) in service_page
    assert "Invoice question on web-01 0" in service_page
    ticket = server.tickets.get()
    ticket_page = client.get(reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    assert reverse("portal:device_detail", args=[server.pk]) in ticket_page
    # The "about this server" link preselects it in the form.
    form = client.get(reverse("portal:ticket_create") + f"?device={server.pk}").content.decode()
    assert f'<option value="{server.pk}" selected>' in form
    foreign = client.get(reverse("portal:ticket_create") + f"?device={theirs.pk}").content.decode()
    assert f'value="{theirs.pk}" selected' not in foreign
    assert client.get(reverse("portal:ticket_create") + "?device=x").status_code == 200


def test_server_page_queries_are_constant(alice, acme, client_for):
    client = client_for(alice)
    small = _server(acme, name="small")
    client.get(reverse("portal:device_detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("portal:device_detail", args=[small.pk])).status_code == 200
    large = _server(acme, extra=5, name="large")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("portal:device_detail", args=[large.pk])).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_remote_app_fills_the_controls_and_sensors_slots(alice, acme, client_for, settings, tmp_path):
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "_server_controls.html").write_text("<p>Power controls of {{ device.name }}</p>")
    (tmp_path / "remote" / "_server_sensors.html").write_text("<p>Sensors of {{ device.name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    server = make_device(acme, name="ipmi-box")
    page = client_for(alice).get(reverse("portal:device_detail", args=[server.pk])).content.decode()
    assert 'id="server-controls"' in page and "Power controls of ipmi-box" in page
    assert "Sensors of ipmi-box" in page
    assert "No addresses are assigned to this server" in page and "No open tickets about this server." in page
