"""The services group of the admin sidebar."""

from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.navigation import can_view

SIDEBAR = {
    "title": _("Services"),
    "separator": True,
    "collapsible": True,
    "items": [
        {
            "title": _("Services"),
            "icon": "inventory_2",
            "link": reverse_lazy("admin:catalog_service_changelist"),
            "permission": can_view("catalog.service"),
        },
        {
            "title": _("Orders to approve"),
            "icon": "shopping_cart",
            "link": format_lazy("{}?status__exact=submitted", reverse_lazy("admin:catalog_order_changelist")),
            "permission": can_view("catalog.order"),
        },
        {
            "title": _("Pending cancellations"),
            "icon": "event_busy",
            "link": format_lazy(
                "{}?status__exact=cancellation_requested", reverse_lazy("admin:catalog_service_changelist")
            ),
            "permission": can_view("catalog.service"),
        },
        {
            "title": _("IP requests"),
            "icon": "lan",
            "link": reverse_lazy("admin:catalog_additionaliprequest_changelist"),
            "permission": can_view("catalog.additionaliprequest"),
        },
        {
            "title": _("Managed service requests"),
            "icon": "support",
            "link": reverse_lazy("admin:catalog_managedservicerequest_changelist"),
            "permission": can_view("catalog.managedservicerequest"),
        },
        {
            "title": _("Cancellation requests"),
            "icon": "mark_email_read",
            "link": reverse_lazy("admin:catalog_cancellationrequest_changelist"),
            "permission": can_view("catalog.cancellationrequest"),
        },
        {
            "title": _("Servers to wipe"),
            "icon": "cleaning_services",
            "link": format_lazy("{}?status__exact=waiting", reverse_lazy("admin:catalog_serverreturn_changelist")),
            "permission": can_view("catalog.serverreturn"),
        },
        {
            "title": _("Products"),
            "icon": "category",
            "link": reverse_lazy("admin:catalog_product_changelist"),
            "permission": can_view("catalog.product"),
        },
        {
            "title": _("Plans and prices"),
            "icon": "sell",
            "link": reverse_lazy("admin:catalog_plan_changelist"),
            "permission": can_view("catalog.plan"),
        },
        {
            "title": _("Options"),
            "icon": "add_circle",
            "link": reverse_lazy("admin:catalog_productoption_changelist"),
            "permission": can_view("catalog.productoption"),
        },
        {
            "title": _("Categories"),
            "icon": "folder",
            "link": reverse_lazy("admin:catalog_productcategory_changelist"),
            "permission": can_view("catalog.productcategory"),
        },
    ],
}
