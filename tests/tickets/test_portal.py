"""Portal pages: list, open, thread and reply; escaping; roles; constant queries on the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import CompanyRole
from tests.accounts.factories import MembershipFactory
from tests.tickets.factories import make_ticket, png_upload
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_open_a_remote_hands_ticket_with_an_attachment_and_reply(acme, alice, client_for):
    client = client_for(alice)
    response = client.post(
        reverse("portal:ticket_create"),
        {
            "subject": "Swap the PSU of db-01",
            "category": "remote_hands",
            "priority": "high",
            "body": "PSU 2 shows amber.",
            "attachments": [png_upload("psu.png")],
        },
    )
    ticket = Ticket.objects.get(subject="Swap the PSU of db-01")
    assert response.status_code == 302 and response["Location"] == reverse("portal:ticket_detail", args=[ticket.pk])
    assert ticket.company == acme and ticket.requester == alice and ticket.queue.slug == "noc"
    page = client.get(response["Location"])
    assert b"PSU 2 shows amber." in page.content and b"psu.png" in page.content
    reply = client.post(reverse("portal:ticket_reply", args=[ticket.pk]), {"body": "Spare is in locker 3."})
    assert reply.status_code == 302
    assert ticket.messages.count() == 2


def test_colleagues_can_be_kept_informed(acme, globex, alice, bob, client_for):
    carol = MembershipFactory(company=acme, role=CompanyRole.TECHNICAL).user
    client = client_for(alice)
    form = client.get(reverse("portal:ticket_create")).content.decode()
    assert carol.email in form and bob.email not in form
    data = {"subject": "Cabling", "category": "technical", "priority": "low", "body": "Label the cables"}
    assert client.post(reverse("portal:ticket_create"), {**data, "cc_users": [bob.pk]}).status_code == 400
    assert client.post(reverse("portal:ticket_create"), {**data, "cc_users": [carol.pk]}).status_code == 302
    assert list(Ticket.objects.get(subject="Cabling").cc_users.all()) == [carol]


def test_html_renders_as_text(acme, alice, client_for):
    ticket = make_ticket(
        acme, requester=alice, subject="<script>alert(1)</script>", body="<img src=x onerror=alert(2)>"
    )
    client = client_for(alice)
    for url in (reverse("portal:tickets"), reverse("portal:ticket_detail", args=[ticket.pk])):
        content = client.get(url).content
        assert b"<script>alert(1)</script>" not in content and b"&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert b"<img src=x" not in client.get(reverse("portal:ticket_detail", args=[ticket.pk])).content


def test_read_only_member_sees_but_cannot_open_or_reply(acme, alice, client_for):
    ticket = make_ticket(acme, requester=alice)
    viewer = MembershipFactory(company=acme, role=CompanyRole.READ_ONLY).user
    client = client_for(viewer)
    assert client.get(reverse("portal:ticket_detail", args=[ticket.pk])).status_code == 200
    assert client.get(reverse("portal:ticket_create")).status_code == 403
    assert client.post(reverse("portal:ticket_reply", args=[ticket.pk]), {"body": "hi"}).status_code == 403


def test_reply_to_another_companys_ticket_is_not_found(acme, globex, alice, bob, client_for):
    theirs = make_ticket(globex, requester=bob)
    response = client_for(alice).post(reverse("portal:ticket_reply", args=[theirs.pk]), {"body": "hello"})
    assert response.status_code == 404
    assert theirs.messages.count() == 1


def test_close_from_the_portal(acme, alice, client_for):
    ticket = make_ticket(acme, requester=alice)
    client_for(alice).post(reverse("portal:ticket_close", args=[ticket.pk]))
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_list_queries_do_not_grow_with_rows(acme, alice, tech, client_for):
    client = client_for(alice)
    ticket = make_ticket(acme, requester=alice)
    services.ticket_claim(ticket=ticket, actor=tech)
    url = reverse("portal:tickets")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(4):
        services.ticket_claim(ticket=make_ticket(acme, requester=alice), actor=tech)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_thread_queries_do_not_grow_with_messages(acme, alice, tech, client_for):
    client = client_for(alice)
    ticket = make_ticket(acme, requester=alice, attachments=[png_upload()])
    url = reverse("portal:ticket_detail", args=[ticket.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(3):
        services.ticket_reply(ticket=ticket, author=tech, body=f"answer {number}", attachments=[png_upload()])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
