"""Overdue handling, run once a day by ``billing.tasks.billing_overdue_daily`` (the Schedule "billing:
overdue handling"), each step safe to repeat:

1. invoices past their due date with a balance become *overdue*;
2. payment reminders go out ``BILLING_REMINDER_DAYS_BEFORE`` days before and ``BILLING_REMINDER_DAYS_AFTER``
   days after the due date, each once per invoice and step (``InvoiceEmail.step``); a day the task missed is
   not made up with a burst of reminders: only the latest step that has come is sent;
3. a late fee (``BILLING_LATE_FEE``, off by default), once per invoice, becomes a charge on the company's next
   invoice (``Charge`` with source ``late_fee`` and the invoice as key);
4. after ``BILLING_SUSPEND_AFTER_DAYS`` days overdue, the company's active services are suspended through
   ``catalog.services.service_suspend`` with a reason starting "Non-payment" and recorded as
   ``NonPaymentSuspension``;
5. companies with such suspensions and no invoice overdue that long any more get those services (and only
   those) back through ``catalog.services.service_unsuspend``. A payment also triggers this step at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import conf
from billing.choices import UNPAID_STATUSES, InvoiceStatus, LineKind
from billing.models import Charge, Invoice, InvoiceEmail, NonPaymentSuspension
from core.money import HUNDRED, round_money

logger = logging.getLogger(__name__)

LATE_FEE_SOURCE = "late_fee"
NON_PAYMENT = "Non-payment"


@dataclass
class OverdueResult:
    """What a day's overdue handling did."""

    marked_overdue: int = 0
    reminders: int = 0
    late_fees: int = 0
    suspended: list[int] = field(default_factory=list)
    reactivated: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.marked_overdue} marked overdue, {self.reminders} reminders, {self.late_fees} late fees, "
            f"{len(self.suspended)} services suspended, {len(self.reactivated)} reactivated"
        )


def reminder_steps() -> list[tuple[str, int]]:
    """(step, offset from the due date in days), in order: ``[("before-7", -7), ("after-1", 1), ...]``."""
    before = [(f"before-{days}", -days) for days in sorted(conf.reminder_days_before(), reverse=True)]
    after = [(f"after-{days}", days) for days in conf.reminder_days_after()]
    return before + after


def reminder_due(invoice: Invoice, *, today: date, sent: set[str]) -> tuple[str, int] | None:
    """The reminder step to send today for ``invoice`` (the latest that has come and is not superseded by
    one already sent), or None."""
    steps = reminder_steps()

    def has_come(offset: int) -> bool:
        day = invoice.due_date + timedelta(days=offset)
        if offset > 0:
            return day <= today
        # Before the due date only, and not for an invoice issued after that day (its e-mail just went out).
        return day <= today < invoice.due_date and (invoice.issue_date is None or invoice.issue_date < day)

    come = [(step, offset) for step, offset in steps if has_come(offset)]
    if not come:
        return None
    step, offset = come[-1]
    later_sent = any(name in sent for name, later in steps if later >= offset)
    return None if later_sent else (step, offset)


def reminders_send(*, today: date) -> int:
    """Send the reminders due ``today``; returns how many went out."""
    from billing.services.emails import reminder_send

    steps = reminder_steps()
    if not steps:
        return 0
    earliest_offset, latest_offset = steps[0][1], steps[-1][1]
    candidates = list(
        Invoice.objects.filter(
            status__in=UNPAID_STATUSES,
            due_date__lte=today - timedelta(days=earliest_offset),
            due_date__gte=today - timedelta(days=latest_offset + 60),
        )
        .select_related("company")
        .order_by("due_date", "pk")
    )
    sent_steps: dict[int, set[str]] = {}
    for invoice_id, step in (
        InvoiceEmail.objects.filter(invoice__in=candidates).exclude(step="").values_list("invoice_id", "step")
    ):
        sent_steps.setdefault(invoice_id, set()).add(step)
    count = 0
    for invoice in candidates:
        if invoice.balance_due <= 0:
            continue
        due = reminder_due(invoice, today=today, sent=sent_steps.get(invoice.pk, set()))
        if due is None:
            continue
        step, _offset = due
        days = abs((today - invoice.due_date).days)  # the real distance, should a day have been missed
        try:
            if reminder_send(invoice=invoice, step=step, days=days) is not None:
                count += 1
        except Exception:  # one unreachable mailbox must not stop the others; retried tomorrow
            logger.exception("reminder %s for invoice %s failed", step, invoice.pk)
    return count


def late_fee_amount(invoice: Invoice) -> object | None:
    """The late fee for ``invoice`` under ``BILLING_LATE_FEE`` (rounded to its currency), or None when off."""
    setting = conf.late_fee()
    if setting is None:
        return None
    kind, value = setting
    amount = value if kind == "fixed" else invoice.balance_due * value / HUNDRED
    amount = round_money(amount, invoice.currency)
    return amount if amount > 0 else None


