"""Billing settings, each read with its default so ``settings.py`` stays short.

* ``BILLING_CATCH_UP_MONTHS`` (12): how many missed monthly runs the next run bills at most.
* ``BILLING_REMINDER_DAYS_BEFORE`` ((7,)): reminders this many days before an invoice falls due.
* ``BILLING_REMINDER_DAYS_AFTER`` ((1, 7, 14)): reminders this many days after it fell due, while unpaid.
* ``BILLING_LATE_FEE`` (None: off): ``{"kind": "fixed", "amount": "25.00"}`` or ``{"kind": "percent",
  "amount": "1.5"}`` (of the balance due), charged once per invoice on the company's next invoice.
* ``BILLING_LATE_FEE_AFTER_DAYS`` (7): days overdue before the late fee is charged.
* ``BILLING_SUSPEND_AFTER_DAYS`` (30; None: never): days overdue after which the company's active services
  are suspended for non-payment (lifted when the overdue invoices are paid).
* ``BILLING_SEND_INVOICES`` (True): e-mail each invoice, PDF attached, when it is finalised.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


def catch_up_months() -> int:
    return int(getattr(settings, "BILLING_CATCH_UP_MONTHS", 12))


def reminder_days_before() -> tuple[int, ...]:
    return tuple(sorted(int(day) for day in getattr(settings, "BILLING_REMINDER_DAYS_BEFORE", (7,))))


def reminder_days_after() -> tuple[int, ...]:
    return tuple(sorted(int(day) for day in getattr(settings, "BILLING_REMINDER_DAYS_AFTER", (1, 7, 14))))


def late_fee() -> tuple[str, Decimal] | None:
    """``("fixed", amount)`` or ``("percent", rate)``, or None when late fees are off."""
    value = getattr(settings, "BILLING_LATE_FEE", None)
    if not value:
        return None
    kind = value.get("kind", "fixed")
    if kind not in ("fixed", "percent"):
        raise ValueError(f"BILLING_LATE_FEE kind must be 'fixed' or 'percent', not {kind!r}.")
    return kind, Decimal(str(value["amount"]))


def late_fee_after_days() -> int:
    return int(getattr(settings, "BILLING_LATE_FEE_AFTER_DAYS", 7))


def suspend_after_days() -> int | None:
    value = getattr(settings, "BILLING_SUSPEND_AFTER_DAYS", 30)
    return None if value is None else int(value)


def send_invoices() -> bool:
    return bool(getattr(settings, "BILLING_SEND_INVOICES", True))
