"""Invoice PDFs: an HTML template with the provider's branding, rendered by WeasyPrint.

Rendering costs about half a second of CPU, so it runs in a django-q2 worker after finalisation
(``billing.tasks.invoice_render_pdf``), never inside a billing run or a request.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from core.branding import provider_branding


def invoice_html(invoice) -> str:
    """The invoice as HTML (also what the PDF is made from)."""
    lines = list(invoice.lines.order_by("position", "pk"))
    return render_to_string(
        "billing/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": lines,
            "provider": provider_branding(),
            "credits": list(invoice.credit_applications.filter(reversed_at__isnull=True).select_related("credit_note")),
        },
    )


def render_invoice_pdf(invoice) -> bytes:
    """The invoice as PDF bytes."""
    from weasyprint import HTML

    base_url = str(settings.BASE_DIR)
    return HTML(string=invoice_html(invoice), base_url=base_url).write_pdf()
