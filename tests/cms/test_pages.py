"""Page types: where each may be created, how each renders (headings, meta description, Open Graph),
live stock on the dedicated-servers page, sitemap.xml, robots.txt and the editor."""

import re

import pytest
from wagtail.models import Page, Site

from cms.home.models import HomePage
from cms.leads.models import QuotePage
from cms.marketing import stock
from cms.marketing.models import (
    DedicatedServersPage,
    NavigationSettings,
    PlansPage,
    ServiceLandingPage,
    SiteSettings,
    StandardPage,
)
from tests.cms.factories import add_page, home_page, quote_page

pytestmark = pytest.mark.django_db

PLAN_TABLE = {
    "type": "plan_table",
    "value": {
        "heading": "Hands plans",
        "intro": "",
        "plans": [
            {
                "name": "Block of 10",
                "summary": "",
                "billing_unit": "block",
                "price": "800.00",
                "currency": "USD",
                "block_hours": 10,
                "included_hours": "10 hours a month",
                "response_time": "30 minutes",
                "after_hours_rate": "120.50",
                "features": ["Named engineer"],
                "highlighted": True,
                "button": {"label": "Choose", "page": None, "url": "/request-a-quote/"},
            }
        ],
        "footnote": "",
    },
}
LANDING_BODY = [
    {"type": "value_propositions", "value": {"heading": "Why us", "items": [{"title": "Fast", "text": "15 min."}]}},
    {
        "type": "scope_list",
        "value": {
            "heading": "What Remote Hands covers",
            "intro": "",
            "items": [{"title": "Rack and stack", "description": ""}, {"title": "Fiber testing", "description": ""}],
        },
    },
    {
        "type": "response_times",
        "value": {
            "heading": "Response times",
            "rows": [{"request_type": "Emergency", "target": "15 minutes", "note": "24/7"}],
            "footnote": "",
        },
    },
    {
        "type": "faq",
        "value": {"heading": "FAQ", "items": [{"question": "Who may ask?", "answer": "<p>Your contacts.</p>"}]},
    },
]
OFFER = {
    "name": "Compute 1U",
    "device_type_slug": "compute-1u",
    "cpu": "16 cores",
    "memory": "128 GB",
    "storage": "2 × 1.92 TB NVMe",
    "network": "10 Gbit/s",
    "monthly_price": "289.00",
    "currency": "USD",
    "setup_fee": None,
}


