"""Billing benchmark: the recurring run over 10,000 active services of 2,000 companies, beside a reference run
of 1,000 services of 200 companies in the same process and database; a second run (nothing to do); PDF
rendering (100 invoices beside 10).

``python -m tests.bench billing`` (or ``make bench BENCH=billing``). Data are bulk-created (five monthly
services per company, one with an add-on option, active since the start of the billed month), so only the run
itself is measured. The run must scale linearly: the queries per invoice are the same at both sizes.
"""

from __future__ import annotations

import logging
import sys
from datetime import date
from decimal import Decimal

from tests.bench import harness

RUN_DATE = date(2025, 2, 1)
BILLED_FROM = date(2025, 1, 1)
SERVICES_PER_COMPANY = 5


def build(*, prefix: str, companies: int, plan, option) -> list[int]:
    """``companies`` companies with five active monthly services each (the first with ``option``); returns the
    company ids. Bulk-created: the catalog's lifecycle is not what is measured here."""
    from accounts.models import Company
    from catalog.choices import ServiceStatus
    from catalog.models import Service, ServicePlanPeriod

    created = Company.objects.bulk_create(
        Company(
            name=f"{prefix} company {number}",
            account_number=f"{prefix[:3]}{number:06d}",
            country="US",
            email=f"billing{number}@{prefix.lower()}.example",
        )  # fmt: skip
        for number in range(companies)
    )
    ids = [company.pk for company in created] if created[0].pk else list(
        Company.objects.filter(name__startswith=f"{prefix} company ").values_list("pk", flat=True)
    )  # fmt: skip
    services = Service.objects.bulk_create(
        Service(
            company_id=company_id,
            plan=plan,
            label=f"Cabinet {index}",
            status=ServiceStatus.ACTIVE,
            contract_start=BILLED_FROM,
            billing_start_date=BILLED_FROM,
        )
        for company_id in ids
        for index in range(SERVICES_PER_COMPANY)
    )
    if services[0].pk is None:
        services = list(Service.objects.filter(company_id__in=ids).order_by("pk"))
    ServicePlanPeriod.objects.bulk_create(
        ServicePlanPeriod(
            service=service, plan=plan, quantity=Decimal("1"), unit_price=plan.recurring_amount, starts_on=BILLED_FROM
        )
        for service in services
    )
    Through = Service.options.through
    Through.objects.bulk_create(
        Through(service_id=service.pk, productoption_id=option.pk) for service in services[::SERVICES_PER_COMPANY]
    )
    return ids


def catalog_plan():
    from catalog.choices import BillingPeriod, ProductKind
    from catalog.models import Plan, Product, ProductCategory, ProductOption

    category = ProductCategory.objects.create(name="Colocation", slug="colocation")
    product = Product.objects.create(category=category, kind=ProductKind.COLOCATION_FULL, name="Cabinet", slug="cab")
    plan = Plan.objects.create(
        product=product, name="Full rack", recurring_period=BillingPeriod.MONTHLY, recurring_amount=Decimal("900.00")
    )
    option = ProductOption.objects.create(product=product, name="Remote reboot", recurring_amount=Decimal("15.00"))
    return plan, option


def run(company_ids):
    """One recurring run for these companies, timed and counted (an execute wrapper counts every query:
    Django's query log keeps only the last 9,000)."""
    from django.db import connection

    from billing.services.runs import billing_run

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        seconds, result = harness.timed(
            lambda: billing_run(run_date=RUN_DATE, company_ids=company_ids, render_pdfs=False)
        )
    return seconds, count, result


def render(invoice_ids) -> float:
    from billing.models import Invoice
    from billing.services import invoice_pdf_render

    invoices = list(Invoice.objects.select_related("company").filter(pk__in=invoice_ids).order_by("pk"))

    def work():
        for invoice in invoices:
            invoice_pdf_render(invoice=invoice)

    seconds, _ = harness.timed(work)
    return seconds


def main() -> int:
    harness.setup("billing")
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # one INFO line per rendering step otherwise
    logging.getLogger("billing").setLevel(logging.WARNING)
    from billing.models import InvoiceLine, TaxRate

    TaxRate.objects.create(name="Sales tax", rate=Decimal("8.875"), country="US")
    plan, option = catalog_plan()
    # The reference is built and billed (twice) first, then the large set: each run reads what exists then.
    reference_ids = build(prefix="Reference", companies=200, plan=plan, option=option)
    ref_seconds, ref_queries, ref_result = run(reference_ids)
    ref_again_seconds, ref_again_queries, ref_again = run(reference_ids)
    print(f"reference run: {ref_result.summary()}", flush=True)
    large_ids = build(prefix="Large", companies=2000, plan=plan, option=option)
    seconds, queries, result = run(large_ids)
    again_seconds, again_queries, again = run(large_ids)
    print(f"large run: {result.summary()}", flush=True)
    ref_invoices, invoices = len(ref_result.invoices), len(result.invoices)
    assert ref_invoices == 200 and invoices == 2000, (ref_invoices, invoices)
    assert ref_again.invoices == [] and again.invoices == []
    lines = InvoiceLine.objects.filter(invoice_id__in=result.invoices).count()

    ref_pdf = render(ref_result.invoices[:10])
    pdf = render(result.invoices[:100])

    report = harness.Report("Billing: recurring run and PDFs")
    report.row(
        "run: 10,000 services / 2,000 companies",
        seconds,
        queries,
        reference=(ref_seconds, ref_queries),
        reference_label="1,000 / 200",
    )
    report.note(
        "queries per invoice",
        f"{queries / invoices:.2f} ({invoices} invoices, {lines} lines)   reference: {ref_queries / ref_invoices:.2f}"
        f" ({ref_invoices} invoices)",
    )
    report.note(
        "time per invoice",
        f"{seconds / invoices * 1000:.1f} ms   reference: {ref_seconds / ref_invoices * 1000:.1f} ms",
    )
    report.row(
        "second run (nothing created)",
        again_seconds,
        again_queries,
        reference=(ref_again_seconds, ref_again_queries),
        reference_label="1,000 / 200",
    )
    report.row("100 PDF invoices", pdf, reference=(ref_pdf, None), reference_label="10 PDFs")
    report.note("PDF rate", f"{100 / pdf:.2f} per second   reference: {10 / ref_pdf:.2f} per second")
    report.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
