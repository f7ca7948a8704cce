"""The recurring run bills a service's plan and each add-on option once per period (each its own key), and
catches up periods whose runs were missed, still once."""

from datetime import date
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceLine
from billing.services.runs import billing_run
from tests.catalog import factories as catalog

JAN_1 = date(2025, 1, 1)


@pytest.mark.django_db
def test_options_are_billed_beside_the_plan_once_per_period(acme):
    product = catalog.product(name="Cabinet")
    plan = catalog.plan(of=product, name="Full", monthly="500.00")
    reboot = catalog.option(product, monthly="10.00", setup="5.00", name="Remote reboot")
    feed = catalog.option(product, monthly="40.00", name="Second power feed")
    service = catalog.active_service(acme, on=date(2025, 1, 17), plan_=plan, options=[reboot, feed], label="B04")

    january = billing_run(run_date=date(2025, 2, 1), render_pdfs=False)
    invoice = Invoice.objects.get(pk=january.invoices[0])
    lines = {(line.kind, line.component): line for line in invoice.lines.all()}
    assert set(lines) == {
        ("recurring", "plan"),
        ("recurring", f"option:{reboot.pk}"),
        ("recurring", f"option:{feed.pk}"),
        ("one_time", f"option:{reboot.pk}"),
    }
    # 15 of 31 days for each recurring component; the option's setup fee in full.
    assert lines["recurring", "plan"].net_amount == Decimal("241.94")
    assert lines["recurring", f"option:{reboot.pk}"].net_amount == Decimal("4.84")
    assert lines["recurring", f"option:{feed.pk}"].net_amount == Decimal("19.35")
    assert lines["one_time", f"option:{reboot.pk}"].net_amount == Decimal("5.00")
    assert "Second power feed (B04)" in lines["recurring", f"option:{feed.pk}"].description
    assert invoice.totals_match()

    again = billing_run(run_date=date(2025, 2, 1), render_pdfs=False)
    assert again.invoices == [] and again.already_billed == 4
    assert InvoiceLine.objects.filter(service_id=service.pk).count() == 4

    february = billing_run(run_date=date(2025, 3, 1), render_pdfs=False)
    feb = Invoice.objects.get(pk=february.invoices[0])
    assert dict(feb.lines.values_list("component", "net_amount")) == {
        f"option:{feed.pk}": Decimal("40.00"),
        f"option:{reboot.pk}": Decimal("10.00"),
        "plan": Decimal("500.00"),
    }
    assert billing_run(run_date=date(2025, 3, 1), render_pdfs=False).invoices == []
    assert InvoiceLine.objects.filter(service_id=service.pk).count() == 7


@pytest.mark.django_db
def test_missed_runs_are_caught_up_once(acme, globex):
    from billing.models import BillingRunRecord

    monthly = catalog.active_service(acme, on=JAN_1, plan_=catalog.plan(monthly="100.00"))
    quarterly = catalog.active_service(
        globex, on=JAN_1, plan_=catalog.plan(monthly="300.00", period="quarterly"), label="Q"
    )
    first = billing_run(run_date=date(2025, 2, 1), render_pdfs=False)  # January; nothing to catch up
    assert len(first.invoices) == 1
    assert BillingRunRecord.objects.get().period_end == date(2025, 2, 1)

    # Down from 1 March to 10 May: the May run bills February, March and April, and the first quarter.
    caught = billing_run(run_date=date(2025, 5, 10), render_pdfs=False)
    billed = set(InvoiceLine.objects.filter(service_id=monthly.pk).values_list("period_start", flat=True))
    assert billed == {JAN_1, date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)}
    q1 = InvoiceLine.objects.get(service_id=quarterly.pk)
    assert (q1.period_start, q1.period_end, q1.net_amount) == (JAN_1, date(2025, 4, 1), Decimal("300.00"))
    # One invoice per company and month, each for its own month.
    periods = sorted(Invoice.objects.filter(pk__in=caught.invoices).values_list("company_id", "period_start"))
    assert periods == [
        (acme.pk, date(2025, 2, 1)),
        (acme.pk, date(2025, 3, 1)),
        (acme.pk, date(2025, 4, 1)),
        (globex.pk, date(2025, 3, 1)),
    ]
    assert BillingRunRecord.objects.count() == 4
    monthly.refresh_from_db()
    assert monthly.next_billing_date == date(2025, 5, 1)

    # Again, and a run restricted to one company: nothing more, nothing recorded for the latter.
    again = billing_run(run_date=date(2025, 5, 11), render_pdfs=False)
    assert again.invoices == [] and again.already_billed == 1
    assert billing_run(run_date=date(2025, 5, 11), company_ids=[acme.pk], render_pdfs=False).invoices == []
    assert InvoiceLine.objects.count() == 5


@pytest.mark.django_db
def test_catch_up_is_limited(acme, settings):
    settings.BILLING_CATCH_UP_MONTHS = 2
    service = catalog.active_service(acme, on=JAN_1, plan_=catalog.plan(monthly="100.00"))
    billing_run(run_date=date(2025, 2, 1), render_pdfs=False)
    billing_run(run_date=date(2025, 7, 1), render_pdfs=False)
    billed = sorted(InvoiceLine.objects.filter(service_id=service.pk).values_list("period_start", flat=True))
    assert billed == [JAN_1, date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
