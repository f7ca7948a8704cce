"""Shared by the billing services: the number-sequence prefixes, today's date."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

SEQUENCE_DEFAULTS = {"invoice": "INV-", "credit_note": "CN-"}


def _today() -> date:
    return timezone.localdate()
