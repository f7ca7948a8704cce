"""django-q2 tasks of the billing app: thin, they call services. Arguments are ids and dates only.

``billing_run_daily`` and ``billing_overdue_daily`` are scheduled once a day by migration (the Schedules
"billing: daily run" and "billing: overdue handling"), ``invoices_pdf_sweep`` every hour ("billing: PDFs the
queue lost").
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def invoice_render_pdf(invoice_id: int) -> str:
    """Render and store the PDF of a finalised invoice."""
    from billing.models import Invoice
    from billing.services import invoice_pdf_render

    invoice = Invoice.objects.select_related("company").get(pk=invoice_id)
    pdf = invoice_pdf_render(invoice=invoice)
    return f"{invoice.number}: {pdf.size} bytes"


def billing_run_daily(run_date: str | None = None) -> str:
    """The recurring run for today (or ``run_date``, ISO), then overdue marking."""
    from billing.services import invoices_mark_overdue
    from billing.services.runs import billing_run

    day = date.fromisoformat(run_date) if run_date else timezone.localdate()
    result = billing_run(run_date=day)
    overdue = invoices_mark_overdue(today=day)
    return f"{result.summary()}; {overdue} marked overdue"


def invoices_mark_overdue_task() -> str:
    from billing.services import invoices_mark_overdue

    return f"{invoices_mark_overdue()} marked overdue"


def invoice_deliver(invoice_id: int) -> str:
    """Render and store the invoice's PDF, then e-mail it to the billing profile's recipients (each once)."""
    from billing.models import Invoice
    from billing.services.emails import invoice_deliver_once

    return invoice_deliver_once(invoice=Invoice.objects.get(pk=invoice_id))


def invoices_pdf_sweep() -> str:
    """Hourly: queue again the PDFs of invoices finalised over an hour ago that still have none."""
    from billing.services import invoices_pdf_queue_missing

    return f"{invoices_pdf_queue_missing()} invoice PDFs queued again"


def invoice_send(invoice_id: int, actor_id: int | None = None) -> str:
    """E-mail an invoice again (the admin's Send action)."""
    from django.contrib.auth import get_user_model

    from billing.models import Invoice
    from billing.services.emails import invoice_email_send

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    email = invoice_email_send(invoice=Invoice.objects.get(pk=invoice_id), actor=actor)
    return f"{email.invoice}: e-mailed to {email.recipients.replace(chr(10), ', ')}"


def billing_overdue_daily(today: str | None = None) -> str:
    """Overdue handling for today (or ``today``, ISO): reminders, late fees, suspension, reactivation."""
    from billing.services.overdue import overdue_handle

    day = date.fromisoformat(today) if today else timezone.localdate()
    return overdue_handle(today=day).summary()


def services_reactivate_paid(company_id: int) -> str:
    """After a payment: lift the company's suspensions for non-payment if nothing is overdue long any more."""
    from billing.services.overdue import services_reactivate_paid as reactivate

    return f"{len(reactivate(company_ids=[company_id]))} services reactivated"
