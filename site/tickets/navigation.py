"""The tickets group of the admin sidebar."""

from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.navigation import can_view

SIDEBAR = {
    "title": _("Support"),
    "separator": True,
    "collapsible": False,
    "items": [
        {
            "title": _("My tickets"),
            "icon": "assignment_ind",
            "link": format_lazy("{}?view=mine", reverse_lazy("admin:tickets_ticket_changelist")),
            "permission": can_view("tickets.ticket"),
        },
        {
            "title": _("Open tickets"),
            "icon": "support_agent",
            "link": format_lazy("{}?view=open", reverse_lazy("admin:tickets_ticket_changelist")),
            "permission": can_view("tickets.ticket"),
        },
        {
            "title": _("SLA report"),
            "icon": "timer",
            "link": reverse_lazy("admin:tickets_ticket_sla_report"),
            "permission": can_view("tickets.ticket"),
        },
        {
            "title": _("Messages"),
            "icon": "forum",
            "link": reverse_lazy("admin:tickets_message_changelist"),
            "permission": can_view("tickets.message"),
        },
        {
            "title": _("Time entries"),
            "icon": "schedule",
            "link": reverse_lazy("admin:tickets_timeentry_changelist"),
            "permission": can_view("tickets.timeentry"),
        },
        {
            "title": _("Parts used"),
            "icon": "memory",
            "link": reverse_lazy("admin:tickets_partused_changelist"),
            "permission": can_view("tickets.partused"),
        },
        {
            "title": _("Canned replies"),
            "icon": "quickreply",
            "link": reverse_lazy("admin:tickets_cannedreply_changelist"),
            "permission": can_view("tickets.cannedreply"),
        },
        {
            "title": _("Queues"),
            "icon": "inbox",
            "link": reverse_lazy("admin:tickets_queue_changelist"),
            "permission": can_view("tickets.queue"),
        },
        {
            "title": _("SLA policies"),
            "icon": "policy",
            "link": reverse_lazy("admin:tickets_slapolicy_changelist"),
            "permission": can_view("tickets.slapolicy"),
        },
        {
            "title": _("Business calendars"),
            "icon": "calendar_month",
            "link": reverse_lazy("admin:tickets_businesscalendar_changelist"),
            "permission": can_view("tickets.businesscalendar"),
        },
        {
            "title": _("Attachments"),
            "icon": "attach_file",
            "link": reverse_lazy("admin:tickets_attachment_changelist"),
            "permission": can_view("tickets.attachment"),
        },
    ],
}
