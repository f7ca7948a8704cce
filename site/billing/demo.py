"""Demo billing: profiles and a tax rate for Acme and Globex, and two recurring runs over the catalog's demo
services, so Acme has a paid invoice and an open one, and Globex an overdue one. Idempotent: the runs bill
nothing twice and the payment is recorded only while the invoice is unpaid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Company
from billing import services
from billing.choices import UNPAID_STATUSES, PaymentMethod
from billing.models import Invoice, TaxRate
from billing.services.runs import billing_run
from core.demo import demo_step

# company name -> payment terms (days), billing e-mail
PROFILES = {
    "Acme Hosting": (45, "accounts@acme.example"),
    "Globex": (14, "ap@globex.example"),
}


def _tax_rate(company: Company) -> None:
    """A sales tax for the company's country (or for the company itself when it has no country)."""
    if company.country:
        if not TaxRate.objects.filter(company__isnull=True, country=company.country, region="").exists():
            rate = TaxRate(name=f"Sales tax ({company.country})", rate=Decimal("8.875"), country=company.country)
            rate.full_clean()
            rate.save()
    elif not TaxRate.objects.filter(company=company).exists():
        rate = TaxRate(name="Sales tax", rate=Decimal("8.875"), company=company)
        rate.full_clean()
        rate.save()


@demo_step("Billing", order=50)
def load_billing() -> str:
    """Profiles, tax, the run for the month before last (issued then) and for last month (issued on the 1st),
    a bank transfer paying Acme's older invoice, and overdue marking."""
    companies = list(Company.objects.filter(name__in=PROFILES))
    if not companies:
        return "no demo companies; nothing billed"
    for company in companies:
        terms, email = PROFILES[company.name]
        services.billing_profile_update(company=company, payment_terms_days=terms, billing_email=email)
        _tax_rate(company)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    ids = [company.pk for company in companies]
    older = billing_run(run_date=last_month, company_ids=ids, issue_date=last_month, render_pdfs=False)
    newer = billing_run(run_date=this_month, company_ids=ids, issue_date=this_month, render_pdfs=False)
    acme = next((company for company in companies if company.name == "Acme Hosting"), None)
    paid = 0
    if acme is not None:
        first = (
            Invoice.objects.filter(company=acme, period_start=(last_month - timedelta(days=1)).replace(day=1))
            .exclude(number__isnull=True)
            .order_by("issue_date", "pk")
            .first()
        )
        if first is not None and first.status in UNPAID_STATUSES:
            services.payment_record(
                company=acme,
                amount=first.balance_due,
                method=PaymentMethod.BANK_TRANSFER,
                received_on=first.issue_date + timedelta(days=10),
                reference="Demo bank transfer",
                invoice=first,
            )
            paid = 1
    overdue = services.invoices_mark_overdue(today=today)
    created = len(older.invoices) + len(newer.invoices)
    return f"{created} invoices issued, {paid} payments recorded, {overdue} marked overdue"
