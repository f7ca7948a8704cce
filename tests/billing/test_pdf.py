"""Invoice PDFs: rendered by WeasyPrint in the task after finalisation, stored, readable and rasterisable."""

import shutil
import subprocess

import pytest

from billing.models import InvoicePDF
from billing.services import invoice_finalise
from tests.billing.factories import make_draft

pytestmark = pytest.mark.django_db


def test_finalising_queues_a_rendered_stored_pdf(acme, tmp_path, django_capture_on_commit_callbacks):
    acme.address_line1 = "12 Server Street"
    acme.save()
    draft = make_draft(acme, ("Cabinet 42U", "1", "1500.00"), ("Cross-connect", "2", "75.50"))
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_finalise(invoice=draft)
    pdf = InvoicePDF.objects.get(invoice=invoice)
    assert pdf.size > 1000
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf.file.open("rb").read())
    assert shutil.which("pdftotext") and shutil.which("pdftoppm")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (invoice.number, "Cabinet 42U", "Cross-connect", "1,651.00", "12 Server Street", "Balance due"):
        assert expected in text, expected
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.read_bytes().startswith(b"\x89PNG") and page.stat().st_size > 1000


def test_a_pdf_the_queue_refused_is_queued_again_by_the_hourly_sweep(
    acme, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Redis away when the invoice is finalised: the run goes on; an hour later the sweep queues the PDF and the
    e-mail, and a task that comes twice neither renders nor e-mails twice."""
    import socket
    from datetime import timedelta

    from django.core import mail
    from django_q.conf import Conf

    from billing import services, tasks
    from billing.models import InvoiceEmail

    with socket.socket() as probe:  # a port where no Redis answers
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", f"redis://127.0.0.1:{port}/0")
    services.billing_profile_update(company=acme, billing_email="accounts@acme.test")
    draft = make_draft(acme, ("Cabinet 42U", "1", "1500.00"))
    with django_capture_on_commit_callbacks(execute=True):  # the queueing, against the unreachable Redis
        invoice = invoice_finalise(invoice=draft)
    assert "could not queue the PDF" in caplog.text
    assert not InvoicePDF.objects.filter(invoice=invoice).exists() and not mail.outbox

    monkeypatch.undo()  # the queue is back (tasks run inline in tests)
    assert services.invoices_pdf_queue_missing() == 0  # finalised minutes ago: its task may only be late
    assert services.invoices_pdf_queue_missing(finalised_before=invoice.finalised_at + timedelta(hours=1)) == 1
    pdf = InvoicePDF.objects.get(invoice=invoice)
    assert len(mail.outbox) == 1 and invoice.number in mail.outbox[0].subject

    assert tasks.invoice_deliver(invoice.pk).endswith("e-mailed before")  # the late original task
    assert InvoicePDF.objects.get(invoice=invoice).sha256 == pdf.sha256 and len(mail.outbox) == 1
    assert InvoiceEmail.objects.filter(invoice=invoice, step="").count() == 1
    assert services.invoices_pdf_queue_missing(finalised_before=invoice.finalised_at + timedelta(days=1)) == 0
