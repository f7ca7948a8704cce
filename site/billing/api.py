"""API overrides the specs cannot say: customers never see draft invoices (nor their lines), and the PDF
download endpoint ``/api/billing/invoices/<id>/pdf/``."""

from django.http import Http404
from rest_framework.decorators import action

from billing.choices import InvoiceStatus
from billing.models import Invoice, InvoiceLine
from core.registry import generated_viewset, override


def _hide_drafts(queryset, user, path: str):
    if user.is_staff:
        return queryset
    return queryset.exclude(**{path: InvoiceStatus.DRAFT})


@override(Invoice, "viewset")
class InvoiceViewSet(generated_viewset(Invoice)):
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return _hide_drafts(super().get_queryset(), self.request.user, "status")

    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The invoice's PDF (404 until the worker has rendered it)."""
        from billing.downloads import invoice_pdf_response

        invoice = self.get_object()
        response = invoice_pdf_response(invoice)
        if response is None:
            raise Http404
        return response


@override(InvoiceLine, "viewset")
class InvoiceLineViewSet(generated_viewset(InvoiceLine)):
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return _hide_drafts(super().get_queryset(), self.request.user, "invoice__status")
