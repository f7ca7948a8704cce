"""The DCIM group of the admin sidebar."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.navigation import can_view


def _item(title, icon: str, model: str) -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": reverse_lazy(f"admin:dcim_{model}_changelist"),
        "permission": can_view(f"dcim.{model}"),
    }


SIDEBAR = {
    "title": _("Datacenter"),
    "separator": True,
    "collapsible": True,
    "items": [
        _item(_("Sites"), "location_city", "site"),
        _item(_("Rooms and cages"), "meeting_room", "room"),
        _item(_("Rows"), "view_column", "row"),
        _item(_("Racks"), "shelves", "rack"),
        _item(_("Rack reservations"), "event_available", "rackreservation"),
        _item(_("Devices"), "dns", "device"),
        {
            "title": _("Hardware search"),
            "icon": "search",
            "link": reverse_lazy("admin:dcim_device_hardware_search"),
            "permission": can_view("dcim.device"),
        },
        _item(_("Device types"), "memory", "devicetype"),
        _item(_("Manufacturers"), "factory", "manufacturer"),
        _item(_("Interfaces"), "settings_ethernet", "interface"),
        _item(_("Cables"), "cable", "cable"),
        _item(_("Cross-connects"), "swap_horiz", "crossconnect"),
        _item(_("Power panels"), "electrical_services", "powerpanel"),
        _item(_("Power circuits"), "bolt", "powercircuit"),
        _item(_("Power outlets"), "power", "poweroutlet"),
        _item(_("Power ports"), "electrical_services", "powerport"),
        _item(_("Secret reveals"), "visibility", "secretreveal"),
    ],
}
