"""Query counts of the pages that grow with the datacenter stay the same at two data sizes."""

import ipaddress

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dcim import services
from dcim.choices import RackFace
from dcim.elevation import rack_elevation_svg
from tests.dcim.factories import make_device, make_interface, make_rack

pytestmark = pytest.mark.django_db


def add_hardware(companies, *, count: int, start: int, rack, first_u: int = 1):
    """``count`` devices of alternating customers, the first few racked, each with two interfaces and an address."""
    from ipam.addressing import to_hex
    from ipam.models import Assignment

    for number in range(start, start + count):
        company = companies[number % len(companies)]
        device = make_device(company, name=f"srv{number:04d}", management_ip=f"172.16.0.{number}")
        device.tags.add(f"tag{number % 3}")
        if number - start < 4:
            services.device_place(device=device, rack=rack, position=first_u + 2 * (number - start))
        eth0 = make_interface(device, "eth0")
        make_interface(device, "eth1")
        address = ipaddress.IPv4Address("10.64.0.0") + number
        Assignment.objects.create(
            network=f"{address}/32",
            family=4,
            start=to_hex(address),
            end=to_hex(address),
            interface=eth0,
            company=company,
            started_at=timezone.now(),
        )


def count_queries(function) -> int:
    function()  # warm sessions, content types and compiled templates
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_device_list_elevation_and_ip_search_cost_the_same_at_two_sizes(acme, globex, superuser, client_for):
    client = client_for(superuser)
    rack = make_rack(name="B04")
    other_rack = make_rack(name="B05")
    add_hardware([acme, globex, None], count=3, start=1, rack=rack)

    def ok(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200
        return response

    def interface_ip_search():
        response = ok(reverse("admin:dcim_device_hardware_search"), {"ip": "10.64.0.2"})
        assert [device.name for device in response.context["shown"]] == ["srv0002"]

    pages = {
        "admin device list": lambda: ok(reverse("admin:dcim_device_changelist")),
        "API device list": lambda: ok("/api/dcim/devices/"),
        "admin rack elevation": lambda: ok(reverse("admin:dcim_rack_elevation_page", args=[rack.pk])),
        "elevation SVG": lambda: rack_elevation_svg(rack, face=RackFace.FRONT),
        "IP search (interface address)": interface_ip_search,
        "IP search (management address)": lambda: ok(
            reverse("admin:dcim_device_hardware_search"), {"ip": "172.16.0.3"}
        ),
    }
    small = {name: count_queries(page) for name, page in pages.items()}
    add_hardware([acme, globex, None], count=4, start=100, rack=rack, first_u=20)
    add_hardware([acme, globex, None], count=20, start=200, rack=other_rack)
    large = {name: count_queries(page) for name, page in pages.items()}
    assert large == small


def test_portal_rack_page_costs_the_same_at_two_sizes(acme, alice, client_for):
    client = client_for(alice)
    rack = make_rack(acme, name="C01")
    add_hardware([acme], count=2, start=1, rack=rack)

    def page():
        assert client.get(reverse("portal:rack_detail", args=[rack.pk])).status_code == 200

    small = count_queries(page)
    add_hardware([acme], count=12, start=50, rack=rack, first_u=20)
    assert count_queries(page) == small
