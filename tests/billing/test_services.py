"""Invoices, numbering, void/reissue, credits, adjustments, payments, overdue."""

import threading  # noqa: F401 - kept for symmetry with the PostgreSQL tests
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from billing import selectors, services
from billing.choices import CreditNoteKind, InvoiceStatus, PaymentMethod
from billing.models import BillingProfile, CreditNote, Invoice, InvoiceNumberSequence, TaxRate
from tests.billing.factories import make_draft, make_invoice

pytestmark = pytest.mark.django_db


def _number_value(invoice) -> int:
    return int(invoice.number.split("-")[1])


def test_profile_is_created_lazily_with_defaults(acme):
    assert not BillingProfile.objects.filter(company=acme).exists()
    profile = services.billing_profile_for(company=acme)
    assert (profile.currency, profile.payment_terms_days) == ("USD", 30)
    assert services.billing_profile_for(company=acme).pk == profile.pk


def test_tax_rates_by_company_region_and_exemption(acme):
    acme.country, acme.region = "US", "NY"
    acme.save()
    TaxRate.objects.create(name="US", rate=Decimal("5"), country="US")
    assert selectors.tax_rate_for(company=acme) == Decimal("5")
    TaxRate.objects.create(name="NY", rate=Decimal("8.875"), country="US", region="NY")
    assert selectors.tax_rate_for(company=acme) == Decimal("8.875")
    TaxRate.objects.create(name="Acme deal", rate=Decimal("1"), company=acme)
    assert selectors.tax_rate_for(company=acme) == Decimal("1")
    with pytest.raises(ValidationError):
        services.billing_profile_update(company=acme, tax_exempt=True)
    services.billing_profile_update(company=acme, tax_exempt=True, tax_exemption_id="EX-1")
    assert selectors.tax_rate_for(company=acme) == Decimal("0")
    invoice = make_invoice(acme)
    assert invoice.tax_total == 0 and invoice.tax_exemption_id == "EX-1"


def test_finalise_assigns_consecutive_numbers_and_due_date(acme, globex):
    services.billing_profile_update(company=globex, payment_terms_days=14)
    first = make_invoice(acme)
    second = make_invoice(globex)
    assert _number_value(second) == _number_value(first) + 1
    assert second.due_date == second.issue_date + timedelta(days=14)
    assert first.status == InvoiceStatus.OPEN


def test_a_failed_finalisation_leaves_no_gap(acme):
    first = make_invoice(acme)
    draft = make_draft(acme)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.invoice_finalise(invoice=draft, render_pdf=False)
        raise RuntimeError("mail server down after numbering")
    draft.refresh_from_db()
    assert draft.number is None and draft.status == InvoiceStatus.DRAFT
    empty = services.invoice_create_draft(company=acme)
    with pytest.raises(ValidationError):
        services.invoice_finalise(invoice=empty)  # no lines: refused before a number is taken
    again = services.invoice_finalise(invoice=draft, render_pdf=False)
    assert _number_value(again) == _number_value(first) + 1
    assert InvoiceNumberSequence.objects.get(name="invoice").next_value == _number_value(again) + 1


def test_finalised_invoice_cannot_be_edited(acme):
    invoice = make_invoice(acme)
    with pytest.raises(ValidationError, match="void it and reissue"):
        services.invoice_add_line(invoice=invoice, description="More", unit_price=Decimal("1"))


def test_negative_quantities_are_refused_except_adjustments(acme):
    draft = make_draft(acme)
    with pytest.raises(ValidationError):
        services.invoice_add_line(invoice=draft, description="x", quantity=Decimal("-1"), unit_price=Decimal("5"))
    with pytest.raises(ValidationError):
        services.adjustment_add(invoice=draft, amount=Decimal("-5"), reason="  ")
    services.adjustment_add(invoice=draft, amount=Decimal("-5"), reason="Outage on 3 March")
    draft.refresh_from_db()
    assert draft.total == Decimal("95.00") and draft.totals_match()


