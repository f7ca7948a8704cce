"""The usage interface (``usage_charge_record``): idempotent by (source, key), billed once as a usage line on the
company's next invoice."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.choices import LineKind
from billing.models import Charge, InvoiceLine, TaxRate
from billing.services.runs import billing_run
from tests.catalog import factories as catalog

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)


def _overage(company, service, *, key="2025-03", quantity="240"):
    return services.usage_charge_record(
        company=company,
        service=service,
        description="Bandwidth overage, 95th percentile 1,240 Mbit/s over a 1,000 Mbit/s commit",
        quantity=Decimal(quantity),
        unit_price=Decimal("0.50"),
        period_start=MARCH,
        period_end=APRIL,
        source="monitoring.bandwidth",
        key=f"{service.pk}:{key}",
    )


@pytest.mark.django_db
def test_usage_is_recorded_once_and_billed_once_on_the_next_invoice(acme):
    TaxRate.objects.create(name="Sales tax", rate=Decimal("10"), company=acme)
    service = catalog.active_service(acme, on=date(2025, 1, 1), plan_=catalog.plan(monthly="100.00"))
    first = _overage(acme, service)
    again = _overage(acme, service, quantity="999")  # a retried task: the first record stands
    assert first.pk == again.pk and Charge.objects.count() == 1 and again.quantity == Decimal("240")
    assert (first.kind, first.service_id, first.period_start, first.period_end) == (
        LineKind.USAGE,
        service.pk,
        MARCH,
        APRIL,
    )

    run = billing_run(run_date=APRIL, render_pdfs=False)
    line = InvoiceLine.objects.get(charge=first)
    assert line.invoice_id == run.invoices[0]
    assert (line.kind, line.service_id, line.period_start, line.period_end) == ("usage", service.pk, MARCH, APRIL)
    assert (line.net_amount, line.tax_amount) == (Decimal("120.00"), Decimal("12.00"))
    assert line.description.startswith("Bandwidth overage")
    assert line.invoice.lines.count() == 2 and line.invoice.totals_match()
    assert billing_run(run_date=APRIL, render_pdfs=False).invoices == []
    _overage(acme, service)
    assert billing_run(run_date=date(2025, 5, 1), render_pdfs=False).lines == 1  # only May's plan line
    assert InvoiceLine.objects.filter(charge=first).count() == 1


@pytest.mark.django_db
def test_usage_refuses_bad_input(acme, globex):
    service = catalog.active_service(globex, on=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="another company"):
        _overage(acme, service)
    with pytest.raises(ValidationError):
        services.usage_charge_record(
            company=acme,
            description="Negative",
            quantity=Decimal("-1"),
            unit_price=Decimal("1"),
            period_start=MARCH,
            period_end=APRIL,
            source="tests",
            key="negative",
        )
    with pytest.raises(ValidationError, match="ends after it starts"):
        services.usage_charge_record(
            company=acme,
            description="Backwards",
            quantity=Decimal("1"),
            unit_price=Decimal("1"),
            period_start=APRIL,
            period_end=MARCH,
            source="tests",
            key="backwards",
        )
    assert not Charge.objects.exists()


def _bulk(companies, *, start=0, count=None, source="monitoring.bandwidth"):
    return [
        services.UsageCharge(
            company=company,
            description=f"Bandwidth overage {number}",
            quantity=Decimal(number + 1),
            unit_price=Decimal("0.50"),
            period_start=MARCH,
            period_end=APRIL,
            source=source,
            key=f"bulk:{number}",
        )
        for number, company in enumerate(companies, start=start)
    ][:count]


@pytest.mark.django_db
def test_many_usages_are_recorded_in_a_constant_number_of_queries(django_assert_max_num_queries):
    """Companies without a billing profile yet get one on the way; queries do not grow with the usages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import BillingProfile
    from tests.accounts.factories import CompanyFactory

    few, many = [CompanyFactory() for _ in range(2)], [CompanyFactory() for _ in range(12)]
    with CaptureQueriesContext(connection) as small:
        first = services.usage_charges_record(usages=_bulk(few))
    with CaptureQueriesContext(connection) as large:
        second = services.usage_charges_record(usages=_bulk(many, start=100))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert [charge.key for charge in first + second] == [f"bulk:{n}" for n in (0, 1, *range(100, 112))]
    assert [charge.quantity for charge in second] == [Decimal(n + 1) for n in range(100, 112)]
    assert {charge.kind for charge in second} == {LineKind.USAGE}
    assert BillingProfile.objects.filter(company__in=few + many).count() == 14
    # Every charge and every profile made on the way has its history row, as one made alone has.
    assert Charge.history.filter(history_type="+").count() == 14
    assert BillingProfile.history.filter(history_type="+", company__in=few + many).count() == 14

    # Recorded again (a rerun, overlapping a new one): the first charges come back, unchanged; one key given
    # twice in one call is one charge.
    again = _bulk(many, start=100, count=3)
    again = [again[0], *_bulk(many[:1], start=200), again[0]]
    with django_assert_max_num_queries(len(small.captured_queries)):
        returned = services.usage_charges_record(usages=again)
    assert returned[0].pk == returned[2].pk == second[0].pk and returned[0].quantity == Decimal(101)
    assert returned[1].key == "bulk:200" and Charge.objects.count() == 15


@pytest.mark.django_db
def test_many_usages_with_one_bad_record_nothing(acme, globex):
    usages = _bulk([acme, globex])
    bad = services.UsageCharge(
        company=acme,
        description="  ",
        quantity=Decimal(1),
        unit_price=Decimal(1),
        period_start=MARCH,
        period_end=APRIL,
        source="tests",
        key="blank",
    )
    with pytest.raises(ValidationError, match="blank: Say what the usage is"):
        services.usage_charges_record(usages=[*usages, bad])
    assert not Charge.objects.exists()
    assert services.usage_charges_record(usages=[]) == []
