"""Template context for portal pages: the membership, the company switcher and the navigation."""

from accounts.selectors import current_membership, request_memberships
from portal.navigation import portal_navigation


def portal(request) -> dict:
    if not request.path.startswith("/portal/") or not request.user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "membership": membership,
        "current_company": membership.company if membership else None,
        "switchable_memberships": request_memberships(request),
        "portal_navigation": portal_navigation(request, membership),
    }
