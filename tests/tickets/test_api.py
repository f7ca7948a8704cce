"""API: customers open tickets and reply through the services; other companies' tickets answer 404."""

import pytest

from tests.core.test_api_tenancy import token_client
from tests.tickets.factories import make_ticket
from tickets.choices import MessageSource
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_customer_opens_a_ticket(acme, alice):
    response = token_client(alice).post(
        "/api/tickets/tickets/",
        {"company": acme.pk, "subject": "Reboot web-01", "body": "It hangs.", "priority": "high"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.requester == alice and ticket.number == response.json()["number"]
    assert ticket.messages.get().source == MessageSource.API
    assert ticket.sla_policy is not None and "body" not in response.json()


def test_customer_cannot_open_for_another_company(acme, globex, alice):
    response = token_client(alice).post(
        "/api/tickets/tickets/", {"company": globex.pk, "subject": "x", "body": "y"}, format="json"
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_customer_cannot_change_a_ticket(acme, alice):
    ticket = make_ticket(acme, requester=alice)
    response = token_client(alice).patch(f"/api/tickets/tickets/{ticket.pk}/", {"status": "resolved"}, format="json")
    assert response.status_code == 403


def test_staff_changes_status_through_the_service(acme, alice, superuser):
    ticket = make_ticket(acme, requester=alice)
    response = token_client(superuser).patch(
        f"/api/tickets/tickets/{ticket.pk}/", {"status": "waiting_customer"}, format="json"
    )
    assert response.status_code == 200, response.json()
    ticket.refresh_from_db()
    assert ticket.status == "waiting_customer" and ticket.sla_paused_since is not None


def test_reply_through_the_api_and_400_for_other_company(acme, globex, alice, bob):
    ours = make_ticket(acme, requester=alice)
    theirs = make_ticket(globex, requester=bob)
    client = token_client(alice)
    assert client.post("/api/tickets/messages/", {"ticket": ours.pk, "body": "more"}, format="json").status_code == 201
    # Another company's ticket looks like a missing one: "Invalid pk" (tests/core/test_api_serializers.py).
    assert client.post("/api/tickets/messages/", {"ticket": theirs.pk, "body": "x"}, format="json").status_code == 400
    assert theirs.messages.count() == 1


def test_staff_internal_note_through_the_api(acme, alice, superuser):
    ticket = make_ticket(acme, requester=alice)
    response = token_client(superuser).post(
        "/api/tickets/messages/", {"ticket": ticket.pk, "body": "note", "is_internal": True}, format="json"
    )
    assert response.status_code == 201 and response.json()["is_internal"] is True
    assert token_client(alice).get("/api/tickets/messages/").json()["count"] == 1
