"""Credit notes: issuing them and applying open credit to an invoice."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing import selectors
from billing.choices import UNPAID_STATUSES, CreditNoteKind, InvoiceStatus
from billing.models import (
    CreditNote,
    Invoice,
    Payment,
)
from billing.services.common import _today
from billing.services.invoices import _apply_credit, _locked, _refresh_status
from billing.services.numbering import _next_number
from billing.services.profiles import billing_profile_for
from core.money import ZERO, round_money


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
