"""The Monitoring group of the admin sidebar: the NOC board first, then checks, incidents and the rest."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.navigation import can_view


def _item(title, icon: str, model: str) -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": reverse_lazy(f"admin:monitoring_{model}_changelist"),
        "permission": can_view(f"monitoring.{model}"),
    }


def _may_use_board(request) -> bool:
    from monitoring.noc_views import may_use_board

    return may_use_board(request.user)


SIDEBAR = {
    "title": _("Monitoring"),
    "separator": True,
    "collapsible": True,
    "items": [
        {
            "title": _("NOC board"),
            "icon": "monitor_heart",
            "link": reverse_lazy("monitoring:noc"),
            "permission": _may_use_board,
        },
        _item(_("Checks"), "network_check", "check"),
        _item(_("Incidents"), "crisis_alert", "incident"),
        _item(_("Monitoring contacts"), "contact_phone", "monitoringcontact"),
        _item(_("Maintenance windows"), "event_busy", "maintenancewindow"),
        _item(_("Events"), "notifications", "monitoringevent"),
        _item(_("Interface states"), "settings_ethernet", "interfacestate"),
        _item(_("Device health"), "health_and_safety", "devicehealth"),
        _item(_("Collector tokens"), "key", "collectortoken"),
    ],
}
