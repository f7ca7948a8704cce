"""Reads of the accounts app that span models."""

from django.db import models

from accounts.models import Invitation, Membership
from core.tenancy import remember_member_company_ids

SESSION_COMPANY_KEY = "serverstock_company_id"


def user_memberships(user):
    """The user's active memberships, with their companies, by company name (as a queryset; every portal page
    reads the same rows through ``accounts.statements.active_memberships``)."""
    return Membership.objects.active().filter(user=user).select_related("company").order_by("company__name")


def request_memberships(request) -> list[Membership]:
    """The signed-in user's active memberships (``user_memberships``), read once per request.

    The same read tells tenancy which companies the user belongs to (``core.tenancy.member_company_ids``), so a
    portal page does not ask again.
    """
    if not hasattr(request, "_serverstock_memberships"):
        from accounts.statements import active_memberships

        memberships = []
        if request.user.is_authenticated:
            memberships = active_memberships(request.user.pk)
            remember_member_company_ids(request.user, [m.company_id for m in memberships])
        request._serverstock_memberships = memberships
    return request._serverstock_memberships


def current_membership(request) -> Membership | None:
    """The membership the user acts through in the portal: the company chosen in the switcher, else the first.

    Cached on the request, so a page asks the database once.
    """
    if not hasattr(request, "_serverstock_membership"):
        memberships = request_memberships(request)
        membership = None
        chosen = request.session.get(SESSION_COMPANY_KEY) if memberships else None
        if chosen:
            membership = next((m for m in memberships if m.company_id == chosen), None)
        request._serverstock_membership = membership or next(iter(memberships), None)
    return request._serverstock_membership


def company_members(company):
    """Active members of ``company`` with their users."""
    return Membership.objects.active().filter(company=company).select_related("user").order_by("user__email")


def company_pending_invitations(company):
    """Invitations to ``company`` still waiting to be accepted."""
    return Invitation.objects.pending().filter(company=company).select_related("invited_by")


def dashboard_cards(request) -> list[dict]:
    """Admin dashboard figures of this app."""
    from django.urls import reverse

    from accounts.models import Company

    if not request.user.has_perm("accounts.view_company"):
        return []
    counts = {status: 0 for status in ("active", "suspended", "closed")}
    for row in Company.objects.values("status").annotate(total=models.Count("pk")):
        counts[row["status"]] = row["total"]
    return [
        {
            "title": "Active companies",
            "value": counts["active"],
            "link": reverse("admin:accounts_company_changelist") + "?status__exact=active",
            "footer": f"{counts['suspended']} suspended · {counts['closed']} closed",
        }
    ]
