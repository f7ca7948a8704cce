"""Invoices: drafts and their lines, totals, finalising (numbered), voiding, reissuing, marking overdue."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors
from billing.choices import InvoiceStatus, LineKind
from billing.models import (
    Adjustment,
    Charge,
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceLine,
)
from billing.services.common import _today
from billing.services.numbering import _next_number
from billing.services.profiles import billing_profile_for
from core.money import ZERO, line_amounts
from core.services import instance_save

logger = logging.getLogger("billing.services")

# --- invoices -------------------------------------------------------------------------------------------


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("company").get(pk=invoice.pk)


def _require_draft(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError(
            _("Invoice %(number)s is finalised and cannot be changed; void it and reissue, or issue a credit note.")
            % {"number": invoice.number or invoice.pk}
        )


def _recompute_totals(invoice: Invoice) -> None:
    # Summed in Python: SQLite's SUM of decimals goes through floating point.
    rows = list(invoice.lines.values_list("net_amount", "tax_amount"))
    invoice.subtotal = sum((net for net, _tax in rows), ZERO)
    invoice.tax_total = sum((tax for _net, tax in rows), ZERO)
    invoice.total = invoice.subtotal + invoice.tax_total


@transaction.atomic
def invoice_create_draft(
    *, company, period_start: date | None = None, period_end: date | None = None, description: str = ""
) -> Invoice:
    """A new draft invoice in the company's currency (no number until finalised)."""
    profile = billing_profile_for(company=company)
    invoice = Invoice(
        company=company,
        currency=profile.currency,
        period_start=period_start,
        period_end=period_end,
        description=description,
    )
    invoice.full_clean()
    invoice.save()
    return invoice


def _build_line(
    *,
    invoice: Invoice,
    description: str,
    unit_price: Decimal,
    quantity: Decimal = Decimal("1"),
    kind: str = LineKind.MANUAL_CHARGE,
    taxable: bool = True,
    tax_rate: Decimal | None = None,
    proration: Decimal = Decimal("1"),
    service_id: int | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    charge: Charge | None = None,
    time_entry_id: int | None = None,
    position: int = 0,
) -> InvoiceLine:
    """An unsaved, validated line with its amounts computed under the rounding policy."""
    if tax_rate is None:
        tax_rate = selectors.tax_rate_for(company=invoice.company) if taxable else ZERO
    if not taxable:
        tax_rate = ZERO
    quantity, unit_price, proration = Decimal(quantity), Decimal(unit_price), Decimal(proration)
    amounts = line_amounts(
        quantity=quantity, unit_price=unit_price, tax_rate=tax_rate, currency=invoice.currency, factor=proration
    )
    line = InvoiceLine(
        invoice=invoice,
        position=position,
        kind=kind,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        proration=proration,
        net_amount=amounts.net,
        tax_rate=tax_rate,
        tax_amount=amounts.tax,
        total_amount=amounts.total,
        service_id=service_id,
        period_start=period_start,
        period_end=period_end,
        charge=charge,
        time_entry_id=time_entry_id,
    )
    line.full_clean(validate_constraints=False)
    return line


@transaction.atomic
def invoice_add_line(*, invoice: Invoice, description: str, unit_price: Decimal, **options) -> InvoiceLine:
    """Add a line to a draft invoice and bring its totals up to date.

    ``options``: quantity, kind, taxable, tax_rate, proration, service_id, period_start, period_end, charge,
    time_entry_id. A service period already billed raises ``ValidationError`` (the unique constraint).
    """
    invoice = _locked(invoice)
    _require_draft(invoice)
    position = (invoice.lines.aggregate(top=Max("position"))["top"] or 0) + 1
    line = _build_line(invoice=invoice, description=description, unit_price=unit_price, position=position, **options)
    try:
        line.validate_constraints()
    except ValidationError:
        raise ValidationError(
            _("%(what)s is already on another invoice; it is never billed twice.") % {"what": description}
        ) from None
    line.save()
    _recompute_totals(invoice)
    invoice.save(update_fields=["subtotal", "tax_total", "total", "last_updated"])
    return line


