"""The portal's main navigation. An entry shows once its URL exists (later apps add the views)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

PORTAL_NAVIGATION = [
    ("dashboard", _("Dashboard"), "portal:dashboard", None),
    ("services", _("Services"), "portal:services", "view"),
    ("billing", _("Billing"), "portal:billing", "billing"),
    ("tickets", _("Tickets"), "portal:tickets", "view"),
    ("network", _("Network"), "portal:network", "technical"),
    ("ips", _("IP addresses"), "portal:ips", "view"),
    ("bandwidth", _("Bandwidth"), "portal:bandwidth", "view"),
    ("monitoring", _("Monitoring"), "portal:monitoring", "technical"),
    ("account", _("Account"), "portal:account", None),
]


def portal_navigation(request, membership) -> list[dict]:
    """Entries the member may use, with the active one marked."""
    items = []
    for key, title, url_name, capability in PORTAL_NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        if capability and (membership is None or not membership.can(capability)):
            continue
        active = request.path == url if key == "dashboard" else request.path.startswith(url)
        items.append({"key": key, "title": title, "url": url, "active": active})
    return items