def meta(html: str, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return match.group(1) if match else None


def test_page_types_can_only_be_created_where_they_belong():
    home = home_page()
    root = Page.get_first_root_node()
    for model in (ServiceLandingPage, PlansPage, DedicatedServersPage, StandardPage, QuotePage):
        assert model.can_create_at(home), model
        assert not model.can_create_at(root), model
    assert not HomePage.can_create_at(home)
    assert not HomePage.can_create_at(root)  # max_count: the one home page exists
    landing = add_page(home, ServiceLandingPage, title="Remote Hands", slug="remote-hands")
    about = add_page(home, StandardPage, title="About", slug="about")
    assert StandardPage.can_create_at(landing) and StandardPage.can_create_at(about)
    assert QuotePage.can_create_at(about)
    assert not QuotePage.can_create_at(landing)
    assert not ServiceLandingPage.can_create_at(landing)
    plans = add_page(home, PlansPage, title="Plans", slug="plans")
    assert PlansPage.allowed_subpage_models() == [] and not StandardPage.can_create_at(plans)


def test_home_page_renders_hero_meta_and_open_graph(client):
    home = home_page()
    home.search_description = "Racks, servers and hands in Ashburn."
    home.body = [PLAN_TABLE]
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "<h1>Colocation, dedicated servers and remote hands</h1>" in html
    assert meta(html, "name", "description") == "Racks, servers and hands in Ashburn."
    assert meta(html, "property", "og:title") == "ServerStock"
    assert meta(html, "property", "og:description") == "Racks, servers and hands in Ashburn."
    assert meta(html, "property", "og:url") == "http://testserver/"
    assert "$800" in html and "per block of 10 hours" in html and "$120.50 per hour" in html


def test_service_landing_page_renders_scope_response_times_and_faq(client):
    page = add_page(
        home_page(),
        ServiceLandingPage,
        title="Remote Hands",
        slug="remote-hands",
        hero_heading="An engineer at your rack in 15 minutes",
        hero_text="Reboots and checks around the clock.",
        body=LANDING_BODY,
    )
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>An engineer at your rack in 15 minutes</h1>" in html
    assert "<title>Remote Hands · ServerStock</title>" in html
    assert meta(html, "name", "description") == "Reboots and checks around the clock."
    assert meta(html, "property", "og:title") == "Remote Hands"
    for text in ("Rack and stack", "Fiber testing", "15 minutes", "<summary>Who may ask?</summary>"):
        assert text in html


def test_plans_standard_and_quote_pages_render(client):
    home = home_page()
    plans = add_page(home, PlansPage, title="Plans", slug="plans", body=[PLAN_TABLE])
    about = add_page(home, StandardPage, title="About us", slug="about", intro="Since 2009.")
    legal = add_page(about, StandardPage, title="Legal", slug="legal", search_description="Terms.")
    form = quote_page()
    for page, heading in ((plans, "Plans"), (about, "About us"), (legal, "Legal"), (form, "Request a quote")):
        response = client.get(page.url)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert meta(html, "property", "og:title") == heading
    assert "Block of 10" in client.get(plans.url).content.decode()
    assert meta(client.get(about.url).content.decode(), "name", "description") == "Since 2009."
    assert meta(client.get(legal.url).content.decode(), "name", "description") == "Terms."


def test_site_settings_and_navigation_drive_header_and_footer(client):
    home = home_page()
    plans = add_page(home, PlansPage, title="Plans", slug="plans")
    site = Site.objects.get(is_default_site=True)
    details = SiteSettings.for_site(site)
    details.company_name = "Rackhouse"
    details.phone = "+1 571 555 0142"
    details.address = "1 Data Way\nAshburn"
    details.social_links = [{"type": "link", "value": {"network": "linkedin", "url": "https://linkedin.test/rh"}}]
    details.save()
    navigation = NavigationSettings.for_site(site)
    navigation.header_links = [{"type": "link", "value": {"label": "Our plans", "page": plans.pk, "url": ""}}]
    navigation.footer_columns = [
        {
            "type": "column",
            "value": {"heading": "Company", "links": [{"label": "Portal", "page": None, "url": "/portal/"}]},
        }
    ]
    navigation.save()
    html = client.get(plans.url).content.decode()
    assert '<a href="/plans/" aria-current="page">Our plans</a>' in html
    assert '<a href="/portal/">Portal</a>' in html
    assert "Rackhouse" in html and "tel:+15715550142" in html and "1 Data Way<br>Ashburn" in html
    assert ">LinkedIn</a>" in html
    assert "<title>Plans · Rackhouse</title>" in html


def test_dedicated_servers_page_shows_no_counts_without_stock_data(client, monkeypatch):
    monkeypatch.setattr(stock, "stock_function", lambda: None)
    page = add_page(home_page(), DedicatedServersPage, title="Servers", slug="servers", offers=[("server", OFFER)])
    html = client.get(page.url).content.decode()
    assert "Compute 1U" in html and "$289" in html
    assert "in stock" not in html and "Out of stock" not in html


def test_dedicated_servers_page_shows_live_stock_counts(client, monkeypatch):
    def server_stock():
        return [
            {"device_type": "Compute 1U", "slug": "compute-1u", "available": 3},
            {"device_type": "Storage 2U", "slug": "storage-2u", "available": 0},
        ]

    monkeypatch.setattr(stock, "stock_function", lambda: server_stock)
    storage = {**OFFER, "name": "Storage 2U", "device_type_slug": "storage-2u"}
    page = add_page(
        home_page(),
        DedicatedServersPage,
        title="Servers",
        slug="servers",
        offers=[("server", OFFER), ("server", storage)],
    )
    html = client.get(page.url).content.decode()
    assert "3 in stock" in html
    assert "Out of stock" in html


def test_stock_is_cached_briefly_and_a_failing_selector_shows_no_counts(monkeypatch):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("DCIM database unavailable")

    monkeypatch.setattr(stock, "stock_function", lambda: broken)
    assert stock.server_stock() is None
    monkeypatch.setattr(stock, "stock_function", lambda: lambda: calls.append(1) or [{"slug": "a", "available": 2}])
    assert stock.server_stock()["a"]["available"] == 2
    assert stock.server_stock()["a"]["available"] == 2
    assert len(calls) == 2  # the second read came from the cache


def test_sitemap_lists_the_pages(client):
    home = home_page()
    add_page(home, ServiceLandingPage, title="Remote Hands", slug="remote-hands")
    add_page(home, PlansPage, title="Plans", slug="plans")
    quote_page()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/remote-hands/", "/plans/", "/request-a-quote/"):
        assert path + "</loc>" in body


def test_robots_txt_allows_the_site_and_hides_private_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "User-agent: *" in body
    for path in ("/admin/", "/cms/", "/portal/", "/api/"):
        assert f"Disallow: {path}\n" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /\n" not in body


def test_editor_opens_for_an_administrator_with_each_page_type(superuser, client_for):
    client = client_for(superuser)
    home = home_page()
    about = add_page(home, StandardPage, title="About", slug="about")
    assert client.get("/cms/").status_code == 200
    for model, parent in (
        (ServiceLandingPage, home),
        (PlansPage, home),
        (DedicatedServersPage, home),
        (StandardPage, home),
        (QuotePage, about),
    ):
        opts = model._meta
        url = f"/cms/pages/add/{opts.app_label}/{opts.model_name}/{parent.pk}/"
        assert client.get(url).status_code == 200, url
    assert client.get(f"/cms/pages/{home.pk}/edit/").status_code == 200
    assert client.get("/cms/snippets/announcements/announcement/").status_code == 200
    for settings_url in ("/cms/settings/marketing/sitesettings/", "/cms/settings/marketing/navigationsettings/"):
        # With one site Wagtail may redirect to that site's form: the page reached must be the form, not a sign-in.
        response = client.get(settings_url, follow=True)
        assert response.status_code == 200
        assert response.request["PATH_INFO"].startswith(settings_url)