def late_fees_charge(*, today: date) -> int:
    """Charge the late fee once on each invoice overdue for ``BILLING_LATE_FEE_AFTER_DAYS``; returns how many."""
    if conf.late_fee() is None:
        return 0
    limit = today - timedelta(days=conf.late_fee_after_days())
    overdue = list(Invoice.objects.filter(status=InvoiceStatus.OVERDUE, due_date__lte=limit).select_related("company"))
    charged = set(
        Charge.objects.filter(source=LATE_FEE_SOURCE, key__in=[str(invoice.pk) for invoice in overdue]).values_list(
            "key", flat=True
        )
    )
    count = 0
    for invoice in overdue:
        if str(invoice.pk) in charged:
            continue
        amount = late_fee_amount(invoice)
        if amount is None:
            continue
        with transaction.atomic():
            _charge, created = _late_fee_charge(invoice=invoice, amount=amount, today=today)
        count += int(created)
    return count


def _late_fee_charge(*, invoice: Invoice, amount, today: date) -> tuple[Charge, bool]:
    from billing.services import system_charge_record

    setting = conf.late_fee()
    rate = f" ({setting[1]}%)" if setting and setting[0] == "percent" else ""
    title = _("Late fee%(rate)s: invoice %(number)s, due %(due)s, unpaid on %(today)s") % {
        "rate": rate,
        "number": invoice.number,
        "due": f"{invoice.due_date:%d %b %Y}",
        "today": f"{today:%d %b %Y}",
    }
    return system_charge_record(
        company=invoice.company,
        title=title,
        quantity=1,
        unit_price=amount,
        taxable=False,
        kind=LineKind.MANUAL_CHARGE,
        source=LATE_FEE_SOURCE,
        key=str(invoice.pk),
        currency=invoice.currency,
    )


def _overdue_since(limit: date, company_ids=None) -> dict[int, Invoice]:
    """Company id -> its oldest invoice still overdue on or before ``limit``."""
    queryset = Invoice.objects.filter(status=InvoiceStatus.OVERDUE, due_date__lte=limit).order_by("due_date", "pk")
    if company_ids is not None:
        queryset = queryset.filter(company_id__in=list(company_ids))
    oldest: dict[int, Invoice] = {}
    for invoice in queryset:
        oldest.setdefault(invoice.company_id, invoice)
    return oldest


def services_suspend_for_non_payment(*, today: date, company_ids=None) -> list[int]:
    """Suspend the active services of companies overdue for ``BILLING_SUSPEND_AFTER_DAYS``; returns their ids."""
    from catalog.choices import ServiceStatus
    from catalog.models import Service
    from catalog.services import service_suspend

    days = conf.suspend_after_days()
    if days is None:
        return []
    oldest = _overdue_since(today - timedelta(days=days), company_ids)
    if not oldest:
        return []
    suspended = []
    services = Service.objects.filter(company_id__in=list(oldest), status=ServiceStatus.ACTIVE).order_by("pk")
    for service in services:
        invoice = oldest[service.company_id]
        reason = _("%(non_payment)s: invoice %(number)s overdue since %(due)s") % {
            "non_payment": NON_PAYMENT,
            "number": invoice.number,
            "due": f"{invoice.due_date:%d %b %Y}",
        }
        try:
            with transaction.atomic():
                service_suspend(service=service, actor=None, reason=reason)
                NonPaymentSuspension.objects.create(
                    company_id=service.company_id, service=service, invoice=invoice, suspended_at=timezone.now()
                )
        except ValidationError as error:  # its status changed meanwhile: leave it
            logger.warning("service %s not suspended: %s", service.pk, error)
            continue
        suspended.append(service.pk)
    return suspended


def services_reactivate_paid(*, today: date | None = None, company_ids=None) -> list[int]:
    """Lift billing's suspensions of companies no longer overdue past the limit; returns the service ids
    made active again. Services suspended for any other reason are never touched."""
    from catalog.choices import ServiceStatus
    from catalog.services import service_unsuspend

    today = today or timezone.localdate()
    open_suspensions = NonPaymentSuspension.objects.filter(lifted_at__isnull=True).select_related("service")
    if company_ids is not None:
        open_suspensions = open_suspensions.filter(company_id__in=list(company_ids))
    open_suspensions = list(open_suspensions.order_by("pk"))
    if not open_suspensions:
        return []
    days = conf.suspend_after_days()
    still_overdue = (
        set(_overdue_since(today - timedelta(days=days), {item.company_id for item in open_suspensions}))
        if days is not None
        else set()
    )
    reactivated = []
    for suspension in open_suspensions:
        if suspension.company_id in still_overdue:
            continue
        with transaction.atomic():
            if suspension.service.status == ServiceStatus.SUSPENDED:
                service_unsuspend(
                    service=suspension.service,
                    actor=None,
                    reason=_("Overdue invoices paid; suspension for non-payment lifted."),
                )
                reactivated.append(suspension.service_id)
            suspension.lifted_at = timezone.now()
            suspension.save(update_fields=["lifted_at", "last_updated"])
    return reactivated


def overdue_handle(*, today: date | None = None) -> OverdueResult:
    """The day's overdue handling (module doc), in order."""
    from billing.services import invoices_mark_overdue

    today = today or timezone.localdate()
    result = OverdueResult()
    result.marked_overdue = invoices_mark_overdue(today=today)
    result.reminders = reminders_send(today=today)
    result.late_fees = late_fees_charge(today=today)
    result.reactivated = services_reactivate_paid(today=today)
    result.suspended = services_suspend_for_non_payment(today=today)
    logger.info("overdue handling %s: %s", today, result.summary())
    return result
