"""The admin's hardware search: by text, customer, grouping and IP, each result linking to its device page."""

import pytest
from django.urls import reverse

from dcim.choices import DeviceRole
from tests.accounts.factories import staff_member
from tests.dcim.factories import device_type, make_device, make_rack

pytestmark = pytest.mark.django_db

URL = reverse("admin:dcim_device_hardware_search")


@pytest.fixture
def hardware(acme, globex):
    rack = make_rack(name="B04")
    acme_server = make_device(acme, rack=rack, position=1, name="acme-web01", management_ip="203.0.113.7")
    globex_server = make_device(globex, name="globex-db01", ipmi_address="10.0.0.9")
    switch = make_device(name="core-sw1", role=DeviceRole.SWITCH, dtype=device_type("Switch"))
    switch.tags.add("core")
    return acme_server, globex_server, switch


def names(response) -> list[str]:
    return [device.name for device in response.context["shown"]]


def test_search_filters_and_links(superuser, client_for, hardware, acme):
    acme_server, globex_server, switch = hardware
    client = client_for(superuser)
    assert names(client.get(URL, {"company": acme.pk})) == ["acme-web01"]
    assert names(client.get(URL, {"ip": "10.0.0.9"})) == ["globex-db01"]
    assert names(client.get(URL, {"role": DeviceRole.SWITCH})) == ["core-sw1"]
    assert names(client.get(URL, {"tag": "core"})) == ["core-sw1"]
    assert names(client.get(URL, {"rack": acme_server.rack_id})) == ["acme-web01"]
    response = client.get(URL, {"q": "globex"})
    assert names(response) == ["globex-db01"]
    assert reverse("admin:dcim_device_change", args=[globex_server.pk]) in response.content.decode()


def test_empty_form_shows_no_results(superuser, client_for, hardware):
    response = client_for(superuser).get(URL)
    assert response.status_code == 200
    assert response.context["searched"] is False


def test_refused_to_staff_without_device_view(client_for):
    response = client_for(staff_member()).get(URL, {"q": "x"})
    assert response.status_code in (302, 403)


def test_an_address_assigned_to_an_interface_finds_its_device(superuser, client_for, hardware):
    import ipaddress

    from django.utils import timezone

    from ipam.addressing import to_hex
    from ipam.models import Assignment
    from tests.dcim.factories import make_interface

    acme_server = hardware[0]
    value = to_hex(ipaddress.ip_address("198.51.100.20"))
    Assignment.objects.create(
        network="198.51.100.20/32",
        family=4,
        start=value,
        end=value,
        interface=make_interface(acme_server, "eth0"),
        started_at=timezone.now(),
    )
    client = client_for(superuser)
    assert names(client.get(URL, {"ip": "198.51.100.20"})) == ["acme-web01"]
    assert names(client.get(URL, {"q": "198.51.100.20"})) == ["acme-web01"]
    assert names(client.get(URL, {"ip": "198.51.100.21"})) == []
