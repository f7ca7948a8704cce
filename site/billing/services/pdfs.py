"""Invoice PDFs: storing the rendered file, rendering one."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from billing.choices import InvoiceStatus
from billing.models import (
    Invoice,
    InvoicePDF,
)

# --- PDFs -------------------------------------------------------------------------------------------------


@transaction.atomic
def invoice_pdf_store(*, invoice: Invoice, content: bytes) -> InvoicePDF:
    """Store (or replace) the invoice's rendered PDF in private storage."""
    if invoice.status == InvoiceStatus.DRAFT:
        raise ValidationError(_("Drafts have no PDF; finalise the invoice first."))
    pdf = InvoicePDF.objects.select_for_update().filter(invoice=invoice).first() or InvoicePDF(invoice=invoice)
    old_name = pdf.file.name if pdf.pk else None
    pdf.size = len(content)
    pdf.sha256 = hashlib.sha256(content).hexdigest()
    pdf.file.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
    pdf.save()
    if old_name and old_name != pdf.file.name:
        transaction.on_commit(lambda: pdf.file.storage.delete(old_name))
    return pdf


def invoice_pdf_render(*, invoice: Invoice) -> InvoicePDF:
    """Render the invoice with WeasyPrint and store it (called by the worker task, ~0.5 s of CPU)."""
    from billing.pdf import render_invoice_pdf

    return invoice_pdf_store(invoice=invoice, content=render_invoice_pdf(invoice))
