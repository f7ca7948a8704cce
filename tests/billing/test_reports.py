"""Revenue by month (admin page, constant queries) and the accounting CSV exports (billing staff only)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.choices import PaymentMethod
from billing.reports import invoices_csv_rows, payments_csv_rows, revenue_by_month
from tests.billing.factories import make_draft


def _book(company, months=(1, 2, 3)):
    """An invoice of 100.00 + 10 % tax issued on the 5th of each month; the first paid; a goodwill credit."""
    invoices = []
    for month in months:
        draft = make_draft(company, ("Cabinet", "1", "100.00"), ("Power", "2", "25.00"))
        invoices.append(services.invoice_finalise(invoice=draft, issue_date=date(2025, month, 5), render_pdf=False))
    services.payment_record(
        company=company,
        amount=invoices[0].total,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=date(2025, months[0], 20),
        invoice=invoices[0],
        reference="Wire 1",
    )
    return invoices


@pytest.mark.django_db
def test_revenue_by_month_in_constant_queries(acme, globex):
    _book(acme)
    services.credit_note_issue(company=acme, amount=Decimal("15.00"), reason="Goodwill")
    with CaptureQueriesContext(connection) as few:
        months = revenue_by_month(start=date(2025, 1, 1), end=date(2025, 12, 31))
    january = next(month for month in months if month.month == date(2025, 1, 1))
    assert (january.invoiced, january.paid, january.outstanding, january.invoices) == (
        Decimal("150.00"),
        Decimal("150.00"),
        Decimal("0"),
        1,
    )
    march = next(month for month in months if month.month == date(2025, 3, 1))
    assert (march.invoiced, march.outstanding) == (Decimal("150.00"), Decimal("150.00"))
    _book(globex, months=(1, 2, 3, 4, 5, 6))
    with CaptureQueriesContext(connection) as more:
        months = revenue_by_month(start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert len(few) == len(more) == 3
    assert next(month for month in months if month.month == date(2025, 1, 1)).invoiced == Decimal("300.00")


@pytest.mark.django_db
def test_csv_exports(acme):
    invoices = _book(acme)
    rows = list(csv.DictReader(io.StringIO("".join(invoices_csv_rows(start=date(2025, 1, 1), end=date(2025, 2, 28))))))
    assert len(rows) == 4  # two invoices × two lines
    first = rows[0]
    assert first["invoice_number"] == invoices[0].number and first["company"] == acme.name
    assert (first["line_description"], first["net_amount"], first["invoice_total"]) == (
        "Cabinet",
        "100.00",
        "150.00",
    )
    assert rows[1]["quantity"] == "2" and rows[1]["net_amount"] == "50.00"
    payments = list(
        csv.DictReader(io.StringIO("".join(payments_csv_rows(start=date(2025, 1, 1), end=date(2025, 12, 31)))))
    )
    assert [(row["amount"], row["allocated_to"], row["unallocated"]) for row in payments] == [
        ("150.00", f"{invoices[0].number}:150.00", "0.00")
    ]


@pytest.mark.django_db
def test_admin_pages_for_billing_staff_only(acme, superuser, client_for):
    from tests.accounts.factories import staff_member

    _book(acme)
    client = client_for(superuser)
    page = client.get(reverse("admin:billing_invoice_revenue"), {"start": "2025-01-01", "end": "2025-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "January 2025" in html and "150.00" in html and "450.00" in html
    export = client.post(
        reverse("admin:billing_invoice_accounting_export"),
        {"start": "2025-01-01", "end": "2025-12-31", "what": "invoices"},
    )
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert 'filename="invoices-20250101-20251231.csv"' in export["Content-Disposition"]
    body = b"".join(export.streaming_content).decode()
    assert body.count("\n") == 7  # header + 3 invoices × 2 lines
    bad = client.post(
        reverse("admin:billing_invoice_accounting_export"), {"start": "2025-12-31", "end": "2025-01-01", "what": "x"}
    )
    assert bad.status_code == 200 and "swap the dates" in bad.content.decode()

    support = staff_member(email="support@serverstock.test")
    support.user_permissions.add(Permission.objects.get(codename="view_invoice", content_type__app_label="billing"))
    for name in ("admin:billing_invoice_revenue", "admin:billing_invoice_accounting_export"):
        response = client_for(support).get(reverse(name))
        assert response.status_code in (302, 403)
