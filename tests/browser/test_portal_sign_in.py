"""People clicking through: a customer signs in, sees the portal, invites a colleague; staff meet MFA."""

import re

import pytest
from django.core import mail

from tests.accounts.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, login: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("Username or email|Email|Login", re.I)).first.fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()


def test_customer_signs_in_and_invites_a_colleague(page, alice, acme):
    sign_in(page, alice.email)
    page.goto("/portal/")
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Hosting"
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Users and invitations").click()
    page.get_by_label("E-mail address").fill("carol@acme.test")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Invitation sent to carol@acme.test").is_visible()
    assert "carol@acme.test" in page.locator("main").inner_text()
    assert any("carol@acme.test" in message.to for message in mail.outbox)


def test_portal_is_usable_on_a_phone(page, alice):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, alice.email)
    page.goto("/portal/")
    nav = page.get_by_role("navigation", name="Portal")
    assert nav.get_by_role("link", name="Dashboard").is_visible()
    # Nothing wider than the screen: no horizontal scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
