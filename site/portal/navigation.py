"""The portal's main navigation. An entry shows once its URL exists (later apps add the views)."""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
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


@lru_cache(maxsize=8)
def _entries(urlconf, script_prefix) -> tuple[tuple, ...]:
    """The entries whose URL exists, with it: the same for every request under one URLconf and script prefix
    (the arguments), so reversed once, not nine times a page."""
    entries = []
    for key, title, url_name, capability in PORTAL_NAVIGATION:
        try:
            entries.append((key, title, reverse(url_name, urlconf=urlconf), capability))
        except NoReverseMatch:
            continue
    return tuple(entries)


def portal_navigation(request, membership) -> list[dict]:
    """Entries the member may use, with the active one marked."""
    items = []
    for key, title, url, capability in _entries(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()):
        if capability and (membership is None or not membership.can(capability)):
            continue
        active = request.path == url if key == "dashboard" else request.path.startswith(url)
        items.append({"key": key, "title": title, "url": url, "active": active})
    return items
