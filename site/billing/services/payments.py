"""Payments: recording one, allocating it to invoices, crediting an overpayment, reactivating what was suspended."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing.choices import UNPAID_STATUSES, CreditNoteKind, PaymentMethod
from billing.models import (
    Invoice,
    NonPaymentSuspension,
    Payment,
    PaymentAllocation,
    StoredCard,
)
from billing.services.common import _today
from billing.services.credits import credit_note_issue
from billing.services.invoices import _refresh_status
from billing.services.profiles import billing_profile_for
from core.money import format_money, round_money

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
