"""The admin's add buttons, search page, utilisation column and reserve/release actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipam import services
from ipam.choices import IPAddressStatus, PrefixStatus
from ipam.models import IPAddress, Prefix
from tests.ipam.factories import customer_block, documentation_space, justification_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(noc_user, client_for):
    documentation_space()
    return client_for(noc_user)


def test_add_subnet_button_creates_records(staff):
    url = reverse("admin:ipam_prefix_add_subnet")
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"prefix": "192.0.2.0/28", "status": "active", "create_addresses": "on"})
    assert response.status_code == 302
    assert Prefix.objects.get(prefix="192.0.2.0/28").addresses.count() == 14


def test_add_subnet_button_shows_the_reason(staff):
    response = staff.post(reverse("admin:ipam_prefix_add_subnet"), {"prefix": "192.0.2.7/28", "status": "active"})
    assert response.status_code == 200
    assert "did you mean 192.0.2.0/28" in response.content.decode()
    assert not Prefix.objects.exists()


def test_add_ip_and_range_buttons(staff):
    services.prefix_add(prefix="198.51.100.0/24")
    assert staff.post(reverse("admin:ipam_ipaddress_add_address"), {"address": "198.51.100.5"}).status_code == 302
    response = staff.post(reverse("admin:ipam_ipaddress_add_range"), {"start": "198.51.100.10", "end": "198.51.100.19"})
    assert response.status_code == 302
    assert IPAddress.objects.count() == 11
    response = staff.post(reverse("admin:ipam_ipaddress_add_address"), {"address": "198.51.100.5"})
    assert "198.51.100.5 already exists" in response.content.decode()


def test_buttons_refused_to_customers_and_read_only_staff(alice, client_for):
    assert client_for(alice).get(reverse("admin:ipam_prefix_add_subnet")).status_code == 302


def test_search_page(staff, acme):
    services.prefix_add(prefix="203.0.113.0/29")
    services.ip_reserve(address="203.0.113.1", reason="gateway")
    services.ip_assign(address="203.0.113.2", company=acme, justification=justification_for(acme))
    response = staff.get(reverse("admin:ipam_search"), {"q": "203.0.113.0/29"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="reserved"' in body and "gateway" in body
    assert 'data-state="in use"' in body and "Acme Hosting" in body
    assert body.count('data-state="free"') == 4
    assert body.count('data-state="not usable"') == 2  # network and broadcast


def test_reserve_and_release_actions(staff):
    services.prefix_add(prefix="192.0.2.0/29", create_addresses=True)
    record = IPAddress.objects.get(address="192.0.2.3")
    url = reverse("admin:ipam_ipaddress_changelist")
    staff.post(url, {"action": "reserve", "_selected_action": [record.pk], "reason": "NTP appliance"})
    record.refresh_from_db()
    assert record.status == IPAddressStatus.RESERVED and record.current_assignment.reason == "NTP appliance"
    staff.post(url, {"action": "release", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.status == IPAddressStatus.AVAILABLE


def test_assign_detail_action(staff, acme):
    services.prefix_add(prefix="192.0.2.0/29", create_addresses=True)
    record = IPAddress.objects.get(address="192.0.2.2")
    url = reverse("admin:ipam_ipaddress_assign", args=[record.pk])
    response = staff.post(url, {"company": acme.pk, "purpose": "Mail server", "hosts_now": 1, "hosts_in_12_months": 1})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.company == acme and record.current_assignment.justification.purpose == "Mail server"


def test_prefix_changelist_shows_utilisation_in_constant_queries(superuser, client_for, acme):
    documentation_space()
    client = client_for(superuser)
    container = services.prefix_add(prefix="192.0.2.0/24", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="192.0.2.0/26", company=acme, justification=justification_for(acme))
    url = reverse("admin:ipam_prefix_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        body = client.get(url).content.decode()
    assert "25%" in body  # the container: one /26 of four assigned
    container.refresh_from_db()  # the figure is a column kept on write
    assert container.utilisation == 25
    for _ in range(5):
        customer_block(acme)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
