"""Ticket e-mail: signed references for reply matching, and the notices the services send after commit.

Every notice carries the ticket's signed reference in its subject (``[T100001.Xy…]``) and in its Reply-To
address (``support+T100001.Xy…@…``), so ``manage.py tickets_inbound`` can match an answer to its ticket
and refuse forged ones. Internal notes are never passed to these functions.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

REFERENCE_SALT = "serverstock.tickets.reply"
REFERENCE_PATTERN = re.compile(r"\b(T\d{4,12}\.[A-Za-z0-9_-]{10,})")


def _signer() -> signing.Signer:
    return signing.Signer(salt=REFERENCE_SALT, sep=".")


def ticket_reference(ticket) -> str:
    """The ticket number with a signature, e.g. ``T100001.q3Zr…``."""
    return _signer().sign(ticket.number)


def number_from_reference(reference: str) -> str:
    """The ticket number a reference names; ``signing.BadSignature`` when it was not made by us."""
    return _signer().unsign(reference)


def find_reference(*texts: str) -> str | None:
    """The first reference in a subject or address, if any."""
    for text in texts:
        match = REFERENCE_PATTERN.search(text or "")
        if match:
            return match.group(1)
    return None


def reply_address(ticket) -> str:
    """``support+<reference>@domain`` built from ``TICKET_REPLY_ADDRESS``."""
    local, _at, domain = settings.TICKET_REPLY_ADDRESS.partition("@")
    return f"{local}+{ticket_reference(ticket)}@{domain}"


def customer_recipients(ticket) -> list[str]:
    """The requester and the CC'd contacts who are still active members of the ticket's company."""
    emails = [ticket.requester.email] if ticket.requester.is_active else []
    cc = ticket.cc_users.filter(
        is_active=True, memberships__company=ticket.company, memberships__is_active=True
    ).values_list("email", flat=True)
    for email in cc:
        if email not in emails:
            emails.append(email)
    return emails


def staff_recipients(ticket) -> list[str]:
    """The assignee, else the queue's team address."""
    if ticket.assignee_id and ticket.assignee.is_active:
        return [ticket.assignee.email]
    return [ticket.queue.email] if ticket.queue.email else []


def send_after_commit(*, ticket, recipients: list[str], template: str, context: dict) -> None:
    """Render now (inside the transaction) and send once it commits; one message per recipient."""
    if not recipients:
        return
    context = {"ticket": ticket, "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"), **context}
    subject = render_to_string(f"tickets/email/{template}_subject.txt", context).strip().replace("\n", " ")
    subject = f"[{ticket_reference(ticket)}] {subject}"
    body = render_to_string(f"tickets/email/{template}.txt", context)
    reply_to = [reply_address(ticket)]
    messages = [EmailMessage(subject, body, None, [address], reply_to=reply_to) for address in recipients]

    def send():
        for message in messages:
            message.send()

    transaction.on_commit(send)
