"""API overrides the specs cannot say: customers never see draft invoices (nor their lines), the PDF
download endpoint ``/api/billing/invoices/<id>/pdf/``, and no billing record can be deleted (invoices and lines
are read-only; the other records answer DELETE with 405)."""

from django.http import Http404
from rest_framework.decorators import action

from billing.choices import InvoiceStatus
from billing.models import (
    Adjustment,
    Charge,
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
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


WITHOUT_DELETE = ["get", "post", "put", "patch", "head", "options"]

# Nothing is deleted: a wrong payment, charge or credit is answered with a credit note or an adjustment.
for _model in (Payment, PaymentAllocation, CreditNote, CreditApplication, Charge, Adjustment):
    override(_model, "viewset")(
        type(
            f"{_model.__name__}ViewSet",
            (generated_viewset(_model),),
            {"http_method_names": WITHOUT_DELETE, "__module__": __name__},
        )
    )
