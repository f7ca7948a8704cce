"""A visitor in a real browser: requests a quote, and the landing pages look right on desktop and phone."""

import re

import pytest
from django.conf import settings
from django.core import mail

from cms.leads.models import Lead
from cms.marketing.models import PlansPage, ServiceLandingPage
from tests.cms.factories import add_page, home_page, quote_page
from tests.cms.test_pages import LANDING_BODY, PLAN_TABLE

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.VAR_DIR / "test-screenshots" / "cms"


def test_visitor_requests_a_quote_and_pages_fit_a_phone(page):
    home = home_page()
    remote = add_page(home, ServiceLandingPage, title="Remote Hands", slug="remote-hands", body=LANDING_BODY)
    plans = add_page(home, PlansPage, title="Plans", slug="plans", body=[PLAN_TABLE])
    form = quote_page(home)

    page.goto(form.url)
    page.get_by_label("Name").fill("Dana Buyer")
    page.get_by_label("Email").fill("dana@buyer.test")
    page.get_by_label("Company").fill("Buyer Inc")
    page.get_by_label("Service").select_option("Smart Hands")
    page.get_by_label("Message").fill("Two racks, fiber testing.")
    assert not page.locator("#id_fax_number").is_visible() or page.locator(".hp-field").bounding_box()["x"] < 0
    page.get_by_role("button", name="Send request").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    assert Lead.objects.get().email == "dana@buyer.test"
    assert any("sales@serverstock.test" in message.to for message in mail.outbox)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        for target, name in ((home, "home"), (remote, "remote-hands"), (plans, "plans")):
            page.goto(target.url)
            assert page.get_by_role("heading", level=1).is_visible()
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
            # Nothing wider than the screen: no horizontal scrolling of the page itself.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, label)
    assert re.search(r"Block of 10", page.content())
