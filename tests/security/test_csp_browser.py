"""Content-Security-Policy on: the admin, the Wagtail editor, Swagger UI, the portal and the NOC board load in
headless Chromium without a single policy violation, and their scripts still run."""

import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.factories import sign_in
from tests.catalog.factories import plan
from tests.security import REPORT

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _signed_in(page, user):
    client = sign_in(Client(), user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            }
        ]  # fmt: skip
    )
    page.context.add_init_script(WATCH_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))
    return console


def _visit(page, console, path: str, ready: str | None = None):
    response = page.goto(path)
    REPORT["csp_pages"] += 1
    assert response.status == 200, path
    assert "script-src" in response.headers.get("content-security-policy", ""), path
    if ready:
        page.wait_for_selector(ready, state="attached", timeout=15_000)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    blocked = [text for text in console if "Content Security Policy" in text]
    assert violations == [] and blocked == [], (path, violations, blocked)


def test_staff_pages_keep_working_under_the_policy(page, superuser):
    console = _signed_in(page, superuser)
    _visit(page, console, "/admin/", ready="#nav-sidebar, nav, aside")
    _visit(page, console, "/admin/dcim/device/")
    _visit(page, console, "/admin/dcim/device/add/", ready="form")
    _visit(page, console, "/admin/tickets/ticket/export/", ready="form")
    _visit(page, console, "/cms/", ready="main")
    _visit(page, console, "/cms/pages/", ready="main")
    _visit(page, console, "/noc/", ready="#noc-connection")
    _visit(page, console, "/api/docs/", ready=".swagger-ui .info")


def test_the_portal_keeps_working_under_the_policy(page, alice):
    chosen = plan(monthly="700.00", setup="100.00", name="Half cabinet monthly")
    console = _signed_in(page, alice)
    _visit(page, console, "/portal/")
    _visit(page, console, "/portal/services/order/", ready="#order-total")
    page.get_by_label("Plan").select_option(str(chosen.pk))
    page.get_by_label("Quantity").fill("1")
    # The running total comes from the page's (nonce-carrying) inline script.
    assert page.locator("#order-total").text_content() == "700.00 USD monthly + 100.00 USD one-time"
    _visit(page, console, "/accounts/login/")
