"""A customer opens Bandwidth in Chromium: their server's switch port with graphs, the service with its 95th
percentile, another customer's port nowhere; the page's refresh script loads (no inline script)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.models import InterfaceState
from monitoring.overage import usage_refresh_current
from tests.browser.test_portal_sign_in import sign_in
from tests.monitoring.factories import cabled_server, switch, transit_service
from tests.monitoring.rrdmonth import interface_file, write_samples

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_bandwidth_page(page, alice, acme, globex, settings, tmp_path):
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    sw = switch()
    _nic, port = cabled_server(acme, sw, port_name="Gi1/0/7")
    _other, foreign = cabled_server(globex, sw, port_name="Gi1/0/9")
    service = transit_service(acme, [port], commit_mbps=100, on=timezone.localdate() - timedelta(days=60))
    InterfaceState.objects.create(
        interface=port, oper_status="up", in_bps=12.5e6, out_bps=48.2e6, rates_at=timezone.now()
    )
    start = int(timezone.now().timestamp()) // 300 * 300 - 2 * 86400
    write_samples(interface_file(settings, port), start=start, in_rates=[1e6] * 576, out_rates=[6e6] * 576)
    usage_refresh_current()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, alice.email)
    page.goto("/portal/bandwidth/")
    main = page.locator("main")
    text = main.inner_text()
    assert "Gi1/0/7" in text and "Gi1/0/9" not in text
    assert "48.2 Mbit/s" in text and "12.5 Mbit/s" in text
    graph = page.get_by_role("img", name="Traffic of Gi1/0/7 over the last 24 hours")
    graph.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", graph.element_handle())
    assert page.locator("script[src*='bandwidth-refresh.js']").count() == 1
    page.get_by_role("link", name=str(service)).click()
    assert page.get_by_role("heading", level=1).inner_text() == str(service)
    assert page.get_by_text("95th percentile so far").is_visible()
    assert "48 Mbit/s" in page.locator("main").inner_text()
    assert page.get_by_role("img", name=re.compile("per day")).count() == 1
    assert not [error for error in errors if "Content Security Policy" in error]
    response = page.goto(f"/noc/graphs/interface/{foreign.pk}/day.png")
    assert response.status == 404
