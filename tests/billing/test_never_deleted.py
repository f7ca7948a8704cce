"""Nothing is deleted: no billing record can be deleted through the admin or the API, not even by a superuser."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from billing import services
from billing.choices import PaymentMethod
from billing.models import (
    Adjustment,
    Charge,
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    InvoicePDF,
    Payment,
    PaymentAllocation,
)
from core.registry import get_spec
from tests.billing.factories import make_draft, make_invoice

RECORDS = [
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    CreditNote,
    CreditApplication,
    Charge,
    Adjustment,
    InvoicePDF,
    InvoiceNumberSequence,
]


@pytest.fixture
def records(acme):
    """One of each billing record for Acme, made through the services."""
    invoice = make_invoice(acme)
    services.payment_record(company=acme, amount=Decimal("40.00"), method=PaymentMethod.BANK_TRANSFER, invoice=invoice)
    services.credit_note_issue(company=acme, amount=Decimal("5.00"), reason="Goodwill")
    draft = make_draft(acme)
    services.adjustment_add(invoice=draft, amount=Decimal("-3.00"), reason="Late installation")
    services.invoice_finalise(invoice=draft, render_pdf=False)  # applies the account credit
    services.charge_add(company=acme, title="Cabling", unit_price=Decimal("25.00"))
    services.invoice_pdf_render(invoice=invoice)
    return {model: model.objects.first() for model in RECORDS}


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
@pytest.mark.django_db
def test_admin_refuses_deletion_even_to_superusers(model, records, superuser, client_for):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = superuser
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)
    instance = records[model]
    assert instance is not None, "the fixture makes one of each record"
    opts = model._meta
    client = client_for(superuser)
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[instance.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=instance.pk).exists()


@pytest.mark.parametrize(
    "model",
    [Invoice, InvoiceLine, Payment, PaymentAllocation, CreditNote, CreditApplication, Charge, Adjustment],
    ids=lambda model: model.__name__,
)
@pytest.mark.django_db
def test_api_refuses_deletion_even_to_superusers(model, records, superuser, client_for):
    spec = get_spec(model)
    if not spec.api:
        pytest.skip(f"{model.__name__} has no API endpoint")
    instance = records[model]
    assert instance is not None
    response = client_for(superuser).delete(f"/api/{spec.api_prefix}/{instance.pk}/")
    assert response.status_code == 405
    assert model.objects.filter(pk=instance.pk).exists()
