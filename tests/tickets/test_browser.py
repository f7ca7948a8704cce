"""Headless Chromium: a customer opens a remote-hands ticket with a photo, sees it, and replies."""

import pytest
from django.conf import settings
from django.test import Client

from tests.tickets.factories import PNG_BYTES
from tickets.models import Ticket

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_opens_a_ticket_and_replies(page, alice, tmp_path):
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
    photo = tmp_path / "psu.png"
    photo.write_bytes(PNG_BYTES)

    page.goto("/portal/tickets/")
    page.get_by_role("link", name="Open a ticket", exact=True).click()
    page.get_by_label("Subject").fill("PSU 2 of db-01 is amber")
    page.get_by_label("Category").select_option("remote_hands")
    page.get_by_label("Message").fill("Please <b>swap</b> it; the spare is in locker 3.")
    page.get_by_label("Attachments").set_input_files(str(photo))
    page.get_by_role("button", name="Open ticket").click()

    # The form page's own URL matches the thread's pattern too: wait for the thread's heading instead.
    page.get_by_role("heading", name="PSU 2 of db-01 is amber").wait_for()
    ticket = Ticket.objects.get(subject="PSU 2 of db-01 is amber")
    assert page.get_by_text("Please <b>swap</b> it").is_visible()  # shown as text, not markup
    # Wait for the preview to finish loading (a busy machine serves it after the heading shows).
    loaded_width = page.locator("img[alt='psu.png']").evaluate(
        "img => img.complete && img.naturalWidth ? img.naturalWidth : new Promise(resolve => {"
        " img.addEventListener('load', () => resolve(img.naturalWidth));"
        " img.addEventListener('error', () => resolve(0)); })"
    )
    assert loaded_width == 1

    page.get_by_label("Your reply").fill("It is the left one.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_load_state()
    assert page.get_by_text("It is the left one.").is_visible()
    assert ticket.messages.count() == 2 and ticket.category == "remote_hands"
