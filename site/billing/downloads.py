"""Serving stored invoice PDFs (callers check permission and tenancy first)."""

from django.http import FileResponse


def invoice_pdf_response(invoice, *, inline: bool = False):
    """A FileResponse of the invoice's stored PDF, or None when it has not been rendered yet."""
    pdf = invoice.pdf_or_none
    if pdf is None or not pdf.file:
        return None
    return FileResponse(
        pdf.file.open("rb"), as_attachment=not inline, filename=f"{invoice.number}.pdf", content_type="application/pdf"
    )
