"""django-q2 tasks of the billing app: thin, they call services. Arguments are ids and dates only.

``billing_run_daily`` is scheduled once a day by migration (the Schedule "billing: daily run").
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
    from billing.runs import billing_run
    from billing.services import invoices_mark_overdue

    day = date.fromisoformat(run_date) if run_date else timezone.localdate()
    result = billing_run(run_date=day)
    overdue = invoices_mark_overdue(today=day)
    return f"{result.summary()}; {overdue} marked overdue"


def invoices_mark_overdue_task() -> str:
    from billing.services import invoices_mark_overdue

    return f"{invoices_mark_overdue()} marked overdue"
