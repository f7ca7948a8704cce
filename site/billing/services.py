"""Every write of the billing app: keyword-only, atomic, validated.

Invariants kept here:

* invoice numbers come from a locked counter row inside the finalising transaction (gapless, unique);
* stored totals are recomputed from the lines whenever a line is added, and verified before finalising;
* nothing is deleted: void releases an invoice's claims and reverses its credits; money back is a credit note;
* card numbers and security codes go to the gateway only.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors
from billing.cards import validate_card
from billing.choices import UNPAID_STATUSES, CreditNoteKind, InvoiceStatus, LineKind, PaymentMethod
from billing.gateways import GatewayError, get_gateway
from billing.models import (
    Adjustment,
    BillingProfile,
    Charge,
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    InvoicePDF,
    NonPaymentSuspension,
    Payment,
    PaymentAllocation,
    StoredCard,
)
from billing.money import ZERO, format_money, line_amounts, round_money

logger = logging.getLogger(__name__)

SEQUENCE_DEFAULTS = {"invoice": "INV-", "credit_note": "CN-"}


def _today() -> date:
    return timezone.localdate()


# --- profiles -------------------------------------------------------------------------------------------


def billing_profile_for(*, company) -> BillingProfile:
    """The company's billing profile, created with the defaults on first use."""
    profile = BillingProfile.objects.filter(company=company).first()
    if profile is None:
        with transaction.atomic():
            profile, _created = BillingProfile.objects.get_or_create(
                company=company, defaults={"billing_email": company.email}
            )
    return profile


