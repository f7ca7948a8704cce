"""The billing demo step over the catalog's demo services: Acme paid + open, Globex overdue; idempotent."""

import pytest

from billing.choices import InvoiceStatus
from billing.demo import load_billing
from billing.models import Invoice, InvoiceLine, Payment
from catalog.demo import load_services


@pytest.mark.django_db
def test_demo_billing_is_idempotent(acme, globex, alice, bob):
    load_services()
    load_billing()
    counts = (Invoice.objects.count(), InvoiceLine.objects.count(), Payment.objects.count())
    assert "0 invoices issued, 0 payments recorded" in load_billing()
    assert (Invoice.objects.count(), InvoiceLine.objects.count(), Payment.objects.count()) == counts
    acme_statuses = set(Invoice.objects.filter(company=acme).values_list("status", flat=True))
    assert {InvoiceStatus.PAID, InvoiceStatus.OPEN} <= acme_statuses
    assert Invoice.objects.filter(company=globex, status=InvoiceStatus.OVERDUE).exists()
    assert all(invoice.totals_match() for invoice in Invoice.objects.all())
