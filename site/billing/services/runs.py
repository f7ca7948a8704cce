"""The recurring run.

Policy: services are billed **in arrears**, each once per its own plan period, so every start, upgrade and
cancellation inside a period is known and prorated exactly. Plan periods are calendar-aligned:

* monthly plans: the calendar month;
* quarterly plans: the calendar quarter (January–March, April–June, July–September, October–December);
* annual plans: the calendar year.

A run on any day of a month bills the periods that ended on the first day of that month: always the previous
month, plus the previous quarter when the month opens a quarter (January, April, July, October), plus the
previous year in January. A quarterly service is therefore billed once, on the April run, for January–March,
never three times. ``unit_price`` from the catalog is the price of one whole plan period; a partial stretch is
prorated by days active / days in **that plan period** (a quarter of 90 days, a year of 365), rounded per
line (``core.money``). One-time lines (setup fees) are billed in the month they fall due.

The catalog reports each billable stretch of a service (``catalog.selectors.billable_lines``); each becomes
one line keyed by (service, stretch, kind, component): the component is ``"plan"`` or ``"option:<id>"``, so a
service's plan and each of its add-on options are billed once per period. The line's description names the
service and the dates it covers. After the month is billed, the catalog is told how far each service is now
invoiced (``next_billing_date``, never backwards) in one bulk call.

Missed runs: each run that goes to the end records its month (``BillingRunRecord``). The next run first bills
every month between the last recorded one and its own (at most ``BILLING_CATCH_UP_MONTHS``), oldest first,
one invoice per company and month, so a machine that was down on the 1st loses nothing. The very first run
has no record and catches nothing up.

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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from billing import conf, selectors, services
from billing.choices import LineKind
from billing.models import BillingRunRecord, Invoice, InvoiceLine, TaxRate
from core.money import line_amounts

logger = logging.getLogger(__name__)


MONTHLY, QUARTERLY, ANNUAL = "monthly", "quarterly", "annual"
PERIOD_MONTHS = {MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12}


def period_due(run_date: date) -> tuple[date, date]:
    """The month a run on ``run_date`` bills (and the invoice's period): the previous calendar month, end
    exclusive."""
    end = run_date.replace(day=1)
    start = (end - timedelta(days=1)).replace(day=1)
    return start, end


def plan_period_containing(day: date, recurring_period: str) -> tuple[date, date]:
    """The calendar-aligned plan period (start, exclusive end) of ``recurring_period`` that contains ``day``."""
    months = PERIOD_MONTHS.get(recurring_period or MONTHLY, 1)
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    index = day.year * 12 + first_month - 1 + months
    return start, date(index // 12, index % 12 + 1, 1)


def periods_due(run_date: date) -> dict[str, tuple[date, date]]:
    """Every plan period a run on ``run_date`` bills, by recurring period: those that ended on the first day of
    ``run_date``'s month (the month always, the quarter and the year when they end there)."""
    boundary = run_date.replace(day=1)
    due = {}
    for recurring_period in (MONTHLY, QUARTERLY, ANNUAL):
        start, end = plan_period_containing(boundary - timedelta(days=1), recurring_period)
        if end == boundary:
            due[recurring_period] = (start, end)
    return due


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

    def merge(self, other: RunResult) -> None:
        """Add a later month's result (a catch-up run bills several months)."""
        self.period_start = min(self.period_start, other.period_start)
        self.period_end = max(self.period_end, other.period_end)
        self.companies = max(self.companies, other.companies)
        self.invoices.extend(other.invoices)
        self.lines += other.lines
        self.already_billed += other.already_billed
        self.conflicts += other.conflicts
        self.errors.extend(other.errors)

    def summary(self) -> str:
        return (
            f"Billed {self.period_start:%Y-%m-%d}–{self.period_end - timedelta(days=1):%Y-%m-%d}: "
            f"{len(self.invoices)} invoices, {self.lines} lines, {self.already_billed} already billed, "
            f"{self.conflicts} concurrent conflicts, {len(self.errors)} errors"
        )


@dataclass(frozen=True)
class DueLine:
    """A catalog line with the plan period it is billed in (for proration and the description)."""

    line: object
    window_start: date
    window_end: date


def _catalog_lines(*, period_start: date, period_end: date, company_id: int | None = None):
    from catalog.selectors import billable_lines

    return billable_lines(period_start=period_start, period_end=period_end, company_id=company_id)


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _billed_ranges(service_ids: Iterable[int] | None, period_start: date, period_end: date) -> dict[int, list[tuple]]:
    """Claims already made on these services (None: on any service) in or around the period: service id ->
    [(start, end, kind, component)]. One query."""
    ranges: dict[int, list[tuple]] = defaultdict(list)
    rows = InvoiceLine.objects.filter(
        kind__in=[LineKind.RECURRING, LineKind.ONE_TIME],
        released=False,
        period_start__lt=period_end,
        period_end__gt=period_start,
    )
    if service_ids is not None:
        rows = rows.filter(service_id__in=list(service_ids))
    rows = rows.values_list("service_id", "period_start", "period_end", "kind", "component")
    for service_id, start, end, kind, component in rows:
        ranges[service_id].append((start, end, kind, component))
    return ranges


def _component(line) -> str:
    """The line's component (sources written before options had their own key give none: the plan)."""
    return getattr(line, "component", "plan") or "plan"


def _is_billed(line, ranges) -> bool:
    component = _component(line)
    for start, end, kind, billed_component in ranges.get(line.service_id, ()):
        if kind != line.kind or billed_component != component:
            continue
        if kind == LineKind.ONE_TIME and (start, end) == (line.period_start, line.period_end):
            return True
        if kind == LineKind.RECURRING and _overlaps(start, end, line.period_start, line.period_end):
            return True
    return False


def _month_boundaries_missed(boundary: date, limit: int) -> list[date]:
    """First days of the months after the last recorded run and before ``boundary`` (at most ``limit``,
    the most recent ones): the runs that were missed. None when no run was ever recorded."""
    last = (
        BillingRunRecord.objects.filter(period_end__lt=boundary)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    if last is None or limit <= 0:
        return []
    missed = []
    month = _add_months(last, 1)
    while month < boundary:
        missed.append(month)
        month = _add_months(month, 1)
    return missed[-limit:]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def billing_run(
    *,
    run_date: date,
    company_ids: Iterable[int] | None = None,
    lines_source: Callable | None = None,
    progress: Callable[[int, int], None] | None = None,
    render_pdfs: bool = True,
    issue_date: date | None = None,
    catch_up: bool = True,
) -> RunResult:
    """Bill every service due for the period before ``run_date``: one finalised invoice per company with
    its service lines, waiting charges and usage, and unbilled remote-hands time. Safe to repeat (see module
    doc). Months whose runs were missed are billed first, oldest first, one invoice per company and month
    (``catch_up``, at most ``BILLING_CATCH_UP_MONTHS``).

    Invoices are issued today unless ``issue_date`` is given (the demo dates its history back)."""
    boundary = run_date.replace(day=1)
    whole_run = company_ids is None
    boundaries = [boundary]
    if catch_up and whole_run:
        boundaries = [*_month_boundaries_missed(boundary, conf.catch_up_months()), boundary]
    result = None
    for month in boundaries:
        part = _run_month(
            run_date=month,
            company_ids=company_ids,
            lines_source=lines_source,
            progress=progress,
            render_pdfs=render_pdfs,
            issue_date=issue_date,
        )
        if whole_run:
            _record_run(part)
        if result is None:
            result = part
        else:
            result.merge(part)
    logger.info("billing run %s: %s", run_date, result.summary())
    return result


def _record_run(result: RunResult) -> None:
    """Note that the month's run went to the end (what the next run's catch-up reads)."""
    with transaction.atomic():
        record, _created = BillingRunRecord.objects.select_for_update().get_or_create(
            period_end=result.period_end,
            defaults={"period_start": result.period_start, "last_run_at": timezone.now()},
        )
        record.last_run_at = timezone.now()
        record.runs += 1
        record.invoices += len(result.invoices)
        record.lines += result.lines
        record.summary = result.summary()[:300]
        record.save()


def _run_month(
    *,
    run_date: date,
    company_ids: Iterable[int] | None,
    lines_source: Callable | None,
    progress: Callable[[int, int], None] | None,
    render_pdfs: bool,
    issue_date: date | None,
) -> RunResult:
    """One month's run (the periods that ended on the first day of ``run_date``'s month).

    What is already billed is read once for the whole run (one query) and dropped before any company is
    touched, so a repeated run costs a few queries, not a transaction per company; each company's
    transaction still re-reads its own claims under the row lock (concurrent runs)."""
    from accounts.models import Company

    period_start, period_end = period_due(run_date)
    source = lines_source or _catalog_lines
    result = RunResult(period_start=period_start, period_end=period_end)
    wanted_ids = set(company_ids) if company_ids is not None else None
    due_lines: list[DueLine] = []
    for recurring_period, (window_start, window_end) in periods_due(run_date).items():
        for line in source(period_start=window_start, period_end=window_end):
            if wanted_ids is not None and line.company_id not in wanted_ids:
                continue
            if line.kind == LineKind.RECURRING:
                # A plan period is billed only in the run for its own period length.
                if (line.recurring_period or MONTHLY) != recurring_period:
                    continue
            elif recurring_period != MONTHLY:
                continue  # one-time lines come from the month's window only
            due_lines.append(DueLine(line, window_start, window_end))
    by_company: dict[int, list[DueLine]] = defaultdict(list)
    if due_lines:
        widest_start = min(item.window_start for item in due_lines)
        widest_end = max(item.window_end for item in due_lines)
        billed = _billed_ranges(None, widest_start, widest_end)
        for item in due_lines:
            if _is_billed(item.line, billed):
                result.already_billed += 1
            else:
                by_company[item.line.company_id].append(item)
    charge_companies = set(selectors.pending_charges_all().values_list("company_id", flat=True))
    time_companies = _remote_hands_companies(period_start, period_end)
    wanted = set(by_company) | charge_companies | time_companies
    # Read once for the run: the tax rates, and which companies have charges or remote-hands time waiting (a
    # charge added while the run goes waits for the next one).
    tax_rates = list(TaxRate.objects.filter(is_active=True))
    if wanted_ids is not None:
        wanted &= wanted_ids
    companies = Company.objects.in_bulk(sorted(wanted))
    ordered = sorted(companies)
    result.companies = len(ordered)
    billed_until: dict[int, date] = {}
    for index, company_id in enumerate(ordered, start=1):
        company_billed_until: dict[int, date] = {}
        try:
            invoice = _bill_company(
                company=companies[company_id],
                due_lines=by_company.get(company_id, []),
                period_start=period_start,
                period_end=period_end,
                result=result,
                render_pdf=render_pdfs,
                issue_date=issue_date,
                billed_until=company_billed_until,
                tax_rates=tax_rates,
                has_charges=company_id in charge_companies,
                has_time=company_id in time_companies,
            )
        except IntegrityError:
            # Another run billed the same key between our check and our insert: its invoice stands.
            result.conflicts += 1
            invoice = None
        if invoice is not None:
            result.invoices.append(invoice.pk)
            # Told to the catalog once the whole month is billed: one bulk write per run, not per service.
            _merge_billed_until(billed_until, company_billed_until)
        if progress:
            progress(index, len(ordered))
    _record_next_billing_dates(billed_until)
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
def _bill_company(
    *,
    company,
    due_lines,
    period_start,
    period_end,
    result: RunResult,
    render_pdf: bool,
    issue_date: date | None,
    billed_until: dict[int, date],
    tax_rates: list | None = None,
    has_charges: bool = True,
    has_time: bool = True,
) -> Invoice | None:
    from accounts.models import Company

    # Serialise runs per company (PostgreSQL row lock; SQLite serialises writers anyway).
    Company.objects.select_for_update().filter(pk=company.pk).values_list("pk").get()
    profile = services.billing_profile_for(company=company)
    tax_rate = selectors.tax_rate_for(company=company, profile=profile, rates=tax_rates)
    widest_start = min((item.window_start for item in due_lines), default=period_start)
    widest_end = max((item.window_end for item in due_lines), default=period_end)
    ranges = _billed_ranges({item.line.service_id for item in due_lines}, widest_start, widest_end)
    due = []
    for item in due_lines:
        line = item.line
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
        due.append(item)
        ranges[line.service_id].append((line.period_start, line.period_end, line.kind, _component(line)))
    charges = list(selectors.pending_charges(company=company).select_for_update()) if has_charges else []
    time_entries = list(_unbilled_time(company, period_start, period_end)) if has_time else []
    if not (due or charges or time_entries):
        return None
    invoice = services.invoice_create_draft(company=company, period_start=period_start, period_end=period_end)
    new_lines = []
    position = 0

    def order(item):
        return (item.line.service_id, _component(item.line) != "plan", item.line.period_start, item.line.kind)

    for item in sorted(due, key=order):
        line = item.line
        position += 1
        recurring = line.kind == LineKind.RECURRING
        factor = (
            proration(
                line_start=line.period_start,
                line_end=line.period_end,
                period_start=item.window_start,
                period_end=item.window_end,
            )
            if recurring
            else Decimal(1)
        )
        if recurring:
            billed_until[line.service_id] = max(item.window_end, billed_until.get(line.service_id, item.window_end))
        new_lines.append(
            _line(
                invoice=invoice,
                position=position,
                kind=line.kind,
                description=_describe(item)[:300],
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=tax_rate if line.taxable else Decimal(0),
                proration=factor,
                service_id=line.service_id,
                component=_component(line),
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
                kind=charge.kind or LineKind.MANUAL_CHARGE,
                description=charge.title,
                quantity=charge.quantity,
                unit_price=charge.unit_price,
                tax_rate=tax_rate if charge.taxable else Decimal(0),
                charge=charge,
                service_id=charge.service_id,
                period_start=charge.period_start,
                period_end=charge.period_end,
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
    invoice = services.invoice_finalise(invoice=invoice, render_pdf=render_pdf, issue_date=issue_date)
    if time_entries:
        from tickets.services import billable_work_mark_billed

        billable_work_mark_billed(time_entries=time_entries, reference=invoice.number)
    result.lines += len(new_lines)
    return invoice


PERIOD_NAMES = {MONTHLY: _lazy("monthly"), QUARTERLY: _lazy("quarterly"), ANNUAL: _lazy("annual")}


def _describe(item: DueLine) -> str:
    """The line's description: the catalog's (product, plan, service label) and the dates it covers, e.g.
    ``Rack unit (1U): Quarterly (R12), 15 Feb 2025 – 31 Mar 2025 (quarterly, 45 of 90 days)``."""
    line = item.line
    last_day = line.period_end - timedelta(days=1)
    if line.kind != LineKind.RECURRING:
        return _("%(what)s, %(day)s") % {"what": line.description, "day": f"{line.period_start:%d %b %Y}"}
    days = (line.period_end - line.period_start).days
    days_in_period = (item.window_end - item.window_start).days
    detail = str(PERIOD_NAMES.get(line.recurring_period or MONTHLY, line.recurring_period))
    if days < days_in_period:
        detail = _("%(period)s, %(days)s of %(total)s days") % {
            "period": detail,
            "days": days,
            "total": days_in_period,
        }
    return _("%(what)s, %(first)s – %(last)s (%(detail)s)") % {
        "what": line.description,
        "first": f"{line.period_start:%d %b %Y}",
        "last": f"{last_day:%d %b %Y}",
        "detail": detail,
    }


def _merge_billed_until(into: dict[int, date], company: dict[int, date]) -> None:
    for service_id, until in company.items():
        into[service_id] = max(until, into.get(service_id, until))


def _record_next_billing_dates(billed_until: dict[int, date]) -> None:
    """Tell the catalog how far each service is now invoiced; only ever forwards (a late re-run of an older
    date must not move it back). Services the catalog does not know (test sources) are skipped.

    One bulk call to the catalog (``service_set_next_billing_dates``: one UPDATE per distinct date)."""
    if not billed_until:
        return
    from catalog import services as catalog_services
    from catalog.models import Service

    current = dict(Service.objects.filter(pk__in=list(billed_until)).values_list("pk", "next_billing_date"))
    forward = {
        service_id: until
        for service_id, until in sorted(billed_until.items())
        if service_id in current and (current[service_id] is None or current[service_id] < until)
    }
    if not forward:
        return
    catalog_services.service_set_next_billing_dates(service_dates=forward)


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
