"""Internal notes never reach a customer: not in the portal, the API, or any e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.core.test_api_tenancy import token_client
from tests.tickets.factories import make_ticket, png_upload
from tickets import services

pytestmark = pytest.mark.django_db
SECRET = "Root password of the BMC is hunter2"


@pytest.fixture
def noted(acme, alice, tech, django_capture_on_commit_callbacks):
    ticket = make_ticket(acme, requester=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, author=tech, body="We are on it.")
        note = services.ticket_add_internal_note(ticket=ticket, author=tech, body=SECRET, attachments=[png_upload()])
    return ticket, note


def test_not_in_any_email(noted):
    assert mail.outbox
    for message in mail.outbox:
        assert SECRET not in message.body and SECRET not in message.subject


def test_not_in_the_portal(noted, alice, client_for):
    ticket, note = noted
    page = client_for(alice).get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert page.status_code == 200
    assert b"We are on it." in page.content and SECRET.encode() not in page.content
    attachment = note.attachments.get()
    for name in ("portal:ticket_attachment", "portal:ticket_attachment_preview"):
        response = client_for(alice).get(reverse(name, args=[ticket.pk, attachment.pk]))
        assert response.status_code == 404


def test_not_in_the_api(noted, alice):
    ticket, note = noted
    client = token_client(alice)
    rows = client.get("/api/tickets/messages/", {"ticket": ticket.pk}).json()["results"]
    assert sorted(row["body"] for row in rows) == ["It stopped after a kernel update.", "We are on it."]
    assert all(SECRET not in row["body"] for row in rows)
    assert client.get("/api/tickets/messages/", {"is_internal": "true"}).json()["results"] == []
    assert client.get(f"/api/tickets/messages/{note.pk}/").status_code == 404
    attachment = note.attachments.get()
    assert client.get(f"/api/tickets/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/api/tickets/attachments/{attachment.pk}/download/").status_code == 404


def test_staff_see_notes_in_api_and_admin(noted, superuser, client_for):
    ticket, note = noted
    rows = token_client(superuser).get("/api/tickets/messages/", {"ticket": ticket.pk}).json()["results"]
    assert SECRET in [row["body"] for row in rows]
    page = client_for(superuser).get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert page.status_code == 200 and SECRET.encode() in page.content


def test_customer_cannot_write_a_note(alice, acme):
    ticket = make_ticket(acme, requester=alice)
    response = token_client(alice).post(
        "/api/tickets/messages/", {"ticket": ticket.pk, "body": "sneaky", "is_internal": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["is_internal"] is False