def test_void_and_reissue_never_delete(acme):
    invoice = make_invoice(acme)
    with pytest.raises(ValidationError):
        services.invoice_void(invoice=invoice, reason="")
    services.invoice_void(invoice=invoice, reason="Wrong rack")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID and invoice.number and invoice.lines.filter(released=True).count() == 1
    new = services.invoice_reissue(invoice=invoice)
    assert new.reissue_of == invoice and new.status == InvoiceStatus.DRAFT and new.total == invoice.total
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_void_of_a_paid_invoice_is_refused(acme):
    invoice = make_invoice(acme)
    services.payment_record(company=acme, amount=Decimal("10"), method=PaymentMethod.CHEQUE, invoice=invoice)
    with pytest.raises(ValidationError, match="credit note"):
        services.invoice_void(invoice=invoice, reason="oops")


def test_service_period_is_billed_once_and_again_after_void(acme):
    period = {"service_id": 7, "period_start": date(2025, 1, 1), "period_end": date(2025, 2, 1), "kind": "recurring"}
    draft = make_draft(acme)
    services.invoice_add_line(invoice=draft, description="Server", unit_price=Decimal("50"), **period)
    other = make_draft(acme)
    with pytest.raises(ValidationError, match="never billed twice"):
        services.invoice_add_line(invoice=other, description="Server", unit_price=Decimal("50"), **period)
    services.invoice_void(invoice=draft, reason="rebill")
    services.invoice_add_line(invoice=other, description="Server", unit_price=Decimal("50"), **period)


def test_account_credit_is_applied_to_the_next_invoices(acme):
    note = services.credit_note_issue(company=acme, amount=Decimal("150"), reason="SLA credit")
    first = make_invoice(acme)  # 100.00
    assert first.credit_applied == Decimal("100") and first.status == InvoiceStatus.PAID
    second = make_invoice(acme)
    assert second.credit_applied == Decimal("50") and second.status == InvoiceStatus.PARTIALLY_PAID
    note.refresh_from_db()
    assert note.remaining == 0
    services.invoice_void(invoice=second, reason="duplicate")
    note.refresh_from_db()
    assert note.remaining == Decimal("50")


def test_credit_note_against_an_invoice(acme):
    invoice = make_invoice(acme)
    note = services.credit_note_issue(company=acme, invoice=invoice, amount=Decimal("30"), reason="Outage")
    invoice.refresh_from_db()
    assert note.kind == CreditNoteKind.INVOICE and invoice.balance_due == Decimal("70")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID


def test_partial_and_over_payment(acme):
    a = make_invoice(acme)
    b = make_invoice(acme)
    services.payment_record(company=acme, amount=Decimal("60"), method=PaymentMethod.BANK_TRANSFER, invoice=b)
    b.refresh_from_db()
    assert b.status == InvoiceStatus.PARTIALLY_PAID and b.balance_due == Decimal("40")
    payment = services.payment_record(company=acme, amount=Decimal("200"), method=PaymentMethod.CARD)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == InvoiceStatus.PAID
    credit = CreditNote.objects.get(payment=payment)
    assert credit.kind == CreditNoteKind.OVERPAYMENT and credit.remaining == Decimal("60")
    balance = selectors.company_balance(company=acme)
    assert balance.outstanding == 0 and balance.credit == Decimal("60") and balance.balance == Decimal("-60")
    with pytest.raises(ValidationError):
        services.payment_record(company=acme, amount=Decimal("0"), method=PaymentMethod.CARD)


def test_overdue_marking(acme):
    invoice = make_invoice(acme)
    assert services.invoices_mark_overdue(today=invoice.due_date) == 0
    assert services.invoices_mark_overdue(today=invoice.due_date + timedelta(days=1)) == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OVERDUE
    assert selectors.company_balance(company=acme).overdue == Decimal("100")
    services.payment_record(company=acme, amount=Decimal("100"), method=PaymentMethod.CHEQUE)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_charges_wait_for_the_next_invoice(acme):
    charge = services.charge_add(company=acme, title="Cross-connect install", unit_price=Decimal("250"))
    assert list(selectors.pending_charges(company=acme)) == [charge]
    draft = make_draft(acme)
    services.charge_bill(charge=charge, invoice=draft)
    assert not selectors.pending_charges(company=acme).exists()
    with pytest.raises(ValidationError):
        services.charge_bill(charge=charge, invoice=make_draft(acme))
