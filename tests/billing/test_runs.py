"""The recurring run over real catalog services: proration by plan period (monthly, quarterly, annual), upgrades
and cancellations, tax, descriptions, idempotent re-runs (and concurrent runs on PostgreSQL)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections

from billing.models import Invoice, InvoiceLine, TaxRate
from billing.services.runs import billing_run, period_due, periods_due, plan_period_containing, proration
from catalog import services as catalog_services
from catalog.choices import BillingPeriod
from tests.catalog import factories as catalog

JAN_1 = date(2025, 1, 1)


def _tax(company, rate="10"):
    return TaxRate.objects.create(name="Sales tax", rate=Decimal(rate), company=company)


def _line(invoice, service, kind="recurring", **filters):
    return invoice.lines.get(service_id=service.pk, kind=kind, **filters)


def test_periods_and_proration():
    assert period_due(date(2025, 3, 1)) == (date(2025, 2, 1), date(2025, 3, 1))
    assert period_due(date(2025, 1, 20)) == (date(2024, 12, 1), date(2025, 1, 1))
    assert plan_period_containing(date(2025, 2, 15), "quarterly") == (JAN_1, date(2025, 4, 1))
    assert plan_period_containing(date(2025, 11, 3), "annual") == (JAN_1.replace(year=2025), date(2026, 1, 1))
    assert periods_due(date(2025, 3, 9)) == {"monthly": (date(2025, 2, 1), date(2025, 3, 1))}
    assert periods_due(date(2025, 4, 1)) == {
        "monthly": (date(2025, 3, 1), date(2025, 4, 1)),
        "quarterly": (JAN_1, date(2025, 4, 1)),
    }
    assert set(periods_due(date(2026, 1, 31))) == {"monthly", "quarterly", "annual"}
    factor = proration(
        line_start=date(2025, 2, 15),
        line_end=date(2025, 3, 1),
        period_start=date(2025, 2, 1),
        period_end=date(2025, 3, 1),
    )
    assert factor == Decimal("0.5")


@pytest.fixture
def book(acme):
    """Acme's services: full month, started mid-month (with setup fee), upgraded mid-month, cancelled mid-month,
    a quarterly plan started mid-quarter and an annual plan; 10 % tax for Acme."""
    _tax(acme)
    product = catalog.product(name="Cabinet")
    small = catalog.plan(of=product, name="Small", monthly="100.00")
    large = catalog.plan(of=product, name="Large", monthly="200.00")
    book = {
        "full": catalog.active_service(acme, on=JAN_1, plan_=small, label="Full"),
        "new": catalog.active_service(
            acme, on=date(2025, 3, 11), plan_=catalog.plan(monthly="310.00", setup="50.00"), label="New"
        ),
        "upgraded": catalog.active_service(acme, on=JAN_1, plan_=small, label="Upgraded"),
        "cancelled": catalog.active_service(acme, on=JAN_1, plan_=catalog.plan(monthly="310.00"), label="Gone"),
        "quarterly": catalog.active_service(
            acme,
            on=date(2025, 2, 15),
            plan_=catalog.plan(monthly="300.00", period=BillingPeriod.QUARTERLY),
            label="Quarterly",
        ),
        "annual": catalog.active_service(
            acme, on=JAN_1, plan_=catalog.plan(monthly="3650.00", period=BillingPeriod.ANNUAL), label="Annual"
        ),
    }
    catalog_services.service_upgrade(service=book["upgraded"], plan=large, actor=None, effective_date=date(2025, 3, 17))
    catalog_services.service_cancel(service=book["cancelled"], actor=None, on=date(2025, 3, 11))
    return book


@pytest.mark.django_db
def test_run_over_catalog_services_prorates_by_plan_period_and_bills_each_period_once(acme, book):
    february = billing_run(run_date=date(2025, 3, 1), render_pdfs=False)
    assert len(february.invoices) == 1
    feb = Invoice.objects.get(pk=february.invoices[0])
    # February: the three monthly services billed since January; the quarterly one waits for its quarter.
    assert sorted(feb.lines.values_list("service_id", flat=True)) == sorted(
        [book["full"].pk, book["upgraded"].pk, book["cancelled"].pk]
    )

    march = billing_run(run_date=date(2025, 4, 1), render_pdfs=False)
    invoice = Invoice.objects.get(pk=march.invoices[0])
    assert invoice.number and invoice.totals_match()
    assert (invoice.period_start, invoice.period_end) == (date(2025, 3, 1), date(2025, 4, 1))

    full = _line(invoice, book["full"])
    assert (full.proration, full.net_amount, full.tax_amount) == (Decimal("1"), Decimal("100.00"), Decimal("10.00"))
    assert full.description.startswith("Cabinet: Small (Full), 01 Mar 2025 – 31 Mar 2025 (monthly")

    new = _line(invoice, book["new"])  # 21 of 31 days × 310.00
    assert (new.net_amount, new.tax_amount, new.total_amount) == (
        Decimal("210.00"),
        Decimal("21.00"),
        Decimal("231.00"),
    )
    assert "11 Mar 2025 – 31 Mar 2025 (monthly, 21 of 31 days)" in new.description
    assert _line(invoice, book["new"], kind="one_time").net_amount == Decimal("50.00")

    before = _line(invoice, book["upgraded"], period_start=date(2025, 3, 1))  # 16/31 × 100.00 = 51.6129
    after = _line(invoice, book["upgraded"], period_start=date(2025, 3, 17))  # 15/31 × 200.00 = 96.7742
    assert (before.net_amount, before.tax_amount) == (Decimal("51.61"), Decimal("5.16"))
    assert (after.net_amount, after.tax_amount) == (Decimal("96.77"), Decimal("9.68"))
    assert "Cabinet: Small (Upgraded)" in before.description and "Cabinet: Large (Upgraded)" in after.description

    cancelled = _line(invoice, book["cancelled"])  # 10/31 × 310.00
    assert cancelled.period_end == date(2025, 3, 11) and cancelled.net_amount == Decimal("100.00")

    quarterly = _line(invoice, book["quarterly"])  # 45 of the quarter's 90 days × 300.00
    assert (quarterly.period_start, quarterly.period_end) == (date(2025, 2, 15), date(2025, 4, 1))
    assert (quarterly.proration, quarterly.net_amount) == (Decimal("0.5"), Decimal("150.00"))
    assert "(quarterly, 45 of 90 days)" in quarterly.description
    assert not invoice.lines.filter(service_id=book["annual"].pk).exists()
    assert invoice.subtotal == sum(line.net_amount for line in invoice.lines.all())
    assert invoice.total == invoice.subtotal + invoice.tax_total

    book["quarterly"].refresh_from_db()
    book["full"].refresh_from_db()
    assert book["quarterly"].next_billing_date == date(2025, 4, 1) == book["full"].next_billing_date

    # Re-runs the same day, later in the month and in the next months never bill the quarter again.
    lines_before = InvoiceLine.objects.count()
    again = billing_run(run_date=date(2025, 4, 1), render_pdfs=False)
    later = billing_run(run_date=date(2025, 4, 20), render_pdfs=False)
    assert again.invoices == [] and later.invoices == [] and again.already_billed == march.lines
    assert InvoiceLine.objects.count() == lines_before
    billing_run(run_date=date(2025, 5, 1), render_pdfs=False)
    billing_run(run_date=date(2025, 6, 1), render_pdfs=False)
    assert InvoiceLine.objects.filter(service_id=book["quarterly"].pk).count() == 1

    # The annual plan is billed once, for the whole year, by the January run; the quarterly one for Q4.
    year_end = billing_run(run_date=date(2026, 1, 1), render_pdfs=False)
    annual = InvoiceLine.objects.get(service_id=book["annual"].pk)
    assert annual.invoice_id in year_end.invoices
    assert (annual.period_start, annual.period_end, annual.net_amount) == (JAN_1, date(2026, 1, 1), Decimal("3650.00"))
    assert "(annual)" in annual.description
    q4 = InvoiceLine.objects.get(service_id=book["quarterly"].pk, period_start=date(2025, 10, 1))
    assert q4.net_amount == Decimal("300.00")
    billing_run(run_date=date(2026, 1, 2), render_pdfs=False)
    billing_run(run_date=date(2026, 2, 1), render_pdfs=False)
    assert InvoiceLine.objects.filter(service_id=book["annual"].pk).count() == 1
    book["annual"].refresh_from_db()
    assert book["annual"].next_billing_date == date(2026, 1, 1)


@pytest.mark.django_db
def test_late_rerun_of_an_older_date_never_moves_next_billing_date_back(acme):
    service = catalog.active_service(acme, on=JAN_1, plan_=catalog.plan(monthly="100.00"))
    billing_run(run_date=date(2025, 3, 1), render_pdfs=False)
    billing_run(run_date=date(2025, 2, 1), render_pdfs=False)  # January, forgotten until now
    service.refresh_from_db()
    assert service.next_billing_date == date(2025, 3, 1)
    assert InvoiceLine.objects.filter(service_id=service.pk).count() == 2


@pytest.mark.django_db
def test_bill_command_prints_progress_and_summary(acme, capsys):
    catalog.active_service(acme, on=JAN_1, plan_=catalog.plan(monthly="100.00", setup="20.00"))
    call_command("bill", "--date", "2025-02-01", "--no-pdf")
    out = capsys.readouterr().out
    assert "1/1 companies" in out and "1 invoices, 2 lines" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL")
def test_concurrent_runs_create_no_duplicate_lines(acme, globex):
    for company in (acme, globex):
        catalog.active_service(company, on=JAN_1, plan_=catalog.plan(monthly="280.00"))
        catalog.active_service(company, on=date(2025, 2, 15), plan_=catalog.plan(monthly="100.00"), quantity=2)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            billing_run(run_date=date(2025, 3, 1), render_pdfs=False)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert InvoiceLine.objects.count() == 4
    assert Invoice.objects.count() == 2
    assert sorted(InvoiceLine.objects.values_list("net_amount", flat=True)) == [
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("280.00"),
        Decimal("280.00"),
    ]
    numbers = sorted(int(n.split("-")[1]) for n in Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 2))
