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
