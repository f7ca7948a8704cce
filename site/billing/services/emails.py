"""Invoice e-mails: the invoice with its PDF attached (on finalisation, and again from the admin), and payment
reminders before and after the due date. Every e-mail sent is recorded (``InvoiceEmail``: when, to whom, by
whom); a reminder is recorded under its step, once per invoice and step.

Sent through the project's default mailer (``MAILERS``): files under ``var/mail/`` by default, SMTP in
production. Rendering the PDF costs about half a second, so these run in django-q2 workers
(``billing.tasks``), never inside a billing run or a request loop.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceEmail
from core.branding import provider_branding
from core.money import format_money

logger = logging.getLogger(__name__)


def invoice_recipients(invoice: Invoice) -> list[str]:
    """Where the company's invoices go: the billing profile's e-mail and further recipients."""
    from billing.services import billing_profile_for

    return billing_profile_for(company=invoice.company).recipients


def _pdf_bytes(invoice: Invoice) -> bytes:
    """The stored PDF, rendered and stored first if the worker has not done it yet."""
    from billing.services import invoice_pdf_render

    pdf = invoice.pdf_or_none
    if pdf is None or not pdf.file:
        pdf = invoice_pdf_render(invoice=invoice)
    with pdf.file.open("rb") as handle:
        return handle.read()


def _message(invoice: Invoice, *, template: str, recipients: list[str], context: dict) -> EmailMessage:
    provider = provider_branding()
    context = {
        "invoice": invoice,
        "provider": provider,
        "balance": format_money(invoice.balance_due, invoice.currency),
        "total": format_money(invoice.total, invoice.currency),
        "portal_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/portal/billing/",
        **context,
    }
    subject = render_to_string(f"billing/email/{template}_subject.txt", context).strip().replace("\n", " ")
    body = render_to_string(f"billing/email/{template}.txt", context)
    message = EmailMessage(subject[:300], body, None, recipients, reply_to=[provider["email"]])
    message.attach(f"{invoice.number}.pdf", _pdf_bytes(invoice), "application/pdf")
    return message


def invoice_send_check(*, invoice: Invoice) -> None:
    """Whether ``invoice`` can be e-mailed: finalised (``Invoice.is_sendable``) and with somewhere to go."""
    if not invoice.is_sendable:
        raise ValidationError(
            _("Only finalised invoices are sent; %(invoice)s is %(status)s.")
            % {"invoice": invoice, "status": invoice.get_status_display().lower()}
        )
    if not invoice_recipients(invoice):
        raise ValidationError(
            _("%(company)s has no billing e-mail address; add one to its billing profile first.")
            % {"company": invoice.company}
        )


@transaction.atomic
def invoice_email_send(*, invoice: Invoice, actor=None) -> InvoiceEmail:
    """E-mail the finalised invoice, its PDF attached, to the billing profile's recipients and record it.

    May be sent again (a customer lost it); each sending is recorded."""
    invoice = Invoice.objects.select_related("company").get(pk=invoice.pk)
    invoice_send_check(invoice=invoice)
    recipients = invoice_recipients(invoice)
    message = _message(invoice, template="invoice", recipients=recipients, context={})
    record = InvoiceEmail.objects.create(
        invoice=invoice,
        subject=message.subject,
        recipients="\n".join(recipients),
        sent_at=timezone.now(),
        sent_by=actor,
    )
    message.send()
    logger.info("invoice %s e-mailed to %s", invoice.number, ", ".join(recipients))
    return record


def invoice_deliver_once(*, invoice: Invoice) -> str:
    """The delivery after finalising (the worker's task): render the PDF unless it is stored, then e-mail the
    invoice unless it was e-mailed before; says what it did.

    Idempotent, so a task queued twice (the hourly sweep after a late queue) neither renders nor e-mails twice:
    the check and the sending happen under the invoice's row lock, and a failed send rolls its record back."""
    from billing.services.pdfs import invoice_pdf_render

    invoice = Invoice.objects.select_related("company").get(pk=invoice.pk)
    if not invoice.is_sendable:
        return f"{invoice}: {invoice.get_status_display().lower()}, nothing to deliver"
    pdf = invoice.pdf_or_none or invoice_pdf_render(invoice=invoice)
    if not invoice_recipients(invoice):
        return f"{invoice.number}: {pdf.size} bytes; no billing e-mail address, not sent"
    with transaction.atomic():
        Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
        if invoice.emails.filter(step="").exists():
            return f"{invoice.number}: {pdf.size} bytes, e-mailed before"
        email = invoice_email_send(invoice=invoice)
    return f"{invoice.number}: {pdf.size} bytes, e-mailed to {email.recipients.replace(chr(10), ', ')}"


def reminder_send(*, invoice: Invoice, step: str, days: int) -> InvoiceEmail | None:
    """Send the payment reminder ``step`` (``before-7``, ``after-14``) for ``invoice`` unless it went out
    already; returns the record, or None when it had been sent (or nobody can receive it).

    The record is written first under the (invoice, step) unique key and the message sent inside the same
    transaction: a failed send rolls the record back so the next day tries again."""
    recipients = invoice_recipients(invoice)
    if not recipients:
        return None
    try:
        with transaction.atomic():
            before = step.startswith("before")
            message = _message(
                invoice,
                template="reminder_before" if before else "reminder_after",
                recipients=recipients,
                context={"days": days},
            )
            record = InvoiceEmail.objects.create(
                invoice=invoice,
                step=step,
                subject=message.subject,
                recipients="\n".join(recipients),
                sent_at=timezone.now(),
            )
            message.send()
    except IntegrityError:
        return None  # sent by an earlier or concurrent run
    return record
