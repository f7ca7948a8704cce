"""The accounts group of the admin sidebar."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.navigation import can_view

SIDEBAR = {
    "title": _("Customers & staff"),
    "separator": True,
    "collapsible": False,
    "items": [
        {
            "title": _("Companies"),
            "icon": "apartment",
            "link": reverse_lazy("admin:accounts_company_changelist"),
            "permission": can_view("accounts.company"),
        },
        {
            "title": _("Memberships"),
            "icon": "badge",
            "link": reverse_lazy("admin:accounts_membership_changelist"),
            "permission": can_view("accounts.membership"),
        },
        {
            "title": _("Invitations"),
            "icon": "forward_to_inbox",
            "link": reverse_lazy("admin:accounts_invitation_changelist"),
            "permission": can_view("accounts.invitation"),
        },
        {
            "title": _("Users"),
            "icon": "person",
            "link": reverse_lazy("admin:accounts_user_changelist"),
            "permission": can_view("accounts.user"),
        },
        {
            "title": _("Staff groups"),
            "icon": "group",
            "link": reverse_lazy("admin:auth_group_changelist"),
            "permission": can_view("auth.group"),
        },
        {
            "title": _("API tokens"),
            "icon": "key",
            "link": reverse_lazy("admin:accounts_apitoken_changelist"),
            "permission": can_view("accounts.apitoken"),
        },
    ],
}
