"""Notices are plain text (markup in subjects and bodies stays text), carry the signed reference, and an
inbound answer's attachments go through the same checks as uploads."""

from email.message import EmailMessage

import pytest
from django.core import mail
from django.urls import reverse

from tests.tickets.factories import PNG_BYTES, make_ticket
from tickets import emails, services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def test_markup_stays_text_in_emails_and_admin(
    acme, alice, tech, superuser, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(acme, requester=alice, subject=f"Help {SCRIPT}")
        services.ticket_reply(ticket=ticket, author=tech, body=f"We saw {SCRIPT} & more")
    reply = mail.outbox[-1]
    assert SCRIPT in reply.subject and f"We saw {SCRIPT} & more" in reply.body  # text, not &lt;…&gt;
    assert all(not getattr(message, "alternatives", None) for message in mail.outbox)  # no HTML part at all
    for url in (reverse("admin:tickets_ticket_changelist"), reverse("admin:tickets_ticket_change", args=[ticket.pk])):
        content = client_for(superuser).get(url).content
        assert SCRIPT.encode() not in content


def test_inbound_attachments_are_checked(acme, alice, tmp_path):
    ticket = make_ticket(acme, requester=alice)
    message = EmailMessage()
    message["From"] = alice.email
    message["To"] = emails.reply_address(ticket)
    message["Subject"] = "photo"
    message.set_content("Here is a photo.")
    message.add_attachment(PNG_BYTES, maintype="image", subtype="png", filename="rack.png")
    services.ticket_reply_from_email(raw=bytes(message))
    assert Attachment.objects.get(message__ticket=ticket).original_name == "rack.png"

    liar = EmailMessage()
    liar["From"] = alice.email
    liar["To"] = emails.reply_address(ticket)
    liar["Subject"] = "photo"
    liar.set_content("Another.")
    liar.add_attachment(b"<html>hi</html>", maintype="image", subtype="png", filename="evil.png")
    with pytest.raises(services.InboundRefused, match="does not contain what its name says"):
        services.ticket_reply_from_email(raw=bytes(liar))
    assert ticket.messages.count() == 2
