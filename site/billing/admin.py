"""Overrides of the generated billing admins: invoice lines inline, invoice actions (finalise, void, reissue,
record payment, charge card, PDF), balances. Every write goes through ``billing.services``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action, display

from billing import services
from billing.choices import UNPAID_STATUSES, InvoiceStatus, PaymentMethod
from billing.downloads import invoice_pdf_response
from billing.models import (
    BillingProfile,
    Charge,
    Invoice,
    InvoiceEmail,
    InvoiceLine,
)
from core import writes
from core.actions import change_url, object_action, render_form
from core.money import ZERO
from core.registry import generated_admin, override

MONEY = DecimalField(max_digits=16, decimal_places=4)


class InvoiceLineInline(TabularInline):
    """Lines of the invoice: read-only once saved; a draft takes new lines through the service."""

    model = InvoiceLine
    fields = (
        "kind",
        "description",
        "quantity",
        "unit_price",
        "proration",
        "net_amount",
        "tax_rate",
        "tax_amount",
        "total_amount",
        "period_start",
        "period_end",
    )
    readonly_fields = ("proration", "net_amount", "tax_rate", "tax_amount", "total_amount")
    extra = 0
    can_delete = False
    tab = True

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("position", "pk")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return bool(obj is not None and obj.is_editable and request.user.has_perm("billing.change_invoice"))

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and obj.is_editable else 0


class InvoiceEmailInline(TabularInline):
    """Every e-mail about the invoice: when, to whom, by whom (reminders name their step)."""

    model = InvoiceEmail
    fields = ("sent_at", "step", "recipients", "subject", "sent_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    tab = True
    verbose_name_plural = _("e-mails sent")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvoiceAdminForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ("company", "period_start", "period_end", "description", "comments")


def _for_company(data: dict, invoice) -> dict:
    """Payments and credit notes recorded from an invoice belong to its company."""
    return {**data, "company": invoice.company}


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=4, min_value=Decimal("0.01"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    received_on = forms.DateField(
        label=_("Received on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class CreditForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=4, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The range ends before it starts; swap the dates."))
        return data


class AccountingExportForm(PeriodForm):
    what = forms.ChoiceField(
        label=_("Export"),
        choices=[("invoices", _("Invoices with their lines")), ("payments", _("Payments"))],
    )


def _default_period() -> dict:
    today = timezone.localdate()
    first = today.replace(day=1)
    return {"start": first.replace(year=first.year - 1), "end": today}


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (negative to reduce)"), max_digits=16, decimal_places=4)
    reason = forms.CharField(label=_("Reason"), max_length=300)


GeneratedInvoiceAdmin = generated_admin(Invoice)


@override(Invoice, "admin")
class InvoiceAdmin(GeneratedInvoiceAdmin):
    form = InvoiceAdminForm
    inlines = [InvoiceLineInline, InvoiceEmailInline]
    readonly_fields = (
        "number",
        "status",
        "currency",
        "issue_date",
        "due_date",
        "subtotal",
        "tax_total",
        "total",
        "amount_paid",
        "credit_applied",
        "balance_column",
        "finalised_at",
        "paid_at",
        "voided_at",
        "void_reason",
        "reissue_of",
    )
    actions = ["finalise_selected", "send_selected"]
    actions_list = ["mark_overdue", "revenue", "accounting_export"]
    actions_detail = [
        "finalise_detail",
        "record_payment_detail",
        "charge_card_detail",
        "credit_detail",
        "adjust_detail",
        "send_detail",
        "void_detail",
        "reissue_detail",
        "pdf_detail",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return (*self.readonly_fields, "company", "period_start", "period_end", "description")
        return self.readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company")

    @display(description=_("balance due"))
    def balance_column(self, obj):
        return obj.balance_due

    # -- permissions of the actions (plain names: unfold's checks must not query the database) -------------

    def has_finalise_permission(self, request, obj=None):
        return request.user.has_perm("billing.change_invoice")

    def has_payment_permission(self, request, obj=None):
        return request.user.has_perm("billing.add_payment")

    def has_credit_permission(self, request, obj=None):
        return request.user.has_perm("billing.add_creditnote")

    def has_reports_permission(self, request, obj=None):
        return request.user.has_perm("billing.view_invoice") and request.user.has_perm("billing.view_payment")

    def has_send_permission(self, request, obj=None):
        return request.user.has_perm("billing.change_invoice")

    # -- actions --------------------------------------------------------------------------------------------

    def _invoice(self, object_id) -> Invoice:
        return get_object_or_404(Invoice.objects.select_related("company"), pk=object_id)

    def _back(self, invoice):
        return redirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))

    @action(description=_("Finalise selected drafts"), permissions=["finalise"])
    def finalise_selected(self, request, queryset):
        done = 0
        for invoice in queryset.filter(status=InvoiceStatus.DRAFT):
            try:
                services.invoice_finalise(invoice=invoice)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{invoice}: {writes.error_text(error)}", messages.ERROR)
        self.message_user(request, _("%(count)s invoices finalised.") % {"count": done}, messages.SUCCESS)

    def _queue_send(self, request, invoice) -> bool:
        """Check the invoice can be sent, then hand it to a worker (rendering the PDF may take a second)."""
        from django_q.tasks import async_task

        from billing.services.emails import invoice_recipients, invoice_send_check

        try:
            invoice_send_check(invoice=invoice)
        except ValidationError as error:
            self.message_user(request, writes.error_text(error), messages.ERROR)
            return False
        recipients = invoice_recipients(invoice)
        async_task("billing.tasks.invoice_send", invoice.pk, request.user.pk, task_name=f"send invoice {invoice.pk}")
        self.message_user(
            request,
            _("%(invoice)s is being e-mailed to %(recipients)s.")
            % {"invoice": invoice, "recipients": ", ".join(recipients)},
            messages.SUCCESS,
        )
        return True

    @action(description=_("Send selected invoices by e-mail"), permissions=["send"])
    def send_selected(self, request, queryset):
        for invoice in queryset.select_related("company"):
            self._queue_send(request, invoice)

    @action(description=_("Send by e-mail"), url_path="send", permissions=["send"], icon="forward_to_inbox")
    def send_detail(self, request, object_id):
        invoice = self._invoice(object_id)
        self._queue_send(request, invoice)
        return self._back(invoice)

    @action(description=_("Revenue by month"), url_path="revenue", permissions=["reports"], icon="bar_chart")
    def revenue(self, request):
        from billing.reports import revenue_by_month

        form = PeriodForm(request.GET or None, initial=_default_period())
        period = form.cleaned_data if form.is_valid() else _default_period()
        months = revenue_by_month(start=period["start"], end=period["end"])
        totals: dict[str, dict] = {}
        for month in months:
            total = totals.setdefault(
                month.currency, {"invoiced": ZERO, "paid": ZERO, "credited": ZERO, "outstanding": ZERO}
            )
            for name in total:
                total[name] += getattr(month, name)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revenue by month"),
            "opts": self.model._meta,
            "form": form,
            "period": period,
            "months": months,
            "totals": sorted(totals.items()),
            "export_url": reverse("admin:billing_invoice_accounting_export"),
        }
        return TemplateResponse(request, "admin/billing/revenue.html", context)

    @action(
        description=_("Export for accounting (CSV)"),
        url_path="accounting-export",
        permissions=["reports"],
        icon="download",
    )
    def accounting_export(self, request):
        from django.http import StreamingHttpResponse

        from billing.reports import invoices_csv_rows, payments_csv_rows

        form = AccountingExportForm(request.POST or None, initial=_default_period())
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            rows = invoices_csv_rows if data["what"] == "invoices" else payments_csv_rows
            response = StreamingHttpResponse(
                rows(start=data["start"], end=data["end"]), content_type="text/csv; charset=utf-8"
            )
            filename = f"{data['what']}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return render_form(
            self,
            request,
            form,
            title=_("Export for accounting"),
            submit=_("Download CSV"),
            intro=_("A CSV of the invoices issued (one row per line) or the payments received in the range."),
            back_url=reverse("admin:billing_invoice_changelist"),
        )

    @action(description=_("Mark overdue invoices"), url_path="mark-overdue", permissions=["finalise"], icon="alarm")
    def mark_overdue(self, request):
        count = services.invoices_mark_overdue()
        self.message_user(request, _("%(count)s invoices marked overdue.") % {"count": count}, messages.SUCCESS)
        return redirect(reverse("admin:billing_invoice_changelist"))

    finalise_detail = object_action(
        description=_("Finalise"),
        url_path="finalise",
        permission="finalise",
        icon="task_alt",
        service=services.invoice_finalise,
        message=_("Invoice finalised."),
    )
    record_payment_detail = object_action(
        description=_("Record payment"),
        url_path="record-payment",
        permission="payment",
        icon="payments",
        service=services.payment_record,
        form=PaymentForm,
        title=_("Record payment"),
        submit=_("Record"),
        intro=lambda invoice: (
            _("Balance due: %(amount)s %(currency)s. More than that becomes account credit.")
            % {"amount": invoice.balance_due, "currency": invoice.currency}
        ),
        arguments=_for_company,
        message=_("Payment recorded."),
    )
    charge_card_detail = object_action(
        description=_("Charge card on file"),
        url_path="charge-card",
        permission="payment",
        icon="credit_card",
        service=services.invoice_charge_card,
        message=_("Card charged."),
    )
    credit_detail = object_action(
        description=_("Issue credit note"),
        url_path="credit",
        permission="credit",
        icon="undo",
        service=services.credit_note_issue,
        form=CreditForm,
        title=_("Issue credit note"),
        submit=_("Issue"),
        arguments=_for_company,
        message=lambda note: _("Credit note %(number)s issued.") % {"number": note.number},
    )
    adjust_detail = object_action(
        description=_("Add adjustment"),
        url_path="adjust",
        permission="finalise",
        icon="tune",
        service=services.adjustment_add,
        form=AdjustmentForm,
        title=_("Add adjustment"),
        submit=_("Add"),
        message=_("Adjustment added."),
    )
    void_detail = object_action(
        description=_("Void"),
        url_path="void",
        permission="finalise",
        icon="block",
        service=services.invoice_void,
        form=VoidForm,
        title=_("Void invoice"),
        submit=_("Void"),
        intro=_("The invoice is kept, marked void; its periods and charges may be billed again."),
        message=_("Invoice voided. Reissue it to bill the corrected amounts."),
    )
    reissue_detail = object_action(
        description=_("Reissue"),
        url_path="reissue",
        permission="finalise",
        icon="content_copy",
        service=services.invoice_reissue,
        message=_("Reissued as a new draft."),
        next_url=change_url,
    )

    @action(description=_("Download PDF"), url_path="pdf", permissions=["view"], icon="picture_as_pdf")
    def pdf_detail(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = self._invoice(object_id)
        response = invoice_pdf_response(invoice)
        if response is None:
            if invoice.status == InvoiceStatus.DRAFT:
                raise Http404
            services.invoice_pdf_render(invoice=invoice)
            response = invoice_pdf_response(Invoice.objects.get(pk=invoice.pk))
        return response


GeneratedProfileAdmin = generated_admin(BillingProfile)


@override(BillingProfile, "admin")
class BillingProfileAdmin(GeneratedProfileAdmin):
    list_display = [*GeneratedProfileAdmin.list_display, "company_balance"]

    def get_queryset(self, request):
        outstanding = (
            Invoice.objects.filter(company=OuterRef("company"), status__in=UNPAID_STATUSES)
            .values("company")
            .annotate(
                due=Sum(ExpressionWrapper(F("total") - F("amount_paid") - F("credit_applied"), output_field=MONEY))
            )
            .values("due")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(outstanding=Coalesce(Subquery(outstanding, output_field=MONEY), Value(ZERO), output_field=MONEY))
        )

    @display(description=_("balance"), ordering="outstanding")
    def company_balance(self, obj):
        return f"{obj.outstanding:,.2f} {obj.currency}"


GeneratedChargeAdmin = generated_admin(Charge)


@override(Charge, "admin")
class ChargeAdmin(GeneratedChargeAdmin):
    fields = ("company", "title", "quantity", "unit_price", "taxable", "description")
