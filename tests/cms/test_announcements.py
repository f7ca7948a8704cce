"""Announcements: who sees which, and when; the home page and the portal dashboard show them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.announcements.choices import Audience, Severity
from cms.announcements.selectors import announcements_for_company, company_site_references, public_announcements
from tests.cms.factories import announcement, home_page

pytestmark = pytest.mark.django_db


def titles(items) -> set[str]:
    return {item.title for item in items}


def test_public_announcements_respect_their_dates():
    now = timezone.now()
    announcement(title="current")
    announcement(title="open-ended", display_until=None, severity=Severity.NEWS)
    announcement(title="expired", display_from=now - timedelta(days=3), display_until=now - timedelta(days=1))
    announcement(title="future", display_from=now + timedelta(days=1))
    announcement(title="customers only", audience=Audience.CUSTOMERS)
    assert titles(public_announcements()) == {"current", "open-ended"}
    assert titles(public_announcements(now=now + timedelta(days=2))) == {"current", "open-ended", "future"}
    assert len(public_announcements(limit=1)) == 1


def test_company_sees_public_all_customer_and_its_sites_announcements(acme):
    announcement(title="public")
    announcement(title="all customers", audience=Audience.CUSTOMERS)
    announcement(title="ash1 power", audience=Audience.SITE, site_reference="ash1")
    announcement(title="fra2 power", audience=Audience.SITE, site_reference="fra2")
    announcement(
        title="old",
        audience=Audience.CUSTOMERS,
        display_from=timezone.now() - timedelta(days=5),
        display_until=timezone.now() - timedelta(days=4),
    )
    assert titles(announcements_for_company(acme, site_references={"ASH1"})) == {
        "public",
        "all customers",
        "ash1 power",
    }
    assert titles(announcements_for_company(acme, site_references=set())) == {"public", "all customers"}
    assert "all customers" not in titles(public_announcements())


def test_site_lookup_is_empty_without_a_dcim_site_selector(acme, monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(apps, "is_installed", lambda name: False)
    assert company_site_references(acme) == set()


def test_validation_in_the_editor_terms():
    with pytest.raises(ValidationError) as error:
        announcement(title="no site", audience=Audience.SITE, site_reference="")
    assert "Name the datacenter site" in str(error.value)
    now = timezone.now()
    with pytest.raises(ValidationError):
        announcement(title="backwards", display_from=now, display_until=now - timedelta(hours=1))


def test_home_page_shows_current_public_announcements_only(client):
    home_page()
    announcement(title="Router upgrade tonight")
    announcement(title="Secret customer note", audience=Audience.CUSTOMERS)
    html = client.get("/").content.decode()
    assert "Router upgrade tonight" in html
    assert "Secret customer note" not in html


def test_home_page_renders_without_announcements(client):
    home_page()
    response = client.get("/")
    assert response.status_code == 200
    assert "announcement-list" not in response.content.decode()


def test_portal_dashboard_shows_the_customers_announcements(alice, client_for):
    announcement(title="Customer maintenance window", audience=Audience.CUSTOMERS)
    announcement(title="Other site only", audience=Audience.SITE, site_reference="zz9")
    html = client_for(alice).get("/portal/").content.decode()
    assert "Customer maintenance window" in html
    assert "Other site only" not in html
