"""Reads of announcements for the public site and for a customer's portal dashboard."""

from django.apps import apps
from django.utils import timezone

from cms.announcements.models import Announcement


def public_announcements(*, limit: int | None = None, now=None) -> list[Announcement]:
    """Current announcements for everyone, newest first."""
    queryset = Announcement.objects.current(now or timezone.now()).public().newest_first()
    return list(queryset[:limit] if limit else queryset)


def company_site_references(company) -> set[str]:
    """Slugs of the datacenter sites where ``company`` has equipment; empty while DCIM is absent.

    Uses ``dcim.selectors.company_site_slugs(company)`` when DCIM provides it.
    """
    if not apps.is_installed("dcim"):
        return set()
    try:
        from dcim import selectors as dcim_selectors
    except ImportError:
        return set()
    function = getattr(dcim_selectors, "company_site_slugs", None)
    if function is None:
        return set()
    return {str(slug).lower() for slug in function(company)}


def announcements_for_company(company, *, now=None, site_references=None, limit: int | None = 10) -> list:
    """Current announcements a customer of ``company`` should see on the portal dashboard, newest first.

    Public ones, those for all customers, and those for the sites where the company has equipment
    (``site_references`` overrides the lookup through DCIM).
    """
    if site_references is None:
        site_references = company_site_references(company)
    queryset = Announcement.objects.current(now or timezone.now()).for_customers_of_sites(site_references)
    queryset = queryset.newest_first()
    return list(queryset[:limit] if limit else queryset)
