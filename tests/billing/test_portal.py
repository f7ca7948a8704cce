"""Portal billing pages: what members see, tenancy, permissions, PDF download, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import CompanyRole
from billing import services
from billing.choices import PaymentMethod
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.billing.factories import make_draft, make_invoice

pytestmark = pytest.mark.django_db


def test_overview_and_list_show_own_invoices_not_drafts(alice, acme, globex, client_for):
    mine = make_invoice(acme)
    draft = make_draft(acme)
    theirs = make_invoice(globex)
    client = client_for(alice)
    overview = client.get(reverse("portal:billing")).content.decode()
    assert mine.number in overview and "100.00" in overview
    listing = client.get(reverse("portal:billing_invoices")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(reverse("portal:billing_invoice", args=[draft.pk])).status_code == 404
    assert client.get(reverse("portal:billing_invoice", args=[theirs.pk])).status_code == 404
    detail = client.get(reverse("portal:billing_invoice", args=[mine.pk]))
    assert detail.status_code == 200 and "Rack space" in detail.content.decode()


def test_technical_members_have_no_billing(acme, client_for):
    tech = MembershipFactory(company=acme, user=UserFactory(), role=CompanyRole.TECHNICAL).user
    assert client_for(tech).get(reverse("portal:billing")).status_code == 403


def test_pdf_download_renders_then_serves(alice, acme, client_for):
    invoice = make_invoice(acme)
    client = client_for(alice)
    response = client.get(reverse("portal:billing_invoice_pdf", args=[invoice.pk]))
    # Tasks run inline in tests (sync cluster), so the queued render has happened by the redirect.
    assert response.status_code == 302
    response = client.get(reverse("portal:billing_invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_profile_edit(alice, acme, client_for):
    client = client_for(alice)
    response = client.post(
        reverse("portal:billing_profile"),
        {
            "billing_email": "ap@acme.test",
            "invoice_recipients": "cfo@acme.test",
            "address_line1": "1 Main St",
            "country": "US",
            "tax_id": "US-99",
        },
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.tax_id == "US-99" and acme.billing_profile.recipients == ["ap@acme.test", "cfo@acme.test"]
    bad = client.post(reverse("portal:billing_profile"), {"invoice_recipients": "not-an-address"})
    assert bad.status_code == 400


def test_list_queries_are_constant(alice, acme, client_for, django_assert_max_num_queries):
    client = client_for(alice)
    make_invoice(acme)
    services.payment_record(company=acme, amount=Decimal("5"), method=PaymentMethod.CHEQUE)
    client.get(reverse("portal:billing_invoices"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            for name in ("billing", "billing_invoices", "billing_payments"):
                assert client.get(reverse(f"portal:{name}")).status_code == 200
        counts.append(len(queries))
        for _ in range(4):
            make_invoice(acme)
            services.payment_record(company=acme, amount=Decimal("5"), method=PaymentMethod.CHEQUE)
    assert counts[0] == counts[1]


def test_dashboard_shows_overdue_invoices_to_billing_members_only(alice, bob, acme, globex, client_for):
    from datetime import timedelta

    overdue = make_invoice(globex)
    services.invoices_mark_overdue(today=overdue.due_date + timedelta(days=1))
    not_yet = make_invoice(acme)
    dashboard = client_for(bob).get(reverse("portal:dashboard")).content.decode()
    assert "You have an overdue invoice" in dashboard and overdue.number in dashboard
    assert 'data-kind="billing.overdue"' in dashboard
    assert reverse("portal:billing_invoice", args=[overdue.pk]) in dashboard
    mine = client_for(alice).get(reverse("portal:dashboard")).content.decode()
    # Alice has no overdue invoice: no notice; her invoice not yet due is shown as the next one to pay.
    assert 'data-kind="billing.overdue"' not in mine and overdue.number not in mine
    assert "You have an overdue invoice" not in mine and not_yet.number in mine
    tech = MembershipFactory(company=globex, user=UserFactory(), role=CompanyRole.TECHNICAL).user
    assert overdue.number not in client_for(tech).get(reverse("portal:dashboard")).content.decode()


def test_invoice_rows_read_as_the_invoices_show_themselves(alice, acme, globex):
    from billing import selectors
    from billing.choices import InvoiceStatus
    from billing.models import Invoice
    from core.tenancy import for_user

    make_invoice(acme)
    part_paid = make_invoice(acme, ("Cross-connect", "2", "150.00"))
    services.payment_record(company=acme, amount=Decimal("40"), method=PaymentMethod.CHEQUE)
    services.invoice_void(invoice=make_invoice(acme), reason="Billed twice")
    make_draft(acme)
    make_invoice(globex)
    invoices = (
        for_user(Invoice, alice, company=acme, staff_scope=False)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("-issue_date", "-pk")
    )
    rows = selectors.invoice_rows(invoices)
    assert rows == [
        {
            "pk": invoice.pk,
            "number": invoice.number,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "status": invoice.status,
            "status_label": invoice.get_status_display(),
            "total": invoice.total,
            "currency": invoice.currency,
            "balance_due": invoice.balance_due,
        }
        for invoice in invoices
    ]
    assert len(rows) == 3 and {row["status"] for row in rows} >= {InvoiceStatus.VOID}
    assert any(row["pk"] == part_paid.pk for row in rows)
    assert selectors.invoice_rows(invoices.all()[:1]) == rows[:1]
