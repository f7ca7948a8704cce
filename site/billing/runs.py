"""The recurring billing run.

Policy: services are billed **in arrears** for the calendar month before the run date, so every start,
upgrade and cancellation in that month is known and prorated exactly (days active / days in the month,
rounded per line, see ``billing.money``). The catalog reports each billable stretch of a service
(``catalog.selectors.billable_lines``); each becomes one line keyed by (service, period, kind).

Idempotency: the key is unique in the database for lines that are not released, and each company is billed
inside one transaction that first locks the company row and re-reads what is already billed; a second run,
a retry or a concurrent worker therefore finds the lines there and creates nothing. If two runs still race
past the check, the unique constraint rolls one transaction back whole (its invoice number included, so
numbering stays gapless).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing import selectors, services
from billing.choices import LineKind
from billing.models import Invoice, InvoiceLine
from billing.money import line_amounts

logger = logging.getLogger(__name__)


def period_due(run_date: date) -> tuple[date, date]:
    """The period a run on ``run_date`` bills: the previous calendar month, end exclusive."""
    end = run_date.replace(day=1)
    start = (end - timedelta(days=1)).replace(day=1)
    return start, end


def proration(*, line_start: date, line_end: date, period_start: date, period_end: date) -> Decimal:
    """Days active / days in the period, as an exact Decimal (rounding happens on the amount)."""
    days_in_period = (period_end - period_start).days
    days_active = (min(line_end, period_end) - max(line_start, period_start)).days
    if days_active >= days_in_period:
        return Decimal(1)
    return (Decimal(days_active) / Decimal(days_in_period)).quantize(Decimal("0.00000001"))


@dataclass
class RunResult:
    """What a run did."""

    period_start: date
    period_end: date
    companies: int = 0
    invoices: list[int] = field(default_factory=list)
    lines: int = 0
    already_billed: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Billed {self.period_start:%Y-%m-%d}–{self.period_end - timedelta(days=1):%Y-%m-%d}: "
            f"{len(self.invoices)} invoices, {self.lines} lines, {self.already_billed} already billed, "
            f"{self.conflicts} concurrent conflicts, {len(self.errors)} errors"
        )


def _catalog_lines(*, period_start: date, period_end: date, company_id: int | None = None):
    from catalog.selectors import billable_lines

    return billable_lines(period_start=period_start, period_end=period_end, company_id=company_id)


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _billed_ranges(service_ids: Iterable[int], period_start: date, period_end: date) -> dict[int, list[tuple]]:
    """Claims already made on these services in or around the period: service id -> [(start, end, kind)]."""
    ranges: dict[int, list[tuple]] = defaultdict(list)
    rows = InvoiceLine.objects.filter(
        service_id__in=list(service_ids),
        kind__in=[LineKind.RECURRING, LineKind.ONE_TIME],
        released=False,
        period_start__lt=period_end,
        period_end__gt=period_start,
    ).values_list("service_id", "period_start", "period_end", "kind")
    for service_id, start, end, kind in rows:
        ranges[service_id].append((start, end, kind))
    return ranges


def _is_billed(line, ranges) -> bool:
    for start, end, kind in ranges.get(line.service_id, ()):
        if kind != line.kind:
            continue
        if kind == LineKind.ONE_TIME and (start, end) == (line.period_start, line.period_end):
            return True
        if kind == LineKind.RECURRING and _overlaps(start, end, line.period_start, line.period_end):
            return True
    return False


def billing_run(
    *,
    run_date: date,
    company_ids: Iterable[int] | None = None,
    lines_source: Callable | None = None,
    progress: Callable[[int, int], None] | None = None,
    render_pdfs: bool = True,
) -> RunResult:
    """Bill every service due for the period before ``run_date``: one finalised invoice per company with
    its service lines, waiting charges and unbilled remote-hands time. Safe to repeat (see module doc)."""
    from accounts.models import Company

    period_start, period_end = period_due(run_date)
    source = lines_source or _catalog_lines
    result = RunResult(period_start=period_start, period_end=period_end)
    by_company: dict[int, list] = defaultdict(list)
    for line in source(period_start=period_start, period_end=period_end):
        by_company[line.company_id].append(line)
    charge_companies = set(selectors.pending_charges_all().values_list("company_id", flat=True))
    wanted = set(by_company) | charge_companies | _remote_hands_companies(period_start, period_end)
    if company_ids is not None:
        wanted &= set(company_ids)
    companies = Company.objects.in_bulk(sorted(wanted))
    ordered = sorted(companies)
    result.companies = len(ordered)
    for index, company_id in enumerate(ordered, start=1):
        try:
            invoice = _bill_company(
                company=companies[company_id],
                lines=by_company.get(company_id, []),
                period_start=period_start,
                period_end=period_end,
                result=result,
                render_pdf=render_pdfs,
            )
        except IntegrityError:
            # Another run billed the same key between our check and our insert: its invoice stands.
            result.conflicts += 1
            invoice = None
        if invoice is not None:
            result.invoices.append(invoice.pk)
        if progress:
            progress(index, len(ordered))
    logger.info("billing run %s: %s", run_date, result.summary())
    return result


def _remote_hands_companies(period_start: date, period_end: date) -> set[int]:
    try:
        from tickets.models import TimeEntry
    except ImportError:  # pragma: no cover - tickets is installed everywhere today
        return set()
    return set(
        TimeEntry.objects.filter(
            billable=True, billed_at__isnull=True, work_date__gte=period_start, work_date__lt=period_end
        ).values_list("ticket__company_id", flat=True)
    )


@transaction.atomic
def _bill_company(*, company, lines, period_start, period_end, result: RunResult, render_pdf: bool) -> Invoice | None:
    from accounts.models import Company

    # Serialise runs per company (PostgreSQL row lock; SQLite serialises writers anyway).
    Company.objects.select_for_update().filter(pk=company.pk).values_list("pk").get()
    profile = services.billing_profile_for(company=company)
    tax_rate = selectors.tax_rate_for(company=company, profile=profile)
    ranges = _billed_ranges({line.service_id for line in lines}, period_start, period_end)
    due = []
    for line in lines:
        if _is_billed(line, ranges):
            result.already_billed += 1
            continue
        if line.currency != profile.currency:
            result.errors.append(
                _(
                    "Service %(service)s of %(company)s is priced in %(currency)s "
                    "but the company is billed in %(billed)s."
                )
                % {
                    "service": line.service_id,
                    "company": company,
                    "currency": line.currency,
                    "billed": profile.currency,
                }
            )
            continue
        due.append(line)
        ranges[line.service_id].append((line.period_start, line.period_end, line.kind))
    charges = list(selectors.pending_charges(company=company).select_for_update())
    time_entries = list(_unbilled_time(company, period_start, period_end))
    if not (due or charges or time_entries):
        return None
    invoice = services.invoice_create_draft(company=company, period_start=period_start, period_end=period_end)
    new_lines = []
    position = 0
    for line in sorted(due, key=lambda item: (item.service_id, item.period_start, item.kind)):
        position += 1
        factor = (
            proration(
                line_start=line.period_start,
                line_end=line.period_end,
                period_start=period_start,
                period_end=period_end,
            )
            if line.kind == LineKind.RECURRING
            else Decimal(1)
        )
        new_lines.append(
            _line(
                invoice=invoice,
                position=position,
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=tax_rate if line.taxable else Decimal(0),
                proration=factor,
                service_id=line.service_id,
                period_start=line.period_start,
                period_end=line.period_end,
            )
        )
    for charge in charges:
        position += 1
        new_lines.append(
            _line(
                invoice=invoice,
                position=position,
                kind=LineKind.MANUAL_CHARGE,
                description=charge.title,
                quantity=charge.quantity,
                unit_price=charge.unit_price,
                tax_rate=tax_rate if charge.taxable else Decimal(0),
                charge=charge,
            )
        )
    for entry in time_entries:
        position += 1
        new_lines.append(
            _line(
                invoice=invoice,
                position=position,
                kind=LineKind.REMOTE_HANDS,
                description=_("Remote hands %(date)s, ticket %(ticket)s: %(work)s")
                % {"date": entry.work_date, "ticket": entry.ticket.number, "work": entry.work_done[:150]},
                quantity=(Decimal(entry.minutes) / Decimal(60)).quantize(Decimal("0.0001")),
                unit_price=entry.hourly_rate,
                tax_rate=tax_rate,
                time_entry_id=entry.pk,
            )
        )
    InvoiceLine.objects.bulk_create(new_lines)
    services._recompute_totals(invoice)
    invoice.save(update_fields=["subtotal", "tax_total", "total", "last_updated"])
    invoice = services.invoice_finalise(invoice=invoice, render_pdf=render_pdf)
    if time_entries:
        from tickets.services import billable_work_mark_billed

        billable_work_mark_billed(time_entries=time_entries, reference=invoice.number)
    result.lines += len(new_lines)
    return invoice


def _unbilled_time(company, period_start: date, period_end: date):
    from tickets.selectors import unbilled_time_entries

    return unbilled_time_entries(company, (period_start, period_end - timedelta(days=1)))


def _line(*, invoice, tax_rate, proration=Decimal(1), **fields) -> InvoiceLine:
    amounts = line_amounts(
        quantity=fields["quantity"],
        unit_price=fields["unit_price"],
        tax_rate=tax_rate,
        currency=invoice.currency,
        factor=proration,
    )
    return InvoiceLine(
        invoice=invoice,
        tax_rate=tax_rate,
        proration=proration,
        net_amount=amounts.net,
        tax_amount=amounts.tax,
        total_amount=amounts.total,
        **fields,
    )
