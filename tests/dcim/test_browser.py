"""A customer opens their rack in the portal and sees its elevation with their server."""

import pytest

from dcim import services
from tests.browser.test_portal_sign_in import sign_in
from tests.dcim.factories import device_type, make_device, make_rack

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_views_rack_elevation(page, alice, acme):
    rack = make_rack(acme, name="ACME-R1")
    services.device_place(
        device=make_device(acme, name="acme-db", dtype=device_type("2U", u_height=2)), rack=rack, position=20
    )
    sign_in(page, alice.email)
    page.goto("/portal/")
    page.get_by_role("link", name="Network").click()
    page.get_by_role("link", name="ACME-R1").click()
    front = page.get_by_role("img", name="Rack ACME-R1, front")
    assert front.is_visible()
    assert "acme-db" in front.inner_html()
    page.locator("svg a").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "acme-db"