@transaction.atomic
def invoice_line_add(
    *,
    invoice: Invoice,
    description: str,
    unit_price: Decimal,
    quantity: Decimal | None = None,
    kind: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> InvoiceLine:
    """A line typed by staff (admin inline or API): a manual charge unless told otherwise, on a draft."""
    return invoice_add_line(
        invoice=invoice,
        description=description,
        unit_price=unit_price if unit_price is not None else ZERO,
        quantity=quantity or Decimal("1"),
        kind=kind or LineKind.MANUAL_CHARGE,
        period_start=period_start,
        period_end=period_end,
    )


EDITABLE_DRAFT_FIELDS = ("company", "period_start", "period_end", "description", "comments")


@transaction.atomic
def invoice_update(*, invoice: Invoice, **fields) -> Invoice:
    """Change a draft's company, period, description or comments; a finalised invoice takes comments only (it
    is otherwise voided and reissued)."""
    invoice = _locked(invoice)
    if not fields:
        return invoice
    if set(fields) - {"comments"}:
        _require_draft(invoice)
    refused = sorted(set(fields) - set(EDITABLE_DRAFT_FIELDS))
    if refused:
        raise ValidationError(
            _("Only a draft's company, period and notes change here (not %(fields)s).") % {"fields": ", ".join(refused)}
        )
    if "company" in fields and fields["company"] != invoice.company:
        invoice.currency = billing_profile_for(company=fields["company"]).currency
    return instance_save(invoice, **fields)


def _refresh_status(invoice: Invoice, *, today: date | None = None) -> None:
    """Set paid / partially paid / overdue / open from the amounts and the due date (not saved)."""
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return
    today = today or _today()
    balance = invoice.total - invoice.amount_paid - invoice.credit_applied
    if balance <= 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = invoice.paid_at or timezone.now()
        return
    invoice.paid_at = None
    if invoice.due_date and invoice.due_date < today:
        invoice.status = InvoiceStatus.OVERDUE
    elif invoice.amount_paid > 0 or invoice.credit_applied > 0:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    else:
        invoice.status = InvoiceStatus.OPEN


def _apply_credit(*, invoice: Invoice, credit_notes) -> Decimal:
    """Apply ``credit_notes`` (locked, oldest first) to ``invoice``'s balance; returns the amount applied."""
    applied = ZERO
    for note in credit_notes:
        balance = invoice.total - invoice.amount_paid - invoice.credit_applied
        if balance <= 0:
            break
        amount = min(note.remaining, balance)
        if amount <= 0:
            continue
        CreditApplication.objects.create(credit_note=note, invoice=invoice, amount=amount)
        note.remaining -= amount
        note.save(update_fields=["remaining", "last_updated"])
        invoice.credit_applied += amount
        applied += amount
    return applied


@transaction.atomic
def invoice_finalise(*, invoice: Invoice, issue_date: date | None = None, render_pdf: bool = True) -> Invoice:
    """Freeze a draft: verify its totals, take the next number (in this transaction), set the dates from the
    payment terms, snapshot the billing address, apply account credit, and queue the PDF and the invoice
    e-mail after commit."""
    invoice = _locked(invoice)
    _require_draft(invoice)
    if not invoice.lines.exists():
        raise ValidationError(_("An invoice needs at least one line before it is finalised."))
    _recompute_totals(invoice)
    stored = Invoice.objects.filter(pk=invoice.pk).values_list("subtotal", "tax_total", "total").get()
    if stored != (invoice.subtotal, invoice.tax_total, invoice.total):
        raise ValidationError(_("The invoice's totals do not match its lines; reload it and try again."))
    if invoice.total < 0:
        raise ValidationError(_("An invoice cannot total less than zero; issue a credit note instead."))
    profile = billing_profile_for(company=invoice.company)
    company = invoice.company
    invoice.number = _next_number("invoice")
    invoice.issue_date = issue_date or _today()
    invoice.due_date = invoice.issue_date + timedelta(days=profile.payment_terms_days)
    invoice.billing_address = company.billing_address
    invoice.tax_id = company.tax_id
    invoice.tax_exemption_id = profile.tax_exemption_id if profile.tax_exempt else ""
    invoice.finalised_at = timezone.now()
    invoice.status = InvoiceStatus.OPEN
    notes = selectors.available_credit_notes(company=company, currency=invoice.currency).select_for_update()
    _apply_credit(invoice=invoice, credit_notes=notes)
    _refresh_status(invoice, today=max(invoice.issue_date, _today()))
    invoice.full_clean()
    invoice.save()
    if render_pdf:
        invoice_id = invoice.pk
        transaction.on_commit(lambda: _queue_pdf(invoice_id))
    return invoice


def _queue_pdf(invoice_id: int) -> bool:
    """After commit: render the PDF in a worker, then e-mail it (``BILLING_SEND_INVOICES``); False when the
    queue refused the task.

    The invoice is committed already: a queue that cannot be reached (Redis restarting) must not stop the
    billing run that finalised it. The failure is logged with the invoice; the hourly sweep
    (:func:`invoices_pdf_queue_missing`) queues it again, and staff may render and send it from the invoice's
    admin page meanwhile (the portal shows no PDF until then)."""
    from django_q.tasks import async_task

    from billing import conf

    try:
        if conf.send_invoices():
            async_task("billing.tasks.invoice_deliver", invoice_id, task_name=f"invoice PDF and e-mail {invoice_id}")
        else:
            async_task("billing.tasks.invoice_render_pdf", invoice_id, task_name=f"invoice PDF {invoice_id}")
    except Exception:  # noqa: BLE001 - any broker failure; the invoice itself stands
        logger.exception("could not queue the PDF of invoice id %s; the hourly sweep tries again", invoice_id)
        return False
    return True


# A finalised invoice whose PDF task has not run this long after finalising is taken to be lost by the queue.
PDF_SWEEP_AFTER = timedelta(hours=1)


def invoices_pdf_queue_missing(*, finalised_before=None, limit: int = 1000) -> int:
    """Queue again the PDF (and first e-mail) of finalised invoices that still have no PDF an hour after
    finalising: their task was refused by a queue that could not be reached, or lost with it. Returns how many
    were queued (at most ``limit``, oldest first).

    Safe against a task that was only late: delivering is idempotent (``invoice_deliver_once`` renders a
    missing PDF and e-mails an invoice that was never e-mailed, under the invoice's row lock)."""
    cutoff = finalised_before or timezone.now() - PDF_SWEEP_AFTER
    missing = (
        Invoice.objects.filter(finalised_at__lt=cutoff, pdf__isnull=True)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID])
        .order_by("finalised_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_queue_pdf(invoice_id) for invoice_id in list(missing))


@transaction.atomic
def invoice_void(*, invoice: Invoice, reason: str, actor=None) -> Invoice:
    """Void an invoice (never delete it): its service periods and charges may be billed again, credit applied
    to it goes back to the credit notes. A paid or partly paid invoice is refused: issue a credit note."""
    invoice = _locked(invoice)
    if invoice.status == InvoiceStatus.VOID:
        raise ValidationError(_("Invoice %(number)s is already void.") % {"number": invoice})
    if invoice.amount_paid > 0:
        raise ValidationError(
            _("Invoice %(number)s has payments; it cannot be voided. Issue a credit note instead.")
            % {"number": invoice}
        )
    if not reason.strip():
        raise ValidationError({"void_reason": _("Say why the invoice is voided.")})
    for application in invoice.credit_applications.filter(reversed_at__isnull=True).select_related("credit_note"):
        note = CreditNote.objects.select_for_update().get(pk=application.credit_note_id)
        note.remaining += application.amount
        note.save(update_fields=["remaining", "last_updated"])
        application.reversed_at = timezone.now()
        application.save(update_fields=["reversed_at", "last_updated"])
    invoice.lines.update(released=True)
    invoice.credit_applied = ZERO
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = reason.strip()
    invoice.save()
    logger.info("invoice %s voided by %s", invoice.pk, getattr(actor, "pk", None))
    return invoice


@transaction.atomic
def invoice_reissue(*, invoice: Invoice) -> Invoice:
    """A new draft copying the lines of a void invoice, referencing it; correct it, then finalise."""
    if invoice.status != InvoiceStatus.VOID:
        raise ValidationError(_("Only a void invoice is reissued; void it first."))
    new = invoice_create_draft(
        company=invoice.company,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        description=invoice.description,
    )
    new.reissue_of = invoice
    new.save(update_fields=["reissue_of"])
    for old in invoice.lines.order_by("position", "pk"):
        line = InvoiceLine(
            invoice=new,
            **{
                name: getattr(old, name)
                for name in (
                    "position",
                    "kind",
                    "description",
                    "quantity",
                    "unit_price",
                    "proration",
                    "net_amount",
                    "tax_rate",
                    "tax_amount",
                    "total_amount",
                    "service_id",
                    "component",
                    "period_start",
                    "period_end",
                    "charge",
                    "time_entry_id",
                )
            },
        )
        line.save()
        if hasattr(old, "adjustment"):
            Adjustment.objects.create(
                invoice=new, amount=old.adjustment.amount, reason=old.adjustment.reason, line=line
            )
    _recompute_totals(new)
    new.save()
    return new


@transaction.atomic
def invoices_mark_overdue(*, today: date | None = None) -> int:
    """Mark finalised invoices with a balance and a due date in the past as overdue; returns how many."""
    today = today or _today()
    count = 0
    candidates = Invoice.objects.select_for_update().filter(
        status__in=[InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID], due_date__lt=today
    )
    for invoice in candidates:
        _refresh_status(invoice, today=today)
        if invoice.status == InvoiceStatus.OVERDUE:
            invoice.save(update_fields=["status", "last_updated"])
            count += 1
    return count
