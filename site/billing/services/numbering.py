"""Gapless numbers: invoices and credit notes take the next value of a locked counter row."""

from __future__ import annotations

from django.db import transaction

from billing.models import (
    InvoiceNumberSequence,
)
from billing.services.common import SEQUENCE_DEFAULTS

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
