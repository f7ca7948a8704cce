"""Declarations of the billing models: admin, API, filters and import/export are generated from these.

Customers read their company's finalised invoices, lines, payments and credit notes through the API (drafts
are staff only, see ``billing/api.py``); billing profiles and cards on file are customer-visible for the
portal but not exposed in the API. Financial records are never imported from spreadsheets.
"""

from billing.choices import (
    CREDIT_NOTE_KIND_COLOURS,
    INVOICE_STATUS_COLOURS,
    LINE_KIND_COLOURS,
    PAYMENT_METHOD_COLOURS,
)
from billing.models import (
    Adjustment,
    BillingProfile,
    BillingRunRecord,
    Charge,
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceEmail,
    InvoiceLine,
    InvoiceNumberSequence,
    InvoicePDF,
    NonPaymentSuspension,
    Payment,
    PaymentAllocation,
    StoredCard,
    TaxRate,
)
from billing.services import (
    billing_profile_change,
    charge_add,
    invoice_create_draft,
    invoice_line_add,
    invoice_update,
    payment_record,
    taxrate_create,
    taxrate_delete,
    taxrate_update,
)
from core.registry import ModelSpec, register

# Nothing here is deleted (no spec names a delete service): a wrong invoice is voided and reissued, a wrong
# payment or charge is answered with a credit note or an adjustment. Records made only by flows (allocations,
# PDFs, e-mails, runs) name no service at all and are read-only in the admin and API.

# Overrides of generated classes outside admin.py, imported by core.registry.autodiscover() after every spec.
OVERRIDES = ("billing.api",)

register(
    ModelSpec(
        model=Invoice,
        list_display=("number", "company", "status", "issue_date", "due_date", "total", "balance_column", "currency"),
        search_fields=("number", "company__name", "company__account_number"),
        filter_fields=("status", "currency", "company"),
        select_related=("company",),
        autocomplete_fields=("company",),
        badges={"status": INVOICE_STATUS_COLOURS},
        ordering=("-pk",),
        importable=False,
        tenancy="company",
        api_fields=(
            "id",
            "number",
            "company",
            "status",
            "currency",
            "issue_date",
            "due_date",
            "period_start",
            "period_end",
            "subtotal",
            "tax_total",
            "total",
            "amount_paid",
            "credit_applied",
            "reissue_of",
            "finalised_at",
            "paid_at",
            "voided_at",
            "void_reason",
        ),
        hidden_from_customers={"status": "draft"},
        create=invoice_create_draft,
        update=invoice_update,
    )
)

register(
    ModelSpec(
        model=InvoiceLine,
        list_display=("description", "invoice", "kind", "quantity", "unit_price", "net_amount", "tax_amount"),
        search_fields=("description", "invoice__number"),
        filter_fields=("kind", "released"),
        select_related=("invoice",),
        badges={"kind": LINE_KIND_COLOURS},
        importable=False,
        admin_addable=False,
        tenancy="invoice__company",
        api_fields=(
            "id",
            "invoice",
            "position",
            "kind",
            "description",
            "quantity",
            "unit_price",
            "proration",
            "net_amount",
            "tax_rate",
            "tax_amount",
            "total_amount",
            "service_id",
            "component",
            "period_start",
            "period_end",
            "released",
        ),
        hidden_from_customers={"invoice__status": "draft"},
        create=invoice_line_add,
    )
)

register(
    ModelSpec(
        model=Payment,
        list_display=("received_on", "company", "method", "amount", "currency", "reference"),
        search_fields=("reference", "company__name", "gateway_reference"),
        filter_fields=("method", "currency", "company"),
        select_related=("company",),
        autocomplete_fields=("company",),
        badges={"method": PAYMENT_METHOD_COLOURS},
        importable=False,
        admin_addable=False,
        tenancy="company",
        api_fields=("id", "company", "method", "amount", "currency", "received_on", "reference", "created"),
        # An API payment is allocated exactly as the admin's "record payment": oldest unpaid first, rounded, the
        # rest as account credit.
        create=payment_record,
    )
)

