"""Bandwidth usage of the catalog's 95th-percentile services per period, the month-end report and overage billing.

* :func:`usage_compute` works out every service's period (``BandwidthUsage``) from its ports' RRD files: one
  ``rrdtool xport`` per service, a constant number of queries for any number of services.
* :func:`overage_bill` turns each final period over its commit into one usage charge through
  ``billing.services.usage_charge_record`` (key ``bandwidth-overage:<service>:<YYYY-MM>``): a rerun bills
  nothing twice.
* :func:`month_end_run` (scheduled on the 1st) does both for the previous month and e-mails billing and the
  NOC the report (also in the admin and as CSV: ``monitoring.views.bandwidth_report_csv``).

Overage: the billed 95th percentile (``catalog.Product.bandwidth_measure``), capped at the burst ceiling when the
product has one (traffic above it cannot pass the port's shaper), minus the commit; both scale with the
service's quantity. It is priced at the plan's ``overage_price`` per Mbit/s; without a price it is reported
but not billed.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from collector.rrd import rrd_path
from monitoring.bandwidth import deliver
from monitoring.models import BandwidthReport, BandwidthUsage
from monitoring.usage import month_period, period_timestamps, previous_month, usage_from_rrd

CHARGE_SOURCE = "monitoring.bandwidth"
MBPS = Decimal("0.01")
BILLED_STATUSES = ("active", "suspended", "cancellation_requested", "cancelled", "terminated")


def charge_key(service_id: int, period_start: date) -> str:
    """The idempotency key of a service's overage charge for a period."""
    return f"bandwidth-overage:{service_id}:{period_start:%Y-%m}"


def bandwidth_services(*, period_start: date, period_end: date):
    """The 95th-percentile bandwidth services billed at some time within the period."""
    service_model = apps.get_model("catalog", "Service")
    return (
        service_model.objects.filter(
            plan__product__kind="bandwidth",
            plan__product__bandwidth_billing="percentile_95",
            plan__product__commit_mbps__isnull=False,
            status__in=BILLED_STATUSES,
            billing_start_date__lt=period_end,
        )
        .filter(Q(billing_end_date__isnull=True) | Q(billing_end_date__gt=period_start))
        .select_related("plan__product", "company")
        .order_by("pk")
    )


def service_rrd_paths(service_ids) -> dict[int, list]:
    """The RRD files of each service's ports (one query)."""
    service_model = apps.get_model("catalog", "Service")
    paths: dict[int, list] = defaultdict(list)
    rows = service_model.interfaces.through.objects.filter(service_id__in=list(service_ids)).values_list(
        "service_id", "interface__device_id", "interface__name"
    )
    for service_id, device_id, name in rows.order_by("service_id", "interface_id"):
        paths[service_id].append(rrd_path(settings.MONITORING_RRD_DIR, device_id, name))
    return paths


def _mbps(bps: float | None) -> Decimal | None:
    return None if bps is None else (Decimal(repr(bps)) / Decimal(1_000_000)).quantize(MBPS, rounding=ROUND_HALF_UP)


def usage_for(service, *, paths, period_start: date, period_end: date) -> BandwidthUsage:
    """A service's usage of a period (unsaved), from its ports' files; the period is clipped to the dates the
    service was billed."""
    from billing.money import round_money

    product = service.plan.product
    quantity = service.quantity or Decimal(1)
    start_day = max(period_start, service.billing_start_date or period_start)
    end_day = min(period_end, service.billing_end_date or period_end)
    start, end = period_timestamps(start_day, end_day)
    measure = product.bandwidth_measure or "larger"
    figures = usage_from_rrd(paths, start=start, end=end, with_sum=measure == "sum")
    commit = int(Decimal(product.commit_mbps) * quantity)
    burst = int(Decimal(product.burst_mbps) * quantity) if product.burst_mbps else None
    billed = figures.billed_bps(measure)
    billed_mbps = _mbps(billed)
    if billed_mbps is not None and burst is not None:
        billed_mbps = min(billed_mbps, Decimal(burst))
    overage = max(Decimal(0), (billed_mbps or Decimal(0)) - commit)
    price = service.plan.overage_price
    amount = round_money(overage * price, service.plan.currency) if price is not None and overage else Decimal(0)
    return BandwidthUsage(
        service=service,
        period_start=period_start,
        period_end=period_end,
        samples=figures.samples,
        expected_samples=figures.expected_samples,
        in_p95_bps=figures.in_p95_bps,
        out_p95_bps=figures.out_p95_bps,
        billed_p95_bps=None if billed_mbps is None else float(billed_mbps) * 1e6,
        in_bytes=figures.in_bytes,
        out_bytes=figures.out_bytes,
        commit_mbps=commit,
        burst_mbps=burst,
        overage_mbps=overage,
        overage_price=price,
        overage_amount=amount,
        currency=service.plan.currency,
    )


