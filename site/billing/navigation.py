"""The billing group of the admin sidebar."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.navigation import can_view

SIDEBAR = {
    "title": _("Billing"),
    "separator": True,
    "collapsible": True,
    "items": [
        {
            "title": _("Invoices"),
            "icon": "receipt_long",
            "link": reverse_lazy("admin:billing_invoice_changelist"),
            "permission": can_view("billing.invoice"),
        },
        {
            "title": _("Revenue by month"),
            "icon": "bar_chart",
            "link": reverse_lazy("admin:billing_invoice_revenue"),
            "permission": can_view("billing.payment"),
        },
        {
            "title": _("Payments"),
            "icon": "payments",
            "link": reverse_lazy("admin:billing_payment_changelist"),
            "permission": can_view("billing.payment"),
        },
        {
            "title": _("Credit notes"),
            "icon": "undo",
            "link": reverse_lazy("admin:billing_creditnote_changelist"),
            "permission": can_view("billing.creditnote"),
        },
        {
            "title": _("Charges"),
            "icon": "add_shopping_cart",
            "link": reverse_lazy("admin:billing_charge_changelist"),
            "permission": can_view("billing.charge"),
        },
        {
            "title": _("Billing profiles"),
            "icon": "badge",
            "link": reverse_lazy("admin:billing_billingprofile_changelist"),
            "permission": can_view("billing.billingprofile"),
        },
        {
            "title": _("Tax rates"),
            "icon": "percent",
            "link": reverse_lazy("admin:billing_taxrate_changelist"),
            "permission": can_view("billing.taxrate"),
        },
        {
            "title": _("Cards on file"),
            "icon": "credit_card",
            "link": reverse_lazy("admin:billing_storedcard_changelist"),
            "permission": can_view("billing.storedcard"),
        },
    ],
}