register(
    ModelSpec(
        model=CreditNote,
        list_display=("number", "company", "kind", "amount", "remaining", "currency", "issue_date"),
        search_fields=("number", "company__name", "reason"),
        filter_fields=("kind", "currency", "company"),
        select_related=("company",),
        autocomplete_fields=("company",),
        badges={"kind": CREDIT_NOTE_KIND_COLOURS},
        importable=False,
        admin_addable=False,
        tenancy="company",
        api_fields=(
            "id",
            "number",
            "company",
            "kind",
            "invoice",
            "currency",
            "amount",
            "remaining",
            "reason",
            "issue_date",
        ),
    )
)

register(
    ModelSpec(
        model=BillingProfile,
        list_display=("company", "currency", "payment_terms_days", "tax_exempt", "billing_email"),
        search_fields=("company__name", "billing_email", "tax_exemption_id"),
        filter_fields=("currency", "tax_exempt"),
        select_related=("company",),
        autocomplete_fields=("company",),
        importable=False,
        api=False,
        tenancy="company",
        update=billing_profile_change,
    )
)

register(
    ModelSpec(
        model=StoredCard,
        list_display=("company", "brand", "last4", "exp_month", "exp_year", "removed_at"),
        search_fields=("company__name", "last4"),
        filter_fields=("brand", "gateway"),
        select_related=("company",),
        importable=False,
        admin_addable=False,
        api=False,
        tenancy="company",
        secret_fields=("token",),
        export_fields=("id", "company", "gateway", "brand", "last4", "exp_month", "exp_year", "removed_at"),
    )
)

register(
    ModelSpec(
        model=Charge,
        list_display=("title", "company", "kind", "quantity", "unit_price", "currency", "taxable", "source", "created"),
        search_fields=("title", "company__name", "key"),
        filter_fields=("kind", "source", "currency", "taxable", "company"),
        select_related=("company",),
        autocomplete_fields=("company",),
        importable=False,
        create=charge_add,
    )
)

register(
    ModelSpec(
        model=Adjustment,
        list_display=("invoice", "amount", "reason", "created"),
        search_fields=("invoice__number", "reason"),
        select_related=("invoice",),
        importable=False,
        admin_addable=False,
    )
)

register(
    ModelSpec(
        model=PaymentAllocation,
        list_display=("payment", "invoice", "amount", "created"),
        search_fields=("invoice__number", "payment__reference"),
        select_related=("payment", "invoice"),
        importable=False,
        admin_addable=False,
    )
)

register(
    ModelSpec(
        model=CreditApplication,
        list_display=("credit_note", "invoice", "amount", "reversed_at"),
        search_fields=("invoice__number", "credit_note__number"),
        select_related=("credit_note", "invoice"),
        importable=False,
        admin_addable=False,
    )
)

register(
    ModelSpec(
        model=TaxRate,
        list_display=("name", "rate", "country", "region", "company", "is_active"),
        search_fields=("name", "country", "region", "company__name"),
        filter_fields=("country", "is_active"),
        select_related=("company",),
        autocomplete_fields=("company",),
        create=taxrate_create,
        update=taxrate_update,
        delete=taxrate_delete,
    )
)

register(
    ModelSpec(
        model=InvoiceNumberSequence,
        list_display=("name", "prefix", "next_value", "digits"),
        search_fields=("name",),
        importable=False,
        admin_addable=False,
        api=False,
    )
)

register(
    ModelSpec(
        model=InvoicePDF,
        list_display=("invoice", "size", "created"),
        search_fields=("invoice__number",),
        select_related=("invoice",),
        importable=False,
        admin_addable=False,
        api=False,
    )
)

register(
    ModelSpec(
        model=InvoiceEmail,
        list_display=("invoice", "step", "recipients", "sent_at", "sent_by"),
        search_fields=("invoice__number", "recipients", "subject"),
        filter_fields=("step",),
        select_related=("invoice", "sent_by"),
        importable=False,
        admin_addable=False,
        api=False,
        tenancy="invoice__company",
    )
)

register(
    ModelSpec(
        model=NonPaymentSuspension,
        list_display=("service", "company", "invoice", "suspended_at", "lifted_at"),
        search_fields=("company__name", "invoice__number", "service__label"),
        filter_fields=("company",),
        select_related=("service", "company", "invoice"),
        autocomplete_fields=("company",),
        importable=False,
        admin_addable=False,
        api=False,
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=BillingRunRecord,
        list_display=("period_start", "period_end", "last_run_at", "runs", "invoices", "lines", "summary"),
        search_fields=("summary",),
        importable=False,
        admin_addable=False,
        api=False,
    )
)