@transaction.atomic
def billing_profile_update(*, company, **fields) -> BillingProfile:
    """Change the billing profile (currency, terms, exemption, e-mail recipients)."""
    profile = billing_profile_for(company=company)
    allowed = {
        "currency",
        "payment_terms_days",
        "tax_exempt",
        "tax_exemption_id",
        "billing_email",
        "invoice_recipients",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown billing profile fields: {sorted(unknown)}")
    if "currency" in fields and fields["currency"] != profile.currency:
        if Invoice.objects.filter(company=company).exclude(status=InvoiceStatus.VOID).exists():
            raise ValidationError({"currency": _("The currency cannot change once the company has been invoiced.")})
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


# --- numbering ------------------------------------------------------------------------------------------


def _next_number(name: str) -> str:
    """Advance the named counter under a row lock; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Numbers are only taken inside the transaction that uses them.")
    sequence = InvoiceNumberSequence.objects.select_for_update().filter(name=name).first()
    if sequence is None:
        InvoiceNumberSequence.objects.get_or_create(name=name, defaults={"prefix": SEQUENCE_DEFAULTS.get(name, "")})
        sequence = InvoiceNumberSequence.objects.select_for_update().get(name=name)
    value = sequence.next_value
    sequence.next_value = value + 1
    sequence.save(update_fields=["next_value"])
    return sequence.format(value)


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


def _queue_pdf(invoice_id: int) -> None:
    """After commit: render the PDF in a worker, then e-mail it (``BILLING_SEND_INVOICES``)."""
    from django_q.tasks import async_task

    from billing import conf

    if conf.send_invoices():
        async_task("billing.tasks.invoice_deliver", invoice_id, task_name=f"invoice PDF and e-mail {invoice_id}")
    else:
        async_task("billing.tasks.invoice_render_pdf", invoice_id, task_name=f"invoice PDF {invoice_id}")


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


# --- charges, adjustments, credit -------------------------------------------------------------------------


@transaction.atomic
def charge_add(
    *,
    company,
    title: str,
    unit_price: Decimal,
    quantity: Decimal = Decimal("1"),
    taxable: bool = True,
    actor=None,
    invoice: Invoice | None = None,
) -> Charge:
    """A one-time charge: on ``invoice`` (a draft) now, or waiting for the company's next invoice."""
    profile = billing_profile_for(company=company)
    charge = Charge(
        company=company,
        title=title,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        currency=profile.currency,
        taxable=taxable,
        created_by=actor,
    )
    charge.full_clean()
    charge.save()
    if invoice is not None:
        if invoice.company_id != company.pk:
            raise ValidationError(_("The charge and the invoice belong to different companies."))
        charge_bill(charge=charge, invoice=invoice)
    return charge


def charge_bill(*, charge: Charge, invoice: Invoice) -> InvoiceLine:
    """Put a waiting charge on a draft invoice (a charge is billed once: unique constraint)."""
    return invoice_add_line(
        invoice=invoice,
        description=charge.title,
        quantity=charge.quantity,
        unit_price=charge.unit_price,
        kind=charge.kind or LineKind.MANUAL_CHARGE,
        taxable=charge.taxable,
        charge=charge,
        service_id=charge.service_id,
        period_start=charge.period_start,
        period_end=charge.period_end,
    )


def system_charge_record(
    *,
    company,
    title: str,
    unit_price: Decimal,
    source: str,
    key: str,
    quantity: Decimal | int = 1,
    taxable: bool = True,
    kind: str = LineKind.MANUAL_CHARGE,
    currency: str | None = None,
    service_id: int | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> tuple[Charge, bool]:
    """A charge recorded by the system, once per (``source``, ``key``): returns (charge, created). Recording
    the same key again returns the first charge unchanged, also when two workers race (unique constraint)."""
    if not source or not key:
        raise ValueError("A system charge names its source and key.")
    existing = Charge.objects.filter(source=source, key=key).first()
    if existing is not None:
        return existing, False
    profile = billing_profile_for(company=company)
    currency = currency or profile.currency
    if currency != profile.currency:
        raise ValidationError(
            _("%(company)s is billed in %(billed)s, not %(currency)s.")
            % {"company": company, "billed": profile.currency, "currency": currency}
        )
    charge = Charge(
        company=company,
        title=title[:200],
        quantity=Decimal(quantity),
        unit_price=round_money(Decimal(unit_price), currency) if kind != LineKind.USAGE else Decimal(unit_price),
        currency=currency,
        taxable=taxable,
        kind=kind,
        service_id=service_id,
        period_start=period_start,
        period_end=period_end,
        source=source,
        key=key,
    )
    charge.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            charge.save()
    except IntegrityError:
        return Charge.objects.get(source=source, key=key), False
    return charge, True


@transaction.atomic
def usage_charge_record(
    *,
    company,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    period_start: date,
    period_end: date,
    source: str,
    key: str,
    service=None,
    taxable: bool = True,
) -> Charge:
    """Record usage to bill (e.g. bandwidth over the commit), picked up by the company's next invoice.

    The interface for usage-based lines: another app (monitoring's bandwidth overage, a later issue) calls it
    once it knows what to bill, for example::

        usage_charge_record(
            company=service.company,
            service=service,
            description="Bandwidth overage, 95th percentile 1,240 Mbit/s over a 1,000 Mbit/s commit",
            quantity=Decimal("240"),  # Mbit/s over the commit
            unit_price=Decimal("0.50"),  # per Mbit/s, in the company's billing currency
            period_start=date(2025, 3, 1),
            period_end=date(2025, 4, 1),  # exclusive
            source="monitoring.bandwidth",
            key=f"{service.pk}:2025-03",
        )

    * Idempotent by (``source``, ``key``): recording the same key again (a retried task, a re-run report)
      returns the first record and changes nothing; choose a key that names what is billed and its period.
    * It becomes a *usage* line (kind ``usage``) on the next invoice the recurring run makes for the company
      (or when staff bill waiting charges), with its description, quantity, unit price, the service and the
      period; once on an invoice it is never billed again (a voided invoice releases it for the reissue).
    * Amounts are ``Decimal`` in the company's billing currency; the line's net amount is rounded per line
      (``billing.money``). Quantities and prices cannot be negative: give money back with a credit note.
    * Before it is invoiced, staff may withdraw it (``charge_cancel``); it is kept, marked cancelled.
    """
    if not (description or "").strip():
        raise ValidationError({"description": _("Say what the usage is; it is the invoice line's text.")})
    if period_end <= period_start:
        raise ValidationError({"period_end": _("A usage period ends after it starts.")})
    if service is not None and service.company_id != company.pk:
        raise ValidationError(_("The service belongs to another company."))
    charge, _created = system_charge_record(
        company=company,
        title=description.strip(),
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        taxable=taxable,
        kind=LineKind.USAGE,
        source=source,
        key=key,
        service_id=service.pk if service is not None else None,
        period_start=period_start,
        period_end=period_end,
    )
    return charge


@transaction.atomic
def charge_cancel(*, charge: Charge) -> Charge:
    """Withdraw a charge that is not on an invoice yet (kept, marked cancelled)."""
    if charge.lines.filter(released=False).exists():
        raise ValidationError(_("This charge is on an invoice already; void the invoice or issue a credit note."))
    charge.cancelled_at = timezone.now()
    charge.save(update_fields=["cancelled_at", "last_updated"])
    return charge


@transaction.atomic
def adjustment_add(*, invoice: Invoice, amount: Decimal, reason: str, actor=None, taxable: bool = False) -> Adjustment:
    """A correction line (positive or negative) on a draft invoice, with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("An adjustment needs a reason the customer can read.")})
    amount = round_money(Decimal(amount), invoice.currency)
    if amount == 0:
        raise ValidationError({"amount": _("An adjustment of zero changes nothing.")})
    line = invoice_add_line(
        invoice=invoice,
        description=_("Adjustment: %(reason)s") % {"reason": reason.strip()},
        unit_price=amount,
        kind=LineKind.ADJUSTMENT,
        taxable=taxable,
    )
    adjustment = Adjustment(invoice=invoice, amount=amount, reason=reason.strip(), line=line, created_by=actor)
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def credit_note_issue(
    *,
    company,
    amount: Decimal,
    reason: str,
    invoice: Invoice | None = None,
    actor=None,
    kind: str | None = None,
    payment: Payment | None = None,
) -> CreditNote:
    """Issue a credit note: against ``invoice`` (applied to it at once, any excess stays as account credit) or
    as account credit, applied automatically to the company's next invoices."""
    profile = billing_profile_for(company=company)
    currency = invoice.currency if invoice is not None else profile.currency
    amount = round_money(Decimal(amount), currency)
    if amount <= 0:
        raise ValidationError({"amount": _("A credit note is for a positive amount.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A credit note needs a reason.")})
    if invoice is not None:
        invoice = _locked(invoice)
        if invoice.company_id != company.pk:
            raise ValidationError(_("The invoice belongs to another company."))
        if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
            raise ValidationError(_("Credit notes are issued against finalised invoices; edit or void a draft."))
    note = CreditNote(
        company=company,
        number=_next_number("credit_note"),
        kind=kind or (CreditNoteKind.INVOICE if invoice else CreditNoteKind.ACCOUNT),
        invoice=invoice,
        payment=payment,
        currency=currency,
        amount=amount,
        remaining=amount,
        reason=reason.strip(),
        issue_date=_today(),
        issued_by=actor,
    )
    note.full_clean()
    note.save()
    if invoice is not None and invoice.status in UNPAID_STATUSES:
        _apply_credit(invoice=invoice, credit_notes=[note])
        _refresh_status(invoice)
        invoice.save()
    return note


@transaction.atomic
def credit_note_apply(*, invoice: Invoice) -> Decimal:
    """Apply the company's unused credit (oldest first) to an unpaid invoice; returns the amount applied."""
    invoice = _locked(invoice)
    if invoice.status not in UNPAID_STATUSES:
        return ZERO
    notes = selectors.available_credit_notes(company=invoice.company, currency=invoice.currency).select_for_update()
    applied = _apply_credit(invoice=invoice, credit_notes=notes)
    _refresh_status(invoice)
    invoice.save()
    return applied


# --- payments ---------------------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    company,
    amount: Decimal,
    method: str,
    received_on: date | None = None,
    reference: str = "",
    invoice: Invoice | None = None,
    actor=None,
    card: StoredCard | None = None,
    gateway_reference: str = "",
) -> Payment:
    """Record money received: allocated to ``invoice`` first (if given), then to the oldest unpaid invoices;
    whatever is left becomes account credit (an overpayment credit note)."""
    profile = billing_profile_for(company=company)
    amount = round_money(Decimal(amount), profile.currency)
    if amount <= 0:
        raise ValidationError({"amount": _("A payment is for a positive amount.")})
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose bank transfer, cheque or card.")})
    if invoice is not None and invoice.company_id != company.pk:
        raise ValidationError(_("The invoice belongs to another company."))
    if invoice is not None and invoice.status not in UNPAID_STATUSES:
        raise ValidationError(_("Invoice %(number)s has nothing to pay.") % {"number": invoice})
    payment = Payment(
        company=company,
        method=method,
        amount=amount,
        currency=profile.currency,
        received_on=received_on or _today(),
        reference=reference,
        card=card,
        gateway_reference=gateway_reference,
        recorded_by=actor,
    )
    payment.full_clean()
    payment.save()
    unpaid = list(
        Invoice.objects.select_for_update()
        .filter(company=company, currency=profile.currency, status__in=UNPAID_STATUSES)
        .order_by("due_date", "pk")
    )
    if invoice is not None:
        unpaid.sort(key=lambda candidate: candidate.pk != invoice.pk)
    left = amount
    for target in unpaid:
        if left <= 0:
            break
        share = min(left, target.total - target.amount_paid - target.credit_applied)
        if share <= 0:
            continue
        PaymentAllocation.objects.create(payment=payment, invoice=target, amount=share)
        target.amount_paid += share
        _refresh_status(target)
        target.save()
        left -= share
    if left > 0:
        credit_note_issue(
            company=company,
            amount=left,
            reason=_("Overpayment of %(amount)s") % {"amount": format_money(left, profile.currency)},
            actor=actor,
            kind=CreditNoteKind.OVERPAYMENT,
            payment=payment,
        )
    if NonPaymentSuspension.objects.filter(company=company, lifted_at__isnull=True).exists():
        company_id = company.pk
        transaction.on_commit(lambda: _queue_reactivation(company_id))
    return payment


def _queue_reactivation(company_id: int) -> None:
    from django_q.tasks import async_task

    async_task("billing.tasks.services_reactivate_paid", company_id, task_name=f"reactivate company {company_id}")


# --- cards on file ----------------------------------------------------------------------------------------


@transaction.atomic
def card_save(
    *, company, number: str, exp_month: int, exp_year: int, cvc: str, holder_name: str = "", actor=None
) -> StoredCard:
    """Validate a card, hand it to the gateway and keep only the token, brand, last four digits and expiry.

    The new card replaces the company's current one (which is marked removed, not deleted).
    """
    number = validate_card(number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc)
    gateway = get_gateway()
    try:
        token = gateway.tokenize_card(number, int(exp_month), int(exp_year), cvc, holder_name)
    except GatewayError as error:
        raise ValidationError(_("The card was not accepted: %(reason)s") % {"reason": error}) from None
    del number, cvc
    StoredCard.objects.filter(company=company, removed_at__isnull=True).update(removed_at=timezone.now())
    card = StoredCard(
        company=company,
        gateway=gateway.name,
        token=token.token,
        brand=token.brand,
        last4=token.last4,
        exp_month=token.exp_month,
        exp_year=token.exp_year,
        holder_name=holder_name,
        added_by=actor,
    )
    card.full_clean()
    card.save()
    logger.info("card on file saved for company %s (%s ending %s)", company.pk, card.brand, card.last4)
    return card


@transaction.atomic
def card_remove(*, card: StoredCard) -> StoredCard:
    """Take a card off file (the row stays, marked removed)."""
    card.removed_at = card.removed_at or timezone.now()
    card.save(update_fields=["removed_at", "last_updated"])
    return card


def invoice_charge_card(*, invoice: Invoice, actor=None) -> Payment:
    """Charge the company's card on file for the invoice's balance and record the payment."""
    card = StoredCard.objects.filter(company=invoice.company, removed_at__isnull=True).first()
    if card is None:
        raise ValidationError(_("%(company)s has no card on file.") % {"company": invoice.company})
    balance = invoice.balance_due
    if balance <= 0:
        raise ValidationError(_("Invoice %(number)s has nothing to pay.") % {"number": invoice})
    try:
        result = get_gateway().charge(card.token, balance, invoice.currency)
    except GatewayError as error:
        raise ValidationError(_("The card was declined: %(reason)s") % {"reason": error}) from None
    return payment_record(
        company=invoice.company,
        amount=balance,
        method=PaymentMethod.CARD,
        invoice=invoice,
        actor=actor,
        card=card,
        gateway_reference=result.reference,
        reference=f"{card.brand} •••• {card.last4}",
    )


# --- PDFs -------------------------------------------------------------------------------------------------


@transaction.atomic
def invoice_pdf_store(*, invoice: Invoice, content: bytes) -> InvoicePDF:
    """Store (or replace) the invoice's rendered PDF in private storage."""
    if invoice.status == InvoiceStatus.DRAFT:
        raise ValidationError(_("Drafts have no PDF; finalise the invoice first."))
    pdf = InvoicePDF.objects.select_for_update().filter(invoice=invoice).first() or InvoicePDF(invoice=invoice)
    old_name = pdf.file.name if pdf.pk else None
    pdf.size = len(content)
    pdf.sha256 = hashlib.sha256(content).hexdigest()
    pdf.file.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
    pdf.save()
    if old_name and old_name != pdf.file.name:
        transaction.on_commit(lambda: pdf.file.storage.delete(old_name))
    return pdf


def invoice_pdf_render(*, invoice: Invoice) -> InvoicePDF:
    """Render the invoice with WeasyPrint and store it (called by the worker task, ~0.5 s of CPU)."""
    from billing.pdf import render_invoice_pdf

    return invoice_pdf_store(invoice=invoice, content=render_invoice_pdf(invoice))
