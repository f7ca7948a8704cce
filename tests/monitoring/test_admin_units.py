"""The interface state admin shows rates in human units, not raw floats."""

import pytest
from django.urls import reverse

import tests.factories  # noqa: F401 - registers the factories in their order (they import each other)
from monitoring.models import InterfaceState
from tests.dcim.factories import make_device, make_interface

pytestmark = pytest.mark.django_db


def test_interface_state_pages_show_bitrates(superuser, acme, client_for):
    interface = make_interface(make_device(acme, name="web-01"), "eth0")
    state = InterfaceState.objects.create(
        interface=interface, oper_status="up", in_bps=12_345_678.9, out_bps=499995.86666666664, commit_mbps=100
    )
    client = client_for(superuser)
    listing = client.get(reverse("admin:monitoring_interfacestate_changelist")).content.decode()
    assert "500 kbit/s" in listing and "12.3 Mbit/s" in listing and "100 Mbit/s" in listing
    change = client.get(reverse("admin:monitoring_interfacestate_change", args=[state.pk])).content.decode()
    assert "500 kbit/s" in change and "499995.8" not in change and "499995.8" not in listing
