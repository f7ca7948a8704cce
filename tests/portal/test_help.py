"""Pages that take an action say what happens next; empty lists say what to do."""

import pytest
from django.urls import reverse

from tests.catalog.factories import active_service

pytestmark = pytest.mark.django_db


def test_action_pages_say_what_happens_next(alice, acme, client_for):
    active_service(acme)
    client = client_for(alice)
    expectations = {
        "portal:service_order": "opens a provisioning ticket",
        "portal:service_managed_request": "opens a provisioning ticket",
        "portal:service_ip_request": "provisioning ticket",
        "portal:service_cancel": f"We e-mail a confirmation link to {alice.email}",
        "portal:ticket_create": "Every reply is e-mailed to you",
    }
    for name, text in expectations.items():
        page = client.get(reverse(name)).content.decode()
        assert "What happens next:" in page and text in page, name


def test_empty_lists_say_what_to_do(alice, client_for):
    client = client_for(alice)
    services = client.get(reverse("portal:services")).content.decode()
    assert "No services here yet." in services and reverse("portal:service_order") in services
    tickets = client.get(reverse("portal:tickets")).content.decode()
    assert "No tickets here." in tickets and reverse("portal:ticket_create") in tickets
    ips = client.get(reverse("portal:ips")).content.decode()
    assert reverse("portal:service_ip_request") in ips
    network = client.get(reverse("portal:network")).content.decode()
    assert "Order colocation space" in network and "Ask for one in a ticket" in network
