"""What the write contract buys: an API write obeys the same rules as the admin's flow, because both call the
service the spec names."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Company
from accounts.services import api_token_create
from billing.choices import InvoiceStatus
from billing.models import CreditNote, Invoice, Payment
from core.registry import all_specs, get_spec
from tests.accounts.factories import CompanyFactory
from tests.billing.factories import make_invoice

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    _token, plain = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def outcome(company):
    """How a payment landed: each invoice's status and amount paid (oldest first), and the credit left over."""
    invoices = [
        (invoice.status, invoice.amount_paid)
        for invoice in Invoice.objects.filter(company=company).order_by("due_date", "pk")
    ]
    credit = sorted(CreditNote.objects.filter(company=company).values_list("amount", flat=True))
    return invoices, credit


@pytest.mark.parametrize("amount", ["150.00", "250.004"])
def test_api_payment_allocates_exactly_as_the_admins_record_payment(amount, superuser, client_for):
    by_admin, by_api = CompanyFactory(name="Admin Ltd"), CompanyFactory(name="Api Ltd")
    for company in (by_admin, by_api):
        make_invoice(company)
        make_invoice(company)
    oldest = Invoice.objects.filter(company=by_admin).order_by("due_date", "pk").first()
    data = {"amount": amount, "method": "bank_transfer", "received_on": "2026-01-05", "reference": "T-1"}

    page = reverse("admin:billing_invoice_record_payment_detail", args=[oldest.pk])
    assert client_for(superuser).post(page, data).status_code == 302
    response = api_as(superuser).post("/api/billing/payments/", {**data, "company": by_api.pk}, format="json")
    assert response.status_code == 201, response.content

    assert outcome(by_api) == outcome(by_admin)
    # Oldest invoice first, then the next, the rest as account credit; the amount rounded to cents.
    rounded = Decimal(amount).quantize(Decimal("0.01"))
    first, second = (i.total for i in Invoice.objects.filter(company=by_api).order_by("due_date", "pk"))
    paid_second = min(rounded - first, second)
    invoices, credit = outcome(by_api)
    assert invoices[0] == (InvoiceStatus.PAID, first)
    assert invoices[1][1] == paid_second
    assert sum(credit, Decimal(0)) == rounded - first - paid_second
    payment = Payment.objects.get(company=by_api)
    assert payment.amount == rounded
    assert payment.recorded_by == superuser
    assert payment.received_on == date(2026, 1, 5)


def test_api_payment_refusal_is_a_400_and_records_nothing(superuser):
    company = CompanyFactory()
    response = api_as(superuser).post(
        "/api/billing/payments/", {"company": company.pk, "amount": "-5", "method": "cheque"}, format="json"
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Payment.objects.exists()


def test_api_company_gets_an_account_number(superuser):
    client = api_as(superuser)
    first = client.post("/api/accounts/companies/", {"name": "Initech"}, format="json")
    second = client.post("/api/accounts/companies/", {"name": "Umbrella", "account_number": "1"}, format="json")
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    numbers = [Company.objects.get(pk=r.json()["id"]).account_number for r in (first, second)]
    assert all(number.isdigit() for number in numbers)
    assert int(numbers[1]) == int(numbers[0]) + 1


def test_billing_records_cannot_be_deleted_through_the_api(superuser, acme):
    invoice = make_invoice(acme)
    client = api_as(superuser)
    assert client.delete(f"/api/billing/invoices/{invoice.pk}/").status_code == 405
    response = client.post(
        "/api/billing/payments/",
        {"company": acme.pk, "amount": "1.00", "method": "cheque", "received_on": "2026-01-05"},
        format="json",
    )
    assert response.status_code == 201, response.content
    payment = response.json()
    assert client.delete(f"/api/billing/payments/{payment['id']}/").status_code == 405
    assert Payment.objects.filter(pk=payment["id"]).exists()


def test_drafts_are_hidden_from_customers_by_the_spec(acme, alice, superuser):
    from billing import services

    draft = services.invoice_create_draft(company=acme)
    assert get_spec(Invoice).hidden_from_customers == {"status": "draft"}
    assert api_as(alice).get(f"/api/billing/invoices/{draft.pk}/").status_code == 404
    assert api_as(superuser).get(f"/api/billing/invoices/{draft.pk}/").status_code == 200


def test_every_write_service_a_spec_names_is_a_keyword_callable():
    import inspect

    for spec in all_specs():
        for kind in ("create", "update", "delete"):
            service = getattr(spec, kind)
            if service is None:
                continue
            parameters = inspect.signature(service).parameters.values()
            assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in parameters), (spec.label, kind)
