"""Headless Chromium: a customer orders a service, staff provision and activate it, the customer cancels it
through the e-mailed confirmation link."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from catalog import services
from catalog.choices import ServiceStatus
from catalog.models import Order
from tests.catalog.factories import plan

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_then_cancel_by_e_mail(page, alice, acme, support):
    chosen = plan(monthly="700.00", name="Half cabinet monthly")
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
    page.get_by_label("Note for our team").fill("Near our cage please")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/portal/services/")
    order = Order.objects.get(company=acme)
    assert page.get_by_text(order.number).first.is_visible()

    services.order_approve(order=order, actor=support)
    service = order.lines.get().service
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
