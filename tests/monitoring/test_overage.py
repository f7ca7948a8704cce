"""The month-end overage report: usage from the RRD files, the e-mail and CSV, one usage line on the next invoice."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.choices import StaffRole
from billing.models import Charge, InvoiceLine
from monitoring.models import BandwidthReport, BandwidthUsage
from monitoring.overage import charge_key, month_end_run, usage_compute
from monitoring.selectors import overage_notices
from tests.accounts.factories import staff_member
from tests.monitoring.factories import cabled_server, make_interface, switch, transit_service
from tests.monitoring.rrdmonth import interface_file, write_samples

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)
START = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
SAMPLES = 30 * 288


@pytest.fixture
def rrd(settings, tmp_path):
    settings.MONITORING_RRD_DIR = tmp_path / "rrd"
    return settings


def _month(settings, port, *, mbit_s):
    """A 30-day month whose samples are mostly ``mbit_s`` out, with the top 5 % (432 samples) much higher."""
    outs = [mbit_s * 1e6 / 8] * SAMPLES
    for k in range(0, SAMPLES, 20):  # 432 spikes: exactly the top 5 %, dropped by the 95th percentile
        outs[k] = 900e6 / 8
    ins = [mbit_s * 1e6 / 8 / 4] * SAMPLES
    write_samples(interface_file(settings, port), start=START, in_rates=ins, out_rates=outs)


@pytest.fixture
def customers(db, rrd, acme, globex, alice, bob):
    sw = switch()
    _nic, acme_port = cabled_server(acme, sw, port_name="Gi1/0/1")
    _nic, globex_port = cabled_server(globex, sw, port_name="Gi1/0/2")
    acme_service = transit_service(acme, [acme_port], commit_mbps=100, overage_price="2.50", on=date(2026, 10, 1))
    globex_service = transit_service(globex, [globex_port], commit_mbps=100, on=date(2026, 10, 1))
    _month(rrd, acme_port, mbit_s=150)  # 50 Mbit/s over
    _month(rrd, globex_port, mbit_s=60)  # within the commit
    return acme_service, globex_service


def test_usage_per_service(customers):
    acme_service, globex_service = customers
    usages = {usage.service_id: usage for usage in usage_compute(period_start=NOV, period_end=DEC)}
    acme_usage = usages[acme_service.pk]
    assert acme_usage.samples == SAMPLES
    assert acme_usage.billed_p95_mbps == 150.0
    assert acme_usage.in_p95_bps == pytest.approx(37.5e6)
    assert acme_usage.overage_mbps == Decimal("50.00")
    assert acme_usage.overage_amount == Decimal("125.00")
    assert acme_usage.out_bytes == pytest.approx((150e6 / 8 * (SAMPLES - 432) + 900e6 / 8 * 432) * 300, rel=1e-9)
    assert usages[globex_service.pk].overage_mbps == 0
    assert usages[globex_service.pk].billed_p95_mbps == 60.0


def test_burst_ceiling_and_measure(db, rrd, acme):
    sw = switch()
    port = make_interface(sw, name="Te1/1/1", speed=10000)
    capped = transit_service(acme, [port], commit_mbps=100, burst_mbps=120, on=date(2026, 10, 1))
    _month(rrd, port, mbit_s=150)
    usage = usage_compute(period_start=NOV, period_end=DEC, services=[capped])[0]
    assert usage.billed_p95_mbps == 120.0 and usage.overage_mbps == Decimal("20.00")
    inbound = transit_service(acme, [port], commit_mbps=100, measure="in", on=date(2026, 10, 1))
    usage = usage_compute(period_start=NOV, period_end=DEC, services=[inbound])[0]
    assert usage.billed_p95_mbps == 37.5 and usage.overage_mbps == 0


def test_month_end_reports_and_bills_once(customers, django_capture_on_commit_callbacks, settings):
    try:  # billing/runs.py moves into the billing.services package (issue 14)
        from billing.services.runs import billing_run
    except ImportError:
        from billing.runs import billing_run

    acme_service, _globex_service = customers
    billing_staff = staff_member(roles=[StaffRole.BILLING], email="billing.staff@serverstock.test")
    with django_capture_on_commit_callbacks(execute=True):
        result = month_end_run(run_date=DEC)
    assert (result.measured, result.over, result.charged, result.emailed) == (2, 1, 1, True)
    [message] = [message for message in mail.outbox if "overage report" in message.subject]
    assert billing_staff.email in message.to and settings.MONITORING_NOC_EMAIL in message.to
    assert "Acme Hosting" in message.body and "commit 100 Mbit/s" in message.body
    assert "95th percentile 150.00 Mbit/s" in message.body and "125.00" in message.body
    assert "Globex" not in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "bandwidth-overage-2026-11.csv" and mimetype == "text/csv"
    assert "Acme Hosting" in content and ",150.0," in content
    charge = Charge.objects.get(source="monitoring.bandwidth", key=charge_key(acme_service.pk, NOV))
    assert (charge.quantity, charge.unit_price, charge.kind) == (Decimal("50.0000"), Decimal("2.50"), "usage")
    # A rerun (a retried task) computes nothing again, bills nothing twice and does not mail again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = month_end_run(run_date=DEC)
    assert (again.charged, again.emailed) == (0, False)
    assert mail.outbox == []
    assert Charge.objects.filter(source="monitoring.bandwidth").count() == 1
    assert BandwidthReport.objects.get().services_over == 1
    assert BandwidthUsage.objects.filter(final=True).count() == 2
    # The next invoice carries one usage line; running the billing again adds none.
    billing_run(run_date=DEC, render_pdfs=False)
    billing_run(run_date=DEC, render_pdfs=False)
    lines = InvoiceLine.objects.filter(kind="usage", invoice__company=acme_service.company)
    assert lines.count() == 1
    assert lines.get().description.startswith("Bandwidth overage November 2026")
    line = lines.get()
    assert (line.net_amount, line.unit_price, line.service_id) == (Decimal("125.00"), Decimal("2.50"), acme_service.pk)


def test_report_in_the_admin_and_as_csv(customers, client_for, acme, globex, alice):
    month_end_run(run_date=DEC)
    billing_staff = staff_member(roles=[StaffRole.BILLING], email="billing2@serverstock.test")
    client = client_for(billing_staff)
    csv_response = client.get(reverse("monitoring:bandwidth_report_csv", args=["2026-11"]))
    assert csv_response.status_code == 200 and b"Acme Hosting" in csv_response.content
    assert client.get(reverse("monitoring:bandwidth_report_csv", args=["2026-xx"])).status_code == 404
    page = client.get(reverse("admin:monitoring_bandwidthusage_changelist"))
    assert page.status_code == 200
    assert client.get(reverse("admin:monitoring_bandwidthreport_changelist")).status_code == 200
    # Customers never get the report.
    assert client_for(alice).get(reverse("monitoring:bandwidth_report_csv", args=["2026-11"])).status_code in (
        302,
        403,
        404,
    )


def test_overage_notice_on_the_dashboard(customers, acme, globex):
    from django.utils import timezone

    from monitoring.usage import month_period

    acme_service, _ = customers
    start, end = month_period(timezone.localdate())
    usage = usage_compute(period_start=NOV, period_end=DEC, services=[acme_service])[0]
    BandwidthUsage.objects.filter(pk=usage.pk).update(period_start=start, period_end=end)
    notices = overage_notices(acme)
    assert len(notices) == 1 and "over its commit this month" in notices[0]["title"]
    assert "150.00 Mbit/s" in notices[0]["body"]
    assert overage_notices(globex) == []
    # The dashboard calls the provider only when its probe finds a row.
    assert overage_notices.probe(acme).exists() and not overage_notices.probe(globex).exists()


def _two_months(rrd, acme, globex):
    """October: 3 services, 1 over commit (a day of samples); November: 6 services, 4 over."""
    sw = switch()
    ports = [make_interface(sw, name=f"Gi1/0/{n}") for n in range(1, 7)]
    companies = [acme, globex]
    for n, port in enumerate(ports):
        transit_service(companies[n % 2], [port], commit_mbps=100, on=date(2026, 9, 1) if n < 3 else NOV)
    october = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
    for n, port in enumerate(ports[:3]):
        rate = (150 if n == 0 else 60) * 1e6 / 8
        write_samples(interface_file(rrd, port), start=october, in_rates=[rate / 4] * 288, out_rates=[rate] * 288)

    def november():
        for n, port in enumerate(ports):
            _month(rrd, port, mbit_s=150 if n < 4 else 60)

    return november


def test_usage_queries_do_not_grow_with_services(db, rrd, acme, globex):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    november = _two_months(rrd, acme, globex)
    with CaptureQueriesContext(connection) as small:
        october = usage_compute(period_start=date(2026, 10, 1), period_end=NOV)
    november()
    with CaptureQueriesContext(connection) as large:
        usages = usage_compute(period_start=NOV, period_end=DEC)
    assert (len(october), sum(u.is_over for u in october), len(usages), sum(u.is_over for u in usages)) == (3, 1, 6, 4)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_month_end_queries_do_not_grow_with_services(db, rrd, acme, globex):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    november = _two_months(rrd, acme, globex)
    with CaptureQueriesContext(connection) as small:
        first = month_end_run(run_date=NOV)
    november()
    with CaptureQueriesContext(connection) as large:
        second = month_end_run(run_date=DEC)
    assert (first.measured, first.over, second.measured, second.over) == (3, 1, 6, 4)
    assert Charge.objects.count() == 5
    assert len(large.captured_queries) == len(small.captured_queries)
