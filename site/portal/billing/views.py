"""Portal billing: overview, invoices (list, detail, PDF), payments, the billing profile and the card on file.

Every queryset comes from ``core.tenancy.for_user`` for the current company (drafts are never shown);
writes go through ``billing.services`` and ``accounts.services``. Members need the "billing" capability.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts import services as account_services
from billing import selectors, services
from billing.choices import UNPAID_STATUSES, InvoiceStatus
from billing.downloads import invoice_pdf_response
from billing.models import CreditNote, Invoice, Payment, StoredCard
from core.tenancy import for_user
from portal.billing.forms import CardForm, ProfileForm
from portal.views import member_required


def _scoped(model, request, membership):
    return for_user(model, request.user, company=membership.company, staff_scope=False)


def _invoices(request, membership):
    return _scoped(Invoice, request, membership).exclude(status=InvoiceStatus.DRAFT)


def _invoice(request, membership, pk) -> Invoice:
    invoice = _invoices(request, membership).select_related("company", "reissue_of").filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return invoice


def _card(request, membership):
    return _scoped(StoredCard, request, membership).filter(removed_at__isnull=True).first()


@member_required("billing")
def overview(request, membership):
    company = membership.company
    return render(
        request,
        "portal/billing/overview.html",
        {
            "balance": selectors.company_balance(company=company),
            "open_invoices": selectors.invoice_rows(
                _invoices(request, membership).filter(status__in=UNPAID_STATUSES).order_by("due_date")[:10]
            ),
            "card": _card(request, membership),
        },
    )


@member_required("billing")
def invoice_list(request, membership):
    invoices = _invoices(request, membership).order_by("-issue_date", "-pk")
    page = Paginator(invoices, 25).get_page(request.GET.get("page"))
    return render(
        request, "portal/billing/invoices.html", {"page": page, "invoices": selectors.invoice_rows(page.object_list)}
    )


@member_required("billing")
def invoice_detail(request, pk, membership):
    invoice = _invoice(request, membership, pk)
    return render(
        request,
        "portal/billing/invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.order_by("position", "pk"),
            "allocations": invoice.allocations.select_related("payment").order_by("created"),
            "credits": invoice.credit_applications.filter(reversed_at__isnull=True).select_related("credit_note"),
        },
    )


@member_required("billing")
def invoice_pdf(request, pk, membership):
    """The stored PDF; if the worker has not rendered it yet, queue it and say so."""
    invoice = _invoice(request, membership, pk)
    response = invoice_pdf_response(invoice)
    if response is not None:
        return response
    from django_q.tasks import async_task

    async_task("billing.tasks.invoice_render_pdf", invoice.pk, task_name=f"invoice PDF {invoice.pk}")
    messages.info(request, _("The PDF of %(number)s is being prepared; try again in a minute.") % {"number": invoice})
    return redirect("portal:billing_invoice", invoice.pk)


@member_required("billing")
def payment_list(request, membership):
    payments = _scoped(Payment, request, membership).order_by("-received_on", "-pk")
    credit_notes = _scoped(CreditNote, request, membership).order_by("-issue_date", "-pk")[:25]
    page = Paginator(payments, 25).get_page(request.GET.get("page"))
    return render(request, "portal/billing/payments.html", {"page": page, "credit_notes": credit_notes})


@member_required("billing")
def profile(request, membership):
    company = membership.company
    billing_profile = services.billing_profile_for(company=company)
    initial = {name: getattr(billing_profile, name) for name in ProfileForm.PROFILE_FIELDS}
    initial.update({name: getattr(company, name) for name in ProfileForm.base_fields if name not in initial})
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.billing_profile_update(
                    company=company, **{name: data[name] for name in ProfileForm.PROFILE_FIELDS}
                )
                account_services.company_update(
                    company=company,
                    **{name: data[name] for name in ProfileForm.base_fields if name not in ProfileForm.PROFILE_FIELDS},
                )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, _("Billing details saved."))
            return redirect("portal:billing_profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/billing/profile.html", {"form": form, "profile": billing_profile}, status=status)


@sensitive_post_parameters("number", "cvc")
@member_required("billing")
def card(request, membership):
    """Add or replace the card on file. The number and code go to the service (and on to the gateway) only."""
    current = _card(request, membership)
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.card_save(company=membership.company, actor=request.user, **data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, texts in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, texts)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Card %(brand)s ending %(last4)s saved.") % {"brand": saved.brand.title(), "last4": saved.last4},
            )
            return redirect("portal:billing_card")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/billing/card.html", {"form": form, "card": current}, status=status)
