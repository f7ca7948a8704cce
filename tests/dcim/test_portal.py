"""The customer's view of racks, devices, cross-connects and power: own company only, constant queries."""

import pytest
from django.urls import reverse

from dcim import services
from dcim.models import SecretReveal
from tests.dcim.factories import cross_connect_for, make_circuit, make_device, make_rack

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


def test_overview_queries_do_not_grow(acme, alice, client_for, django_assert_max_num_queries):
    client = client_for(alice)
    for _ in range(5):
        make_device(acme, rack=None)
        make_rack(acme)
        cross_connect_for(acme)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:network")).status_code == 200


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
