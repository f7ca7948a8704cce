"""Cards on file: saving one through the gateway (never the number), removing it, charging an invoice to it."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.cards import validate_card
from billing.choices import PaymentMethod
from billing.gateways import GatewayError, get_gateway
from billing.models import (
    Invoice,
    Payment,
    StoredCard,
)
from billing.services.payments import payment_record

logger = logging.getLogger("billing.services")

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
