"""Admin: queue views, bulk actions through the services, the thread inline with notes and canned replies."""

import pytest
from django.urls import reverse

from tests.tickets.factories import make_ticket
from tickets.models import CannedReply, Message, Ticket

pytestmark = pytest.mark.django_db


def test_my_tickets_view_and_bulk_claim(acme, alice, tech, client_for):
    first, second = make_ticket(acme, requester=alice), make_ticket(acme, requester=alice)
    client = client_for(tech)
    url = reverse("admin:tickets_ticket_changelist")
    response = client.post(url, {"action": "claim_selected", "_selected_action": [first.pk, second.pk]})
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {tech.pk}
    mine = client.get(url, {"view": "mine"})
    assert mine.status_code == 200 and first.number.encode() in mine.content
    client.post(url, {"action": "mark_waiting", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == "waiting_customer" and first.sla_paused_since is not None


def test_bulk_assign_to_a_technician_and_a_queue(acme, alice, tech, superuser, client_for):
    from tickets.models import Queue

    tickets = [make_ticket(acme, requester=alice) for _ in range(2)]
    noc = Queue.objects.get(slug="noc")
    response = client_for(superuser).post(
        reverse("admin:tickets_ticket_changelist"),
        {
            "action": "assign_selected",
            "technician": tech.pk,
            "queue": noc.pk,
            "_selected_action": [t.pk for t in tickets],
        },
    )
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("assignee", "queue")) == {(tech.pk, noc.pk)}


def _inline_post(ticket, **message):
    data = {
        "subject": ticket.subject,
        "cc_users": [],
        "queue": ticket.queue_id,
        "category": ticket.category,
        "priority": ticket.priority,
        "status": ticket.status,
        "assignee": "",
        "device": "",
        "description": "",
        "comments": "",
    }
    existing = list(ticket.messages.all())
    for prefix, count in (("messages", len(existing)), ("time_entries", 0), ("parts", 0)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": count + (1 if prefix == "messages" else 0),
                f"{prefix}-INITIAL_FORMS": count,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    for index, existing_message in enumerate(existing):
        data[f"messages-{index}-id"] = existing_message.pk
        data[f"messages-{index}-ticket"] = ticket.pk
    index = len(existing)
    data[f"messages-{index}-ticket"] = ticket.pk
    for key, value in message.items():
        data[f"messages-{index}-{key}"] = value
    return data


def test_reply_and_internal_note_from_the_change_page(acme, alice, tech, client_for):
    ticket = make_ticket(acme, requester=alice)
    client = client_for(tech)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    canned = CannedReply.objects.get(title="Need more information")
    response = client.post(url, _inline_post(ticket, body="", canned_reply=canned.pk))
    assert response.status_code == 302, response.content[:2000]
    reply = Message.objects.filter(ticket=ticket).latest("pk")
    assert not reply.is_internal and ticket.number in reply.body and "{requester}" not in reply.body
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    client.post(url, _inline_post(ticket, body="Check the PDU first", is_internal="on"))
    note = Message.objects.filter(ticket=ticket).latest("pk")
    assert note.is_internal and note.body == "Check the PDU first"
    page = client.get(url)
    assert b"Internal note" in page.content and b"Check the PDU first" in page.content
