"""Reads of the billing app that span models: balances, tax rates, what waits for the next invoice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from billing.choices import UNPAID_STATUSES, InvoiceStatus
from billing.models import BillingProfile, Charge, CreditNote, Invoice, TaxRate
from core.models import choice_labels
from core.money import ZERO

MONEY = DecimalField(max_digits=16, decimal_places=4)


def tax_rate_for(*, company, profile: BillingProfile | None = None, rates=None) -> Decimal:
    """The tax rate (percent) applied to ``company``'s taxable lines.

    Tax-exempt companies pay none; otherwise a rate set for the company wins, then one for its country and
    region, then one for its country alone; no match means 0. ``rates`` lets a run pass preloaded rates.
    """
    if profile is None:
        profile = BillingProfile.objects.filter(company=company).first()
    if profile is not None and profile.tax_exempt:
        return ZERO
    if rates is None:
        rates = list(TaxRate.objects.filter(Q(company=company) | Q(country=company.country), is_active=True))
    active = [rate for rate in rates if rate.is_active]
    for match in (
        lambda r: r.company_id == company.pk,
        lambda r: r.company_id is None and r.country == company.country and r.region and r.region == company.region,
        lambda r: r.company_id is None and r.country == company.country and not r.region,
    ):
        found = [rate for rate in active if match(rate)]
        if found:
            return found[0].rate
    return ZERO


def invoices_with_balance(queryset=None):
    """Invoices annotated with ``balance`` (total − paid − credit applied)."""
    queryset = queryset if queryset is not None else Invoice.objects.all()
    return queryset.annotate(
        balance=ExpressionWrapper(F("total") - F("amount_paid") - F("credit_applied"), output_field=MONEY)
    )


@dataclass(frozen=True)
class CompanyBalance:
    """What a company owes: unpaid invoices less unused credit (negative means the company is in credit)."""

    currency: str
    outstanding: Decimal
    overdue: Decimal
    credit: Decimal
    open_invoices: int

    @property
    def balance(self) -> Decimal:
        return self.outstanding - self.credit


def company_balance(*, company) -> CompanyBalance:
    """The company's balance in one statement (``billing.statements``): its unpaid invoices less unused credit,
    in its billing profile's currency."""
    from billing.statements import balance_figures

    outstanding, overdue, count, credit, currency = balance_figures(getattr(company, "pk", company))
    return CompanyBalance(
        currency=currency or "USD", outstanding=outstanding, overdue=overdue, credit=credit, open_invoices=count
    )


def pending_charges(*, company):
    """Charges not yet on a (non-void) invoice and not cancelled."""
    return (
        Charge.objects.filter(company=company, cancelled_at__isnull=True)
        .exclude(lines__released=False)
        .order_by("created", "pk")
    )


def available_credit_notes(*, company, currency: str):
    """Credit notes with something left to apply, oldest first."""
    return CreditNote.objects.filter(company=company, currency=currency, remaining__gt=0).order_by("issue_date", "pk")


def dashboard_cards(request) -> list[dict]:
    """Admin dashboard figures: receivables and overdue."""
    from django.urls import reverse

    if not request.user.has_perm("billing.view_invoice"):
        return []
    totals = invoices_with_balance(Invoice.objects.filter(status__in=UNPAID_STATUSES)).aggregate(
        receivable=Coalesce(Sum("balance"), Value(ZERO), output_field=MONEY),
        overdue=Coalesce(Sum("balance", filter=Q(status=InvoiceStatus.OVERDUE)), Value(ZERO), output_field=MONEY),
    )
    return [
        {
            "title": "Receivables",
            "value": f"{totals['receivable']:,.2f}",
            "link": reverse("admin:billing_invoice_changelist"),
            "footer": f"{totals['overdue']:,.2f} overdue",
        }
    ]


def pending_charges_all():
    """Every company's charges waiting for an invoice."""
    return Charge.objects.filter(cancelled_at__isnull=True).exclude(lines__released=False)


def invoice_rows(queryset) -> list[dict]:
    """The invoices of ``queryset`` (tenancy-scoped, in its order; sliced or not) as plain rows for the portal's
    invoice tables: ``pk``, ``number``, ``issue_date``, ``due_date``, ``status``, ``status_label``, ``total``,
    ``currency``, ``balance_due``. One read of those columns: whole rows (26 columns) and the template's lookups
    through instances were a third of the invoice list's own CPU."""
    labels = choice_labels(Invoice, "status")
    rows = queryset.values_list(
        "pk", "number", "issue_date", "due_date", "status", "total", "currency", "amount_paid", "credit_applied"
    )
    return [
        {
            "pk": pk,
            "number": number,
            "issue_date": issue_date,
            "due_date": due_date,
            "status": status,
            "status_label": labels.get(status, status),
            "total": total,
            "currency": currency,
            "balance_due": Invoice.balance_of(status, total, paid, credit),
        }
        for pk, number, issue_date, due_date, status, total, currency, paid, credit in rows
    ]
