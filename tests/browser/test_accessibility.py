"""axe-core in headless Chromium over the website, the portal's main pages and the NOC board; keyboard use
of the portal's menu and forms; the portal at phone width, with screenshots at desktop and phone width
(written to var/test-screenshots/portal/ to look at)."""

import ipaddress
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from catalog import services as catalog_services
from ipam import services as ipam_services
from monitoring.models import InterfaceState
from tests.accounts.factories import sign_in, staff_member
from tests.billing.factories import make_invoice
from tests.catalog.factories import active_service
from tests.cms.factories import home_page
from tests.dcim.factories import make_device, make_interface, make_rack
from tests.ipam.factories import customer_block, justification_for
from tests.tickets.factories import make_ticket, technician
from tickets import services as ticket_services

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = settings.VENDOR_STATIC["axe-core"] / "axe.min.js"
SCREENSHOTS = settings.VAR_DIR / "test-screenshots" / "portal"
PHONE, DESKTOP = 390, 1280


@pytest.fixture
def tab(browser, live_server):
    """A page whose context ignores the Content-Security-Policy, so axe-core can be injected from its file."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, context
    context.close()


def signed_in(context, user, live_server) -> None:
    """The browser carries a session of ``user`` (staff with MFA set up count as fully signed in)."""
    client = sign_in(Client(), user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
        }))"""
    )
    return [violation for violation in found if violation["impact"] in ("serious", "critical")]


def _acme_footprint(acme, alice):
    """What Alice's pages show: an invoice, services (one suspended), a server with IPs, tickets, traffic."""
    rack = make_rack(acme, name="B04")
    server = make_device(acme, name="web-01", rack=rack, position=10)
    port = make_interface(server, "eth0", speed=1000)
    InterfaceState.objects.create(
        interface=port, oper_status="up", in_bps=12_345_678, out_bps=499995.866, rates_at=timezone.now()
    )
    block = customer_block(acme)
    first, _last = block.usable_range()
    ipam_services.ip_assign(
        address=str(ipaddress.IPv4Address(first)), company=acme, interface=port, justification=justification_for(acme)
    )
    service = active_service(acme, label="Dedicated web-01")
    catalog_services.service_link_resources(service=service, actor=None, devices=[server])
    suspended = active_service(acme, label="Cabinet B04")
    catalog_services.service_suspend(service=suspended, actor=None, reason="Abuse report")
    invoice = make_invoice(acme)
    ticket = make_ticket(acme, subject="Disk failing in web-01", device=server, requester=alice)
    ticket_services.ticket_reply(ticket=ticket, author=technician(), body="Which bay is it in?")
    return {"server": server, "service": service, "invoice": invoice, "ticket": ticket, "port": port}


def _portal_pages(objects) -> list[tuple[str, str]]:
    from django.urls import reverse

    return [
        ("dashboard", reverse("portal:dashboard")),
        ("services", reverse("portal:services")),
        ("service", reverse("portal:service_detail", args=[objects["service"].pk])),
        ("order", reverse("portal:service_order")),
        ("cancel", reverse("portal:service_cancel")),
        ("tickets", reverse("portal:tickets")),
        ("ticket", reverse("portal:ticket_detail", args=[objects["ticket"].pk])),
        ("ticket-new", reverse("portal:ticket_create")),
        ("billing", reverse("portal:billing")),
        ("invoice", reverse("portal:billing_invoice", args=[objects["invoice"].pk])),
        ("network", reverse("portal:network")),
        ("server", reverse("portal:device_detail", args=[objects["server"].pk])),
        ("ips", reverse("portal:ips")),
        ("bandwidth", reverse("portal:bandwidth")),
        ("bandwidth-port", reverse("portal:bandwidth_interface", args=[objects["port"].pk])),
        ("account", reverse("portal:account")),
    ]


def test_portal_pages_have_no_serious_violations_and_fit_a_phone(tab, live_server, alice, acme):
    page, context = tab
    pages = _portal_pages(_acme_footprint(acme, alice))
    signed_in(context, alice, live_server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems, overflowing = {}, {}
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages:
            response = page.goto(url)
            assert response.status == 200, f"{url}: {response.status}"
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            if width == DESKTOP:
                found = serious_violations(page)
                if found:
                    problems[url] = found
            else:
                widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if widths[0] > widths[1]:
                    overflowing[url] = widths
    assert not problems, problems
    assert not overflowing, f"wider than the phone (scrollWidth, innerWidth): {overflowing}"


def test_website_and_noc_board_have_no_serious_violations(tab, live_server):
    from cms.marketing.demo import load_website

    home_page()
    load_website()
    page, context = tab
    problems = {}
    for url in (
        "/",
        "/remote-hands/",
        "/smart-hands/",
        "/plans/",
        "/dedicated-servers/",
        "/request-a-quote/",
        "/about/",
        "/status/",
    ):
        assert page.goto(url).status == 200, url
        found = serious_violations(page)
        if found:
            problems[url] = found
    signed_in(context, staff_member(superuser=True, email="noc-viewer@serverstock.test"), live_server)
    assert page.goto("/noc/").status == 200
    found = serious_violations(page)
    if found:
        problems["/noc/"] = found
    assert not problems, problems


def test_portal_menu_and_ticket_form_work_from_the_keyboard(tab, live_server, alice, acme):
    page, context = tab
    server = make_device(acme, name="web-01")
    signed_in(context, alice, live_server)
    page.goto("/portal/")
    # The first Tab reaches the skip link, which jumps to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    # Tab on through the header to the menu, then follow "Tickets" with Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Tickets":
            break
    else:
        pytest.fail("Tab never reached the portal menu's Tickets link")
    assert page.evaluate("!!document.activeElement.closest('nav[aria-label=Portal]')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/tickets/$"))
    # Open a ticket about the server with the keyboard only: focus the subject, fill, tab through, submit.
    page.goto(f"/portal/tickets/new/?device={server.pk}")
    page.get_by_label("Subject").focus()
    page.keyboard.type("Reboot web-01 please")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "body":
            break
    else:
        pytest.fail("Tab never reached the message field")
    page.keyboard.type("It hangs at the BIOS screen.")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    else:
        pytest.fail("Tab never reached the submit button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/tickets/\d+/$"))
    assert "Reboot web-01 please" in page.get_by_role("heading", level=1).inner_text()
    assert alice.requested_tickets.get().device == server
