"""The recurring run scales linearly: a constant number of queries per invoice, whatever the number of
companies, and a repeated run costs the same few queries at any size (nothing is locked or written)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import InvoiceNumberSequence
from billing.services.runs import billing_run
from tests.accounts.factories import CompanyFactory
from tests.catalog import factories as catalog

JAN_1, FEB_1 = date(2025, 1, 1), date(2025, 2, 1)


def _companies(count: int, plan, option) -> list:
    companies = []
    for _ in range(count):
        company = CompanyFactory()
        catalog.active_service(company, on=JAN_1, plan_=plan, options=[option])
        catalog.active_service(company, on=date(2025, 1, 10), plan_=plan)
        companies.append(company)
    return companies


def _run(companies):
    with CaptureQueriesContext(connection) as queries:
        result = billing_run(run_date=FEB_1, company_ids=[company.pk for company in companies], render_pdfs=False)
    return result, len(queries)


@pytest.mark.django_db
def test_queries_per_invoice_are_constant_at_two_sizes():
    # Seeded by migration; created here too since a first use costs a query more.
    InvoiceNumberSequence.objects.get_or_create(name="invoice", defaults={"prefix": "INV-"})
    product = catalog.product(name="Cabinet")
    plan = catalog.plan(of=product, monthly="100.00", setup="10.00")
    option = catalog.option(product, monthly="10.00")

    # Two sets of companies in the same state (each company: two services, one with an option, setup fees),
    # billed for the same month by two runs.
    small = _companies(3, plan, option)
    large = _companies(12, plan, option)
    first_small, queries_small = _run(small)
    again_small, repeat_small = _run(small)
    assert len(first_small.invoices) == 3 and first_small.lines == 3 * 5 and again_small.invoices == []
    first_large, queries_large = _run(large)
    again_large, repeat_large = _run(large)
    assert len(first_large.invoices) == 12 and again_large.invoices == []

    # queries = fixed + per_invoice × invoices, with the same per-invoice figure at both sizes.
    per_invoice = (queries_large - queries_small) / (12 - 3)
    fixed = queries_small - 3 * per_invoice
    print(f"queries: {queries_small} for 3 invoices, {queries_large} for 12; {per_invoice} per invoice")
    assert per_invoice == int(per_invoice), (queries_small, queries_large)
    assert 0 <= fixed <= 20, (fixed, per_invoice)
    assert queries_small / 3 > queries_large / 12  # the fixed part is spread over more invoices
    # A repeated run touches no company: the same handful of queries at any size.
    assert repeat_small == repeat_large <= 12
