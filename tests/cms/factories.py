"""Builders for the marketing site's pages, quote form, leads and announcements."""

from datetime import timedelta

from django.utils import timezone

from cms.announcements.choices import Audience, Severity
from cms.announcements.models import Announcement
from cms.home.models import HomePage
from cms.leads.models import Lead, QuoteFormField, QuotePage
from tests.factories import register_factory

QUOTE_FIELDS = [
    ("Name", "singleline", True, ""),
    ("Email", "email", True, ""),
    ("Company", "singleline", False, ""),
    ("Service", "dropdown", True, "Remote Hands\nSmart Hands"),
    ("Message", "multiline", True, ""),
]


def home_page() -> HomePage:
    """The home page made by the migration (the default site's root), rebuilt if a transactional test flushed it."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    from wagtail.models import Locale, Page, Site

    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = HomePage(
        title="ServerStock", slug="home", headline="Colocation, dedicated servers and remote hands", live=True
    )
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "ServerStock"}
    )
    return home


def add_page(parent, model, **fields):
    """Create and publish ``model`` under ``parent``."""
    page = model(**fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def quote_page(parent=None, **fields) -> QuotePage:
    fields = {
        "title": "Request a quote",
        "slug": "request-a-quote",
        "to_address": "sales@serverstock.test",
        "subject": "New quote request",
        "thank_you_text": "<p>Thank you, we will be in touch.</p>",
        **fields,
    }
    page = add_page(parent or home_page(), QuotePage, **fields)
    for order, (label, kind, required, choices) in enumerate(QUOTE_FIELDS):
        QuoteFormField.objects.create(
            page=page, sort_order=order, label=label, field_type=kind, required=required, choices=choices
        )
    return page


def announcement(**fields) -> Announcement:
    now = timezone.now()
    fields = {
        "title": "Planned maintenance",
        "summary": "Core router upgrade.",
        "severity": Severity.MAINTENANCE,
        "audience": Audience.PUBLIC,
        "display_from": now - timedelta(hours=1),
        **fields,
    }
    item = Announcement(**fields)
    item.full_clean()
    item.save()
    return item


@register_factory(Lead)
def lead_factory(company=None) -> Lead:
    return Lead.objects.create(
        name="Dana Buyer", email="dana@buyer.test", company_name="Buyer Inc", service="Smart Hands"
    )
