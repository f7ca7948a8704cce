"""The billing interface: ``catalog.selectors.billable_lines``."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.choices import BillingPeriod, ProductKind
from catalog.models import Service
from catalog.selectors import ONE_TIME, RECURRING, BillableLine, billable_lines
from tests.catalog.factories import active_service, option, plan

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def lines_for(service, start=JAN, end=FEB):
    return [line for line in billable_lines(period_start=start, period_end=end) if line.service_id == service.pk]


def test_a_whole_month(acme):
    service = active_service(acme, on=date(2025, 12, 1), label="Cabinet B04")
    [line] = lines_for(service)
    assert line == BillableLine(
        service_id=service.pk,
        company_id=acme.pk,
        description=f"{service.plan.product.name}: {service.plan.name} (Cabinet B04)",
        quantity=Decimal("1.00"),
        unit_price=Decimal("100.00"),
        currency="USD",
        taxable=True,
        period_start=JAN,
        period_end=FEB,
        kind=RECURRING,
        recurring_period=BillingPeriod.MONTHLY,
    )


def test_mid_period_start_and_setup_fee(acme):
    service = active_service(acme, on=date(2026, 1, 10), plan_=plan(setup="250.00"), quantity=2)
    recurring, one_time = sorted(lines_for(service), key=lambda line: line.kind != RECURRING)
    assert (recurring.period_start, recurring.period_end, recurring.quantity) == (date(2026, 1, 10), FEB, 2)
    assert one_time.kind == ONE_TIME
    assert (one_time.unit_price, one_time.quantity) == (Decimal("250.00"), 2)
    assert (one_time.period_start, one_time.period_end) == (date(2026, 1, 10), date(2026, 1, 11))
    # The setup fee is not charged again next month.
    assert [line.kind for line in lines_for(service, FEB, MAR)] == [RECURRING]


def test_pending_and_provisioning_services_are_not_billed(acme):
    pending = services.service_create(company=acme, plan=plan(), actor=None, starts_on=JAN)
    assert lines_for(pending) == []
    services.service_provision(service=pending, actor=None)
    assert lines_for(pending) == []


def test_upgrade_inside_the_window_gives_two_segments(acme):
    small = plan(monthly="100.00")
    service = active_service(acme, on=date(2025, 11, 1), plan_=small)
    big = plan(monthly="180.00")
    big.product.category = small.product.category
    big.product.save()
    services.service_upgrade(service=service, plan=big, quantity=2, effective_date=date(2026, 1, 20), actor=None)
    first, second = lines_for(service)
    assert (first.unit_price, first.quantity, first.period_start, first.period_end) == (
        Decimal("100.00"),
        Decimal("1.00"),
        JAN,
        date(2026, 1, 20),
    )
    assert (second.unit_price, second.quantity, second.period_start, second.period_end) == (
        Decimal("180.00"),
        Decimal("2"),
        date(2026, 1, 20),
        FEB,
    )
    assert [line.unit_price for line in lines_for(service, FEB, MAR)] == [Decimal("180.00")]


def test_price_override_is_the_unit_price(acme):
    service = active_service(acme, on=date(2025, 12, 1), price_override=Decimal("79.50"))
    assert [line.unit_price for line in lines_for(service)] == [Decimal("79.50")]


def test_cancellation_ends_billing_on_its_effective_date(acme):
    service = active_service(acme, on=date(2025, 6, 1))
    services.service_cancel(service=service, actor=None, on=date(2026, 1, 15))
    [line] = lines_for(service)
    assert (line.period_start, line.period_end) == (JAN, date(2026, 1, 15))
    assert lines_for(service, FEB, MAR) == []


def test_confirmed_cancellation_bounds_billing_before_the_task_runs(acme):
    service = active_service(acme, on=date(2025, 6, 1))
    Service.objects.filter(pk=service.pk).update(
        status="cancellation_requested", cancellation_effective_date=date(2026, 1, 20)
    )
    [line] = lines_for(service)
    assert line.period_end == date(2026, 1, 20)


def test_suspended_services_are_still_billed(acme):
    service = active_service(acme, on=date(2025, 6, 1))
    services.service_suspend(service=service, actor=None, reason="Unpaid invoice")
    assert [line.period_end for line in lines_for(service)] == [FEB]


def test_terminated_service_stops(acme):
    service = active_service(acme, on=date(2025, 6, 1))
    services.service_cancel(service=service, actor=None, on=date(2025, 12, 31))
    services.service_terminate(service=service, actor=None)
    assert lines_for(service) == []


def test_one_off_products_only_bill_once(acme):
    hands = plan(ProductKind.REMOTE_HANDS, monthly=None, setup="95.00")
    service = active_service(acme, on=date(2026, 1, 5), plan_=hands, quantity=3)
    [line] = lines_for(service)
    assert (line.kind, line.unit_price, line.quantity) == (ONE_TIME, Decimal("95.00"), 3)
    assert lines_for(service, FEB, MAR) == []


def test_options_are_billed_with_the_service(acme):
    chosen = plan()
    reboot = option(chosen.product, monthly="10.00", setup="5.00")
    service = active_service(acme, on=date(2026, 1, 10), plan_=chosen, options=[reboot])
    kinds = sorted((line.kind, line.unit_price) for line in lines_for(service) if "Remote reboot" in line.description)
    assert kinds == [(ONE_TIME, Decimal("5.00")), (RECURRING, Decimal("10.00"))]


def test_quarterly_plan_gives_its_period(acme):
    service = active_service(acme, on=date(2025, 10, 1), plan_=plan(monthly="270.00", period=BillingPeriod.QUARTERLY))
    [line] = lines_for(service)
    assert (line.recurring_period, line.unit_price) == (BillingPeriod.QUARTERLY, Decimal("270.00"))


def test_company_filter_and_window_check(acme, globex):
    ours = active_service(acme, on=date(2025, 12, 1))
    theirs = active_service(globex, on=date(2025, 12, 1))
    ids = {line.service_id for line in billable_lines(period_start=JAN, period_end=FEB, company_id=acme.pk)}
    assert ours.pk in ids and theirs.pk not in ids
    with pytest.raises(ValidationError):
        billable_lines(period_start=FEB, period_end=JAN)


def test_constant_number_of_queries(acme, globex):
    chosen = plan()
    active_service(acme, on=date(2025, 12, 1), plan_=chosen, options=[option(chosen.product)])
    with CaptureQueriesContext(connection) as few:
        billable_lines(period_start=JAN, period_end=FEB)
    for company in (acme, globex, acme):
        service = active_service(company, on=date(2025, 12, 1), plan_=chosen, options=[option(chosen.product)])
        services.service_upgrade(service=service, plan=chosen, quantity=3, effective_date=date(2026, 1, 15), actor=None)
    with CaptureQueriesContext(connection) as many:
        lines = billable_lines(period_start=JAN, period_end=FEB)
    assert len(lines) > 4
    assert len(many) == len(few) == 3
