"""Inbound e-mail: a customer's answer becomes a reply on the ticket named by the signed reference."""

import io
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests.tickets.factories import make_ticket
from tickets import emails
from tickets.choices import MessageSource, TicketStatus
from tickets.models import Message

pytestmark = pytest.mark.django_db


def _email(*, sender: str, subject: str, body: str, to: str = "support@serverstock.example") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return bytes(message)


def _run(raw: bytes, tmp_path) -> str:
    path = tmp_path / "message.eml"
    path.write_bytes(raw)
    out = io.StringIO()
    call_command("tickets_inbound", str(path), stdout=out)
    return out.getvalue()


def test_reply_matched_by_the_subject_reference(acme, alice, tech, tmp_path, django_capture_on_commit_callbacks):
    ticket = make_ticket(acme, requester=alice)
    with django_capture_on_commit_callbacks(execute=True):
        from tickets import services

        services.ticket_reply(ticket=ticket, author=tech, body="Which server?")
    notice = mail.outbox[-1]
    assert emails.ticket_reference(ticket) in notice.subject
    assert notice.reply_to == [emails.reply_address(ticket)]
    raw = _email(
        sender=f"Alice <{alice.email}>",
        subject=f"Re: {notice.subject}",
        body="It is web-03.\n\nOn Mon, 4 May 2026 support wrote:\n> Which server?\n",
    )
    output = _run(raw, tmp_path)
    assert ticket.number in output
    reply = Message.objects.filter(ticket=ticket).latest("pk")
    assert reply.author == alice and reply.source == MessageSource.EMAIL
    assert reply.body == "It is web-03." and not reply.is_internal


def test_reply_matched_by_the_reply_to_address(acme, alice, tech, tmp_path):
    ticket = make_ticket(acme, requester=alice)
    from tickets import services

    services.ticket_set_status(ticket=ticket, status=TicketStatus.WAITING_ON_CUSTOMER, actor=tech)
    _run(_email(sender=alice.email, subject="my answer", body="Done.", to=emails.reply_address(ticket)), tmp_path)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.messages.latest("pk").body == "Done."


def test_bad_signature_is_refused(acme, alice, tmp_path):
    ticket = make_ticket(acme, requester=alice)
    forged = f"{ticket.number}.AAAAAAAAAAAAAAAAAAAAAAAAAAA"
    with pytest.raises(CommandError, match="bad signature"):
        _run(_email(sender=alice.email, subject=f"Re: [{forged}] hi", body="x"), tmp_path)
    # A valid signature for another number does not open this one either.
    other = emails._signer().sign("T999999").split(".", 1)[1]
    with pytest.raises(CommandError, match="bad signature"):
        _run(_email(sender=alice.email, subject=f"[{ticket.number}.{other}]", body="x"), tmp_path)
    assert ticket.messages.count() == 1


def test_sender_of_another_company_is_refused(acme, alice, bob, tmp_path):
    ticket = make_ticket(acme, requester=alice)
    subject = f"Re: [{emails.ticket_reference(ticket)}] hi"
    with pytest.raises(CommandError, match="may not reply"):
        _run(_email(sender=bob.email, subject=subject, body="hijack"), tmp_path)
    with pytest.raises(CommandError, match="No ticket reference"):
        _run(_email(sender=alice.email, subject="hello", body="x"), tmp_path)
