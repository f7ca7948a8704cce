"""Headless Chromium: a customer orders a service with an add-on option (the running total follows), staff
provision and activate it, the customer cancels it through the e-mailed confirmation link, then withdraws the
cancellation from the service page."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from catalog import services
from catalog.choices import ServiceStatus
from catalog.models import Order
from tests.catalog.factories import option, plan

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_with_an_option_then_cancel_by_e_mail_then_withdraw(page, alice, acme, support):
    chosen = plan(monthly="700.00", setup="100.00", name="Half cabinet monthly")
    feed = option(chosen.product, monthly="45.00", setup="20.00", name="Second power feed")
    other = option(plan().product, monthly="9.00", name="Other product's add-on")
    client = Client()
    client.force_login(alice)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            }
        ]
    )
    page.goto("/portal/services/")
    page.get_by_role("link", name="Order a service").click()
    page.get_by_label("Plan").select_option(str(chosen.pk))
    page.get_by_label("Quantity").fill("1")
    total = page.locator("#order-total")
    assert total.text_content() == "700.00 USD monthly + 100.00 USD one-time"
    # Only the chosen plan's add-ons are offered; ticking one updates the total.
    hidden = page.get_by_label(other.name, exact=False)
    assert hidden.count() == 1 and not hidden.is_visible()
    page.get_by_label("Second power feed", exact=False).check()
    assert total.text_content() == "745.00 USD monthly + 120.00 USD one-time"
    page.get_by_label("Quantity").fill("2")
    assert total.text_content() == "1490.00 USD monthly + 240.00 USD one-time"
    page.get_by_label("Quantity").fill("1")
    page.get_by_label("Note for our team").fill("Near our cage please")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/portal/services/orders/*/")
    order = Order.objects.get(company=acme)
    assert page.get_by_role("heading", name=f"Order {order.number}").is_visible()
    assert page.get_by_role("cell", name="Second power feed", exact=False).is_visible()
    assert (str(order.total_recurring), str(order.total_one_time)) == ("745.00", "120.00")

    services.order_approve(order=order, actor=support)
    service = order.lines.get().service
    assert list(service.options.all()) == [feed]
    services.service_provision(service=service, actor=support)
    services.service_activate(service=service, actor=support)

    page.goto("/portal/services/")
    page.get_by_role("link", name="Cancel services").click()
    page.get_by_label(str(service)).check()
    page.get_by_role("button", name="Send the confirmation e-mail").click()
    page.wait_for_url("**/portal/services/")
    link = re.search(r"https?://\S+/portal/services/cancel/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link[link.index("/portal/") :])
    page.get_by_role("button", name="Yes, cancel these services").click()
    page.wait_for_url("**/portal/services/")
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLATION_REQUESTED
    assert page.get_by_text("Cancellation requested").first.is_visible()

    page.goto(f"/portal/services/{service.pk}/")
    page.get_by_label("Yes, keep this service running", exact=False).check()
    page.get_by_role("button", name="Withdraw the cancellation").click()
    page.wait_for_url(f"**/portal/services/{service.pk}/")
    assert page.get_by_text("is withdrawn").is_visible()
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
