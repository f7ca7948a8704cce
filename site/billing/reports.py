"""Reads for staff and accounting: revenue by month and the CSV exports of invoices (with their lines) and
payments over a date range. Each is a constant number of queries whatever the number of rows; money is summed
in Python as ``Decimal`` (SQLite would sum decimals as floats)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from billing.choices import UNPAID_STATUSES, CreditNoteKind, InvoiceStatus
from billing.models import CreditNote, Invoice, InvoiceLine, Payment, PaymentAllocation
from core.exports import csv_writer
from core.money import ZERO, round_money


@dataclass
class RevenueMonth:
    """One month in one currency: invoiced (finalised, not void, by issue date), paid (payments received),
    credited (credit notes issued, overpayments excepted) and outstanding (what is still unpaid of the
    invoices issued that month)."""

    month: date
    currency: str
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    credited: Decimal = ZERO
    outstanding: Decimal = ZERO
    invoices: int = 0


def _month(day: date) -> date:
    return day.replace(day=1)


def revenue_by_month(*, start: date, end: date) -> list[RevenueMonth]:
    """Revenue per month and currency between ``start`` and ``end`` (inclusive), newest first. Four queries."""
    months: dict[tuple[date, str], RevenueMonth] = {}

    def row(day: date, currency: str) -> RevenueMonth:
        key = (_month(day), currency)
        if key not in months:
            months[key] = RevenueMonth(month=key[0], currency=currency)
        return months[key]

    invoices = (
        Invoice.objects.filter(issue_date__gte=start, issue_date__lte=end)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID])
        .values_list("issue_date", "currency", "status", "total", "amount_paid", "credit_applied")
    )
    for issued, currency, status, total, paid, credit in invoices:
        month = row(issued, currency)
        month.invoiced += total
        month.invoices += 1
        if status in UNPAID_STATUSES:
            month.outstanding += total - paid - credit
    for received, currency, amount in Payment.objects.filter(received_on__gte=start, received_on__lte=end).values_list(
        "received_on", "currency", "amount"
    ):
        row(received, currency).paid += amount
    notes = (
        CreditNote.objects.filter(issue_date__gte=start, issue_date__lte=end)
        .exclude(kind=CreditNoteKind.OVERPAYMENT)
        .values_list("issue_date", "currency", "amount")
    )
    for issued, currency, amount in notes:
        row(issued, currency).credited += amount
    return sorted(months.values(), key=lambda item: (item.month, item.currency), reverse=True)


def _money(amount: Decimal, currency: str) -> Decimal:
    return round_money(amount, currency)


def _plain(value: Decimal) -> str:
    """A quantity or rate without trailing zeros (2.5000 → 2.5)."""
    return f"{Decimal(value).normalize():f}"


class _Echo:
    def write(self, value):
        return value


INVOICE_COLUMNS = [
    "invoice_number",
    "status",
    "company",
    "account_number",
    "tax_id",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    "currency",
    "invoice_subtotal",
    "invoice_tax",
    "invoice_total",
    "invoice_paid",
    "invoice_credit_applied",
    "line_position",
    "line_kind",
    "line_description",
    "quantity",
    "unit_price",
    "proration",
    "net_amount",
    "tax_rate",
    "tax_amount",
    "line_total",
    "service_id",
    "line_period_start",
    "line_period_end",
]


def invoices_csv_rows(*, start: date, end: date) -> Iterator[str]:
    """CSV (header first) of the finalised invoices issued between ``start`` and ``end`` (inclusive), one row
    per line with the invoice's figures repeated; void invoices are listed with their status. Two queries."""
    writer = csv_writer(_Echo())
    yield writer.writerow(INVOICE_COLUMNS)
    invoices = (
        Invoice.objects.filter(issue_date__gte=start, issue_date__lte=end)
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("company")
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "pk")))
        .order_by("issue_date", "number")
    )
    for invoice in invoices:
        head = [
            invoice.number,
            invoice.status,
            invoice.company.name,
            invoice.company.account_number,
            invoice.tax_id,
            invoice.issue_date,
            invoice.due_date,
            invoice.period_start or "",
            invoice.period_end or "",
            invoice.currency,
            _money(invoice.subtotal, invoice.currency),
            _money(invoice.tax_total, invoice.currency),
            _money(invoice.total, invoice.currency),
            _money(invoice.amount_paid, invoice.currency),
            _money(invoice.credit_applied, invoice.currency),
        ]
        for line in invoice.lines.all():
            yield writer.writerow(
                [
                    *head,
                    line.position,
                    line.kind,
                    line.description,
                    _plain(line.quantity),
                    _money(line.unit_price, invoice.currency),
                    _plain(line.proration),
                    _money(line.net_amount, invoice.currency),
                    _plain(line.tax_rate),
                    _money(line.tax_amount, invoice.currency),
                    _money(line.total_amount, invoice.currency),
                    line.service_id or "",
                    line.period_start or "",
                    line.period_end or "",
                ]
            )


PAYMENT_COLUMNS = [
    "received_on",
    "company",
    "account_number",
    "method",
    "amount",
    "currency",
    "reference",
    "gateway_reference",
    "allocated_to",
    "unallocated",
]


def payments_csv_rows(*, start: date, end: date) -> Iterator[str]:
    """CSV (header first) of the payments received between ``start`` and ``end`` (inclusive), with the
    invoices each settled (``INV-000012:100.00;…``) and what became credit. Two queries."""
    writer = csv_writer(_Echo())
    yield writer.writerow(PAYMENT_COLUMNS)
    payments = (
        Payment.objects.filter(received_on__gte=start, received_on__lte=end)
        .select_related("company")
        .prefetch_related(
            Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("invoice").order_by("pk"))
        )
        .order_by("received_on", "pk")
    )
    for payment in payments:
        allocations = list(payment.allocations.all())
        allocated = defaultdict(Decimal)
        for allocation in allocations:
            allocated[allocation.invoice.number] += allocation.amount
        yield writer.writerow(
            [
                payment.received_on,
                payment.company.name,
                payment.company.account_number,
                payment.method,
                _money(payment.amount, payment.currency),
                payment.currency,
                payment.reference,
                payment.gateway_reference,
                ";".join(f"{number}:{_money(amount, payment.currency)}" for number, amount in allocated.items()),
                _money(payment.amount - sum(allocated.values(), ZERO), payment.currency),
            ]
        )
