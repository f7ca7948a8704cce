"""The IPAM group of the admin sidebar."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.navigation import can_view

SIDEBAR = {
    "title": _("IP addresses"),
    "separator": True,
    "collapsible": True,
    "items": [
        {
            "title": _("IP search"),
            "icon": "travel_explore",
            "link": reverse_lazy("admin:ipam_search"),
            "permission": can_view("ipam.prefix"),
        },
        {
            "title": _("ARIN report"),
            "icon": "summarize",
            "link": reverse_lazy("admin:ipam_arin_report"),
            "permission": can_view("ipam.prefix"),
        },
        {
            "title": _("Prefixes"),
            "icon": "lan",
            "link": reverse_lazy("admin:ipam_prefix_changelist"),
            "permission": can_view("ipam.prefix"),
        },
        {
            "title": _("IP addresses"),
            "icon": "pin",
            "link": reverse_lazy("admin:ipam_ipaddress_changelist"),
            "permission": can_view("ipam.ipaddress"),
        },
        {
            "title": _("Assignment history"),
            "icon": "history",
            "link": reverse_lazy("admin:ipam_assignment_changelist"),
            "permission": can_view("ipam.assignment"),
        },
        {
            "title": _("ARIN justifications"),
            "icon": "assignment",
            "link": reverse_lazy("admin:ipam_ipjustification_changelist"),
            "permission": can_view("ipam.ipjustification"),
        },
        {
            "title": _("Aggregates"),
            "icon": "public",
            "link": reverse_lazy("admin:ipam_aggregate_changelist"),
            "permission": can_view("ipam.aggregate"),
        },
        {
            "title": _("VLANs"),
            "icon": "settings_ethernet",
            "link": reverse_lazy("admin:ipam_vlan_changelist"),
            "permission": can_view("ipam.vlan"),
        },
        {
            "title": _("RIRs"),
            "icon": "account_balance",
            "link": reverse_lazy("admin:ipam_rir_changelist"),
            "permission": can_view("ipam.rir"),
        },
    ],
}
