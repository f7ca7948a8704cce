"""API overrides the specs cannot say: the PDF download endpoint ``/api/billing/invoices/<id>/pdf/``.

Drafts (and their lines) are hidden from customers by the specs' ``hidden_from_customers``; nothing is deleted
because no billing spec names a delete service."""

from django.http import Http404
from rest_framework.decorators import action

from billing.models import Invoice
from core.registry import generated_serializer, generated_viewset, override


@override(Invoice, "serializer")
class InvoiceSerializer(generated_serializer(Invoice)):
    # Lists read only the shown columns; ``display`` is the number (or the id of a draft).
    list_reads = ("number",)


@override(Invoice, "viewset")
class InvoiceViewSet(generated_viewset(Invoice)):
    serializer_class = InvoiceSerializer

    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The invoice's PDF (404 until the worker has rendered it)."""
        from billing.downloads import invoice_pdf_response

        invoice = self.get_object()
        response = invoice_pdf_response(invoice)
        if response is None:
            raise Http404
        return response