USAGE_FIELDS = (
    "period_end",
    "samples",
    "expected_samples",
    "in_p95_bps",
    "out_p95_bps",
    "billed_p95_bps",
    "in_bytes",
    "out_bytes",
    "commit_mbps",
    "burst_mbps",
    "overage_mbps",
    "overage_price",
    "overage_amount",
    "currency",
    "final",
    "computed_at",
)


@transaction.atomic
def usage_compute(
    *, period_start: date, period_end: date, services=None, final: bool = False, progress=None
) -> list[BandwidthUsage]:
    """Work out (and store) the period's usage of every bandwidth service (or of ``services``).

    A period already made final is kept as it was (the month-end report and its bill do not move). Queries:
    a constant number for any number of services; RRD: one ``xport`` per service.
    """
    queryset = bandwidth_services(period_start=period_start, period_end=period_end)
    if services is not None:
        queryset = queryset.filter(pk__in=[getattr(service, "pk", service) for service in services])
    service_list = list(queryset)
    done = set(
        BandwidthUsage.objects.filter(period_start=period_start, final=True).values_list("service_id", flat=True)
    )
    todo = [service for service in service_list if service.pk not in done]
    paths = service_rrd_paths(service.pk for service in todo)
    now = timezone.now()
    usages = []
    for index, service in enumerate(todo):
        usage = usage_for(service, paths=paths.get(service.pk, []), period_start=period_start, period_end=period_end)
        usage.final = final
        usage.computed_at = now
        usages.append(usage)
        if progress is not None:
            progress(index + 1, len(todo))
    for usage in usages:
        # The service was just read: no need for full_clean to look it up again (one query per row).
        usage.full_clean(exclude=["service"], validate_unique=False, validate_constraints=False)
    BandwidthUsage.objects.bulk_create(
        usages,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["service", "period_start"],
        update_fields=list(USAGE_FIELDS),
    )
    stored = BandwidthUsage.objects.filter(period_start=period_start).select_related(
        "service__company", "service__plan__product"
    )
    if services is not None:
        stored = stored.filter(service__in=service_list)
    return list(stored)


def usage_refresh_current(*, today: date | None = None) -> int:
    """The running month's figures of every bandwidth service (not final); returns how many."""
    start, end = month_period(today or timezone.localdate())
    return len(usage_compute(period_start=start, period_end=end))


def _describe(usage: BandwidthUsage) -> str:
    return (
        f"Bandwidth overage {usage.period_start:%B %Y}: 95th percentile {usage.billed_p95_mbps:,.2f} Mbit/s "
        f"over the {usage.commit_mbps:,} Mbit/s commit of {usage.service}"
    )


@transaction.atomic
def overage_bill(*, usages) -> int:
    """Record a usage charge for every final period over commit with a price not billed yet; returns how many.

    One call to ``billing.services.usage_charges_record`` for all of them (a constant number of queries,
    whatever the number of services over commit). Idempotent: the charge key names the service and month, so a
    second run (or a race) gets the first charges back and nothing new.
    """
    from billing.services import UsageCharge, usage_charges_record

    due = [usage for usage in usages if usage.final and usage.overage_amount > 0 and not usage.charge_id]
    charges = usage_charges_record(
        usages=[
            UsageCharge(
                company=usage.service.company,
                service=usage.service,
                description=_describe(usage),
                quantity=usage.overage_mbps,
                unit_price=usage.overage_price,
                period_start=usage.period_start,
                period_end=usage.period_end,
                source=CHARGE_SOURCE,
                key=charge_key(usage.service_id, usage.period_start),
            )
            for usage in due
        ]
    )
    for usage, charge in zip(due, charges, strict=True):
        usage.charge_id = charge.pk
    BandwidthUsage.objects.bulk_update(due, ["charge_id"], batch_size=1000)
    return len(due)


def report_rows(*, period_start: date):
    """The report's rows: the period's usage over commit, by customer."""
    return (
        BandwidthUsage.objects.filter(period_start=period_start, overage_mbps__gt=0)
        .select_related("service__company", "service__plan__product")
        .order_by("service__company__name", "service_id")
    )


