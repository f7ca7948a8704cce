"""Invoice e-mails with the real PDF attached: on finalisation (after commit, through the task) and again from
the admin's Send action; each sending recorded."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from billing import services
from billing.models import InvoiceEmail
from tests.billing.factories import make_draft


@pytest.fixture
def profile(acme):
    return services.billing_profile_update(
        company=acme, billing_email="accounts@acme.test", invoice_recipients="cfo@acme.test\naccounts@acme.test"
    )


@pytest.mark.django_db
def test_finalised_invoice_is_emailed_with_its_pdf_after_commit(acme, profile, django_capture_on_commit_callbacks):
    draft = make_draft(acme, ("Cabinet B04", Decimal("1"), Decimal("500.00")))
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.invoice_finalise(invoice=draft)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["accounts@acme.test", "cfo@acme.test"]
    assert invoice.number in message.subject and "500.00 USD" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-") and len(content) > 1000
    record = InvoiceEmail.objects.get(invoice=invoice)
    assert record.recipients.splitlines() == ["accounts@acme.test", "cfo@acme.test"] and record.sent_at
    assert record.step == "" and record.sent_by is None


@pytest.mark.django_db
def test_sending_can_be_turned_off(acme, profile, settings, django_capture_on_commit_callbacks):
    settings.BILLING_SEND_INVOICES = False
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.invoice_finalise(invoice=make_draft(acme))
    assert mail.outbox == []
    assert invoice.pdf.size > 0  # the PDF is still rendered


@pytest.mark.django_db
def test_admin_send_action_resends_and_records_who(acme, profile, superuser, client_for):
    invoice = services.invoice_finalise(invoice=make_draft(acme), render_pdf=False)
    client = client_for(superuser)
    url = reverse("admin:billing_invoice_send_detail", args=[invoice.pk])
    for _ in range(2):
        response = client.get(url, follow=True)
        assert response.status_code == 200
    assert len(mail.outbox) == 2
    assert mail.outbox[1].attachments[0][1].startswith(b"%PDF-")
    assert list(InvoiceEmail.objects.filter(invoice=invoice).values_list("sent_by", flat=True)) == [
        superuser.pk,
        superuser.pk,
    ]
    change = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    assert "cfo@acme.test" in change.content.decode()


@pytest.mark.django_db
def test_send_refuses_drafts_and_staff_without_permission(acme, profile, superuser, client_for):
    from tests.accounts.factories import staff_member

    draft = make_draft(acme)
    client_for(superuser).get(reverse("admin:billing_invoice_send_detail", args=[draft.pk]))
    assert mail.outbox == []
    invoice = services.invoice_finalise(invoice=make_draft(acme), render_pdf=False)
    from django.contrib.auth.models import Permission

    viewer = staff_member(email="viewer@serverstock.test")
    viewer.user_permissions.add(Permission.objects.get(codename="view_invoice", content_type__app_label="billing"))
    response = client_for(viewer).get(reverse("admin:billing_invoice_send_detail", args=[invoice.pk]))
    assert response.status_code in (302, 403)
    assert mail.outbox == []
