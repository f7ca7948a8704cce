"""Overdue handling: reminders before and after the due date (each once per invoice and step), the optional
late fee (once per invoice, on the next invoice), suspension for non-payment through the catalog's lifecycle
and reactivation once paid (only of services billing suspended)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from billing import services
from billing.choices import InvoiceStatus, PaymentMethod
from billing.models import Charge, InvoiceEmail, InvoiceLine, NonPaymentSuspension
from billing.services.overdue import overdue_handle, reminder_steps
from billing.services.runs import billing_run
from catalog import services as catalog_services
from catalog.choices import ServiceStatus
from tests.billing.factories import make_draft
from tests.catalog import factories as catalog

ISSUED = date(2025, 3, 1)  # 30-day terms: due 31 March
DUE = date(2025, 3, 31)


@pytest.fixture
def invoice(acme):
    services.billing_profile_update(company=acme, billing_email="accounts@acme.test")
    draft = make_draft(acme, ("Cabinet B04", Decimal("1"), Decimal("400.00")))
    return services.invoice_finalise(invoice=draft, issue_date=ISSUED, render_pdf=False)


def _steps(invoice):
    return list(InvoiceEmail.objects.filter(invoice=invoice).order_by("sent_at", "pk").values_list("step", flat=True))


@pytest.mark.django_db
def test_reminders_go_out_once_per_step(invoice):
    assert invoice.due_date == DUE
    assert reminder_steps() == [("before-7", -7), ("after-1", 1), ("after-7", 7), ("after-14", 14)]
    assert overdue_handle(today=DUE - timedelta(days=8)).reminders == 0
    assert overdue_handle(today=DUE - timedelta(days=7)).reminders == 1
    assert overdue_handle(today=DUE - timedelta(days=6)).reminders == 0  # the same step is not sent twice
    assert "due on 31 March 2025" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF-")

    assert overdue_handle(today=DUE + timedelta(days=1)).reminders == 1
    assert "Overdue" in mail.outbox[1].subject and "400.00 USD is still unpaid" in mail.outbox[1].body
    overdue_handle(today=DUE + timedelta(days=2))
    # The task did not run for a fortnight: only the latest step goes out, not a burst of three.
    assert overdue_handle(today=DUE + timedelta(days=20)).reminders == 1
    assert overdue_handle(today=DUE + timedelta(days=21)).reminders == 0
    assert _steps(invoice) == ["before-7", "after-1", "after-14"]
    assert len(mail.outbox) == 3 and mail.outbox[2].to == ["accounts@acme.test"]


@pytest.mark.django_db
def test_paid_invoices_get_no_reminder(acme, invoice, settings):
    settings.BILLING_REMINDER_DAYS_BEFORE = ()
    services.payment_record(company=acme, amount=Decimal("400.00"), method=PaymentMethod.BANK_TRANSFER)
    assert overdue_handle(today=DUE + timedelta(days=1)).reminders == 0
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "fee", "text"),
    [
        ({"kind": "fixed", "amount": "25.00"}, Decimal("25.00"), "Late fee: invoice"),
        ({"kind": "percent", "amount": "1.5"}, Decimal("6.00"), "Late fee (1.5%): invoice"),
    ],
)
def test_late_fee_is_charged_once_on_the_next_invoice(acme, invoice, settings, setting, fee, text):
    settings.BILLING_LATE_FEE = setting
    settings.BILLING_LATE_FEE_AFTER_DAYS = 7
    assert overdue_handle(today=DUE + timedelta(days=6)).late_fees == 0
    assert overdue_handle(today=DUE + timedelta(days=7)).late_fees == 1
    assert overdue_handle(today=DUE + timedelta(days=8)).late_fees == 0
    charge = Charge.objects.get(source="late_fee")
    assert charge.unit_price == fee and charge.key == str(invoice.pk) and not charge.taxable
    assert charge.title.startswith(text) and invoice.number in charge.title and "due 31 Mar 2025" in charge.title

    run = billing_run(run_date=date(2025, 5, 1), render_pdfs=False)
    line = InvoiceLine.objects.get(charge=charge)
    assert line.invoice_id in run.invoices and line.net_amount == fee and line.description == charge.title
    assert billing_run(run_date=date(2025, 5, 2), render_pdfs=False).invoices == []
    overdue_handle(today=DUE + timedelta(days=40))
    assert Charge.objects.filter(source="late_fee").count() == 1


@pytest.mark.django_db
def test_no_late_fee_by_default(invoice):
    assert overdue_handle(today=DUE + timedelta(days=60)).late_fees == 0
    assert not Charge.objects.exists()


@pytest.mark.django_db
def test_suspension_for_non_payment_and_reactivation_once_paid(
    acme, globex, invoice, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_SUSPEND_AFTER_DAYS = 30
    rack = catalog.active_service(acme, on=date(2025, 1, 1), label="Rack")
    power = catalog.active_service(acme, on=date(2025, 1, 1), label="Power")
    abuse = catalog.active_service(acme, on=date(2025, 1, 1), label="Abuse")
    catalog_services.service_suspend(service=abuse, actor=None, reason="Abuse report")
    other = catalog.active_service(globex, on=date(2025, 1, 1), label="Globex rack")

    assert overdue_handle(today=DUE + timedelta(days=29)).suspended == []
    result = overdue_handle(today=DUE + timedelta(days=30))
    assert sorted(result.suspended) == sorted([rack.pk, power.pk])
    for service in (rack, power):
        service.refresh_from_db()
        assert service.status == ServiceStatus.SUSPENDED
        event = service.events.order_by("-at", "-pk").first()
        assert event.reason == f"Non-payment: invoice {invoice.number} overdue since 31 Mar 2025"
    other.refresh_from_db()
    assert other.status == ServiceStatus.ACTIVE
    assert overdue_handle(today=DUE + timedelta(days=31)).suspended == []  # nothing twice
    assert NonPaymentSuspension.objects.filter(lifted_at__isnull=True).count() == 2

    # Half paid: still overdue, still suspended.
    services.payment_record(company=acme, amount=Decimal("100.00"), method=PaymentMethod.BANK_TRANSFER)
    assert overdue_handle(today=DUE + timedelta(days=32)).reactivated == []

    # Paid in full: the payment lifts billing's suspensions at once; the abuse suspension stays.
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_record(company=acme, amount=Decimal("300.00"), method=PaymentMethod.BANK_TRANSFER)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    for service, status in ((rack, ServiceStatus.ACTIVE), (power, ServiceStatus.ACTIVE), (abuse, "suspended")):
        service.refresh_from_db()
        assert service.status == status
    assert not NonPaymentSuspension.objects.filter(lifted_at__isnull=True).exists()
    assert NonPaymentSuspension.objects.count() == 2  # kept, marked lifted
    assert overdue_handle(today=DUE + timedelta(days=33)).reactivated == []


@pytest.mark.django_db
def test_suspension_can_be_switched_off(acme, invoice, settings):
    settings.BILLING_SUSPEND_AFTER_DAYS = None
    service = catalog.active_service(acme, on=date(2025, 1, 1))
    assert overdue_handle(today=DUE + timedelta(days=90)).suspended == []
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE


@pytest.mark.django_db
def test_daily_task_and_schedule(invoice):
    from billing.tasks import billing_overdue_daily

    summary = billing_overdue_daily((DUE + timedelta(days=1)).isoformat())
    assert "1 reminders" in summary and "0 services suspended" in summary
    assert InvoiceEmail.objects.get(invoice=invoice).step == "after-1"


@pytest.mark.django_db
def test_portal_dashboard_shows_overdue_invoice_and_suspension(acme, alice, invoice, settings, client_for):
    from django.urls import reverse

    settings.BILLING_SUSPEND_AFTER_DAYS = 30
    catalog.active_service(acme, on=date(2025, 1, 1), label="Rack")
    overdue_handle(today=DUE + timedelta(days=1))
    page = client_for(alice).get(reverse("portal:dashboard")).content.decode()
    assert "You have an overdue invoice" in page and invoice.number in page
    assert "Please pay to avoid suspension" in page
    overdue_handle(today=DUE + timedelta(days=30))
    page = client_for(alice).get(reverse("portal:dashboard")).content.decode()
    assert "One of your services is suspended for non-payment." in page


@pytest.mark.django_db
def test_no_before_reminder_for_an_invoice_issued_inside_the_window(acme):
    services.billing_profile_update(company=acme, billing_email="accounts@acme.test", payment_terms_days=5)
    invoice = services.invoice_finalise(invoice=make_draft(acme), issue_date=ISSUED, render_pdf=False)
    assert overdue_handle(today=ISSUED).reminders == 0
    assert overdue_handle(today=ISSUED + timedelta(days=3)).reminders == 0
    assert overdue_handle(today=invoice.due_date + timedelta(days=2)).reminders == 1
    assert "2 days ago" in mail.outbox[0].body