REPORT_COLUMNS = (
    "customer",
    "service",
    "commit (Mbit/s)",
    "95th percentile (Mbit/s)",
    "in 95th (Mbit/s)",
    "out 95th (Mbit/s)",
    "overage (Mbit/s)",
    "price per Mbit/s",
    "amount",
    "currency",
    "in (GB)",
    "out (GB)",
    "samples",
)


def report_csv(*, period_start: date) -> str:
    """The report as CSV (one row per service over commit)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for usage in report_rows(period_start=period_start):
        writer.writerow(
            [
                usage.service.company.name,
                str(usage.service),
                usage.commit_mbps,
                usage.billed_p95_mbps,
                None if usage.in_p95_bps is None else round(usage.in_p95_bps / 1e6, 2),
                None if usage.out_p95_bps is None else round(usage.out_p95_bps / 1e6, 2),
                usage.overage_mbps,
                usage.overage_price if usage.overage_price is not None else "",
                usage.overage_amount,
                usage.currency,
                round(usage.in_bytes / 1e9, 2),
                round(usage.out_bytes / 1e9, 2),
                f"{usage.samples}/{usage.expected_samples}",
            ]
        )
    return out.getvalue()


def report_recipients() -> list[str]:
    """Billing and the NOC: the configured addresses and the active staff in the Billing and NOC groups."""
    from django.contrib.auth import get_user_model

    from accounts.choices import StaffRole

    addresses = [settings.MONITORING_BILLING_EMAIL, settings.MONITORING_NOC_EMAIL]
    addresses += list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name__in=[StaffRole.BILLING, StaffRole.NOC])
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(dict.fromkeys(address for address in addresses if address))


def _report_text(report: BandwidthReport, rows) -> str:
    lines = [
        f"Bandwidth overage report for {report.period_start:%B %Y}",
        f"{report.services} bandwidth services measured; {report.services_over} over commit; "
        f"{report.charges_recorded} overage charges recorded for the next invoices.",
        "",
    ]
    if not rows:
        lines.append("No customer was over commit.")
    for usage in rows:
        lines.append(
            f"- {usage.service.company.name}, {usage.service}: commit {usage.commit_mbps:,} Mbit/s, "
            f"95th percentile {usage.billed_p95_mbps:,.2f} Mbit/s, overage {usage.overage_mbps:,} Mbit/s, "
            f"amount {usage.overage_amount} {usage.currency}"
        )
    lines += ["", "The same figures are in the admin (Monitoring, Bandwidth overage reports) and attached as CSV."]
    return "\n".join(lines)


@dataclass
class MonthEndResult:
    """What one month-end run did."""

    report: BandwidthReport
    measured: int
    over: int
    charged: int
    emailed: bool

    def summary(self) -> str:
        return (
            f"{self.report.period_start:%Y-%m}: {self.measured} services measured, {self.over} over commit, "
            f"{self.charged} charges recorded" + (", report e-mailed" if self.emailed else "")
        )


def month_end_run(*, run_date: date | None = None, progress=None) -> MonthEndResult:
    """Close the month before ``run_date`` (default today): final usage, overage charges, the report e-mail.

    Safe to rerun: final periods are not recomputed, each charge is recorded once, the e-mail is sent once.
    """
    period_start, period_end = previous_month(run_date or timezone.localdate())
    usages = usage_compute(period_start=period_start, period_end=period_end, final=True, progress=progress)
    charged = overage_bill(usages=usages)
    with transaction.atomic():
        report, _created = BandwidthReport.objects.select_for_update().get_or_create(
            period_start=period_start, defaults={"period_end": period_end}
        )
        rows = list(report_rows(period_start=period_start))
        report.services = len(usages)
        report.services_over = len(rows)
        report.charges_recorded = sum(1 for usage in usages if usage.charge_id)
        emailed = report.sent_at is None
        if emailed:
            report.sent_at = timezone.now()
        report.save()
        if emailed:
            message = EmailMessage(
                subject=f"[ServerStock] Bandwidth overage report {period_start:%B %Y}: {len(rows)} over commit",
                body=_report_text(report, rows),
                to=report_recipients(),
            )
            message.attach(
                f"bandwidth-overage-{period_start:%Y-%m}.csv", report_csv(period_start=period_start), "text/csv"
            )
            transaction.on_commit(lambda: deliver(message))
    return MonthEndResult(report=report, measured=len(usages), over=len(rows), charged=charged, emailed=emailed)
