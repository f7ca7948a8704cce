"""Bandwidth levels: every level reached is sent (also on a jump), once per level and month, to whom it concerns."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from accounts.choices import CompanyRole
from monitoring.bandwidth import levels_reached, thresholds_evaluate
from monitoring.models import BandwidthNotice, InterfaceState, MonitoringEvent
from monitoring.selectors import bandwidth_notices
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.monitoring.factories import cabled_server, make_interface, switch, transit_service


def _rate(states, in_bps, out_bps=0):
    for state in states:
        state.in_bps, state.out_bps, state.rates_at = in_bps, out_bps, timezone.now()
        state.save()


def test_levels():
    assert levels_reached(79.9) == []
    assert levels_reached(80) == [80]
    assert levels_reached(100) == [80, 100]
    assert levels_reached(100.5) == [80, 100, 101]
    assert levels_reached(250, levels=(50, 90)) == [50, 90]


def test_a_jump_sends_every_level_once_per_month(db, acme, alice, django_capture_on_commit_callbacks, settings):
    settings.MONITORING_NOC_EMAIL = "noc@dc.test"
    billing = MembershipFactory(company=acme, user=UserFactory(email="billing@acme.test"), role=CompanyRole.BILLING)
    MembershipFactory(company=acme, user=UserFactory(email="viewer@acme.test"), role=CompanyRole.READ_ONLY)
    sw = switch()
    a, b = make_interface(sw, name="Te1/1/1", speed=10000), make_interface(sw, name="Te1/1/2", speed=10000)
    service = transit_service(acme, [a, b], commit_mbps=100)
    states = [InterfaceState.objects.create(interface=port) for port in (a, b)]

    def run(in_bps, out_bps=0):
        _rate(states, in_bps, out_bps)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return [notice.level for notice in thresholds_evaluate(interface_ids=[a.pk])]

    # Two ports of 45 Mbit/s out each: 90 % of the 100 Mbit/s commit (ports added up, larger direction).
    assert run(1e6, 45e6) == [80]
    assert {tuple(message.to) for message in mail.outbox} == {("noc@dc.test", alice.email, billing.user.email)}
    # 90 % → 120 %: both 100 % and 101 % are sent, in one evaluation.
    assert run(60e6) == [100, 101]
    assert len(mail.outbox) == 2
    assert "over 100 %" in mail.outbox[1].subject and "120 %" in mail.outbox[1].subject
    # Staying up, dropping and coming back within the month: nothing again.
    assert run(60e6) == []
    assert run(1e6) == []
    assert run(50e6) == []
    assert mail.outbox == []
    assert BandwidthNotice.objects.filter(service=service).count() == 3
    assert MonitoringEvent.objects.filter(kind="bandwidth").count() == 3
    # Next month the levels are armed again (last month's notices moved back a month here).
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    BandwidthNotice.objects.update(
        period_start=last_month.replace(day=1), period_end=timezone.localdate().replace(day=1)
    )
    assert run(60e6) == [80, 100, 101]


def test_the_customer_dashboard_announces_the_highest_level_until_the_month_ends(db, acme, globex, alice):
    sw = switch()
    _nic, port = cabled_server(acme, sw)
    service = transit_service(acme, [port], commit_mbps=100)
    state = InterfaceState.objects.create(interface=port, in_bps=130e6, rates_at=timezone.now())
    thresholds_evaluate(interface_ids=[state.interface_id])
    notices = bandwidth_notices(acme)
    assert len(notices) == 1
    assert notices[0]["level"] == "danger" and "101 %" in notices[0]["title"]
    assert str(service) in notices[0]["title"]
    assert notices[0]["url"].endswith(f"/bandwidth/services/{service.pk}/")
    assert bandwidth_notices(globex) == []
    # The dashboard calls the provider only when its probe finds a row.
    assert bandwidth_notices.probe(acme).exists() and not bandwidth_notices.probe(globex).exists()
    BandwidthNotice.objects.update(period_end=timezone.localdate())  # the month is over
    assert bandwidth_notices(acme) == [] and not bandwidth_notices.probe(acme).exists()


def test_a_port_without_a_service_is_measured_on_its_own_commit(db, acme, alice, django_capture_on_commit_callbacks):
    sw = switch()
    _nic, port = cabled_server(acme, sw)
    state = InterfaceState.objects.create(interface=port, commit_mbps=500, in_bps=450e6, rates_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        notices = thresholds_evaluate(interface_ids=[port.pk])
    assert [(notice.level, notice.service_id, notice.company_id) for notice in notices] == [(80, None, acme.pk)]
    state.refresh_from_db()
    assert state.threshold_level == 80
    # The switch port is cabled to Acme's server: Acme is told as well as the NOC, and sees it on the dashboard.
    assert [message.to for message in mail.outbox] == [["noc@serverstock.example", alice.email]]
    assert "Gi1/0/1" in bandwidth_notices(acme)[0]["title"]


def test_queries_do_not_grow_with_ports(db, acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sw = switch()
    ports = []
    for number in range(12):
        port = make_interface(sw, name=f"Gi1/0/{number}", speed=1000)
        transit_service(acme, [port], commit_mbps=100)
        InterfaceState.objects.create(interface=port, in_bps=85e6, rates_at=timezone.now())
        ports.append(port.pk)
    with CaptureQueriesContext(connection) as two:
        assert len(thresholds_evaluate(interface_ids=ports[:2])) == 2
    BandwidthNotice.objects.all().delete()
    with CaptureQueriesContext(connection) as twelve:
        assert len(thresholds_evaluate(interface_ids=ports)) == 12
    # Only each new notice costs its own insert (in a savepoint: at most three statements).
    assert len(twelve) - len(two) <= 10 * 3
    with CaptureQueriesContext(connection) as nothing_new_few:
        assert thresholds_evaluate(interface_ids=ports[:2]) == []
    with CaptureQueriesContext(connection) as nothing_new_many:
        assert thresholds_evaluate(interface_ids=ports) == []
    assert len(nothing_new_many) == len(nothing_new_few)


def test_dashboard_shows_bandwidth_overage_and_abuse_notices(db, acme, globex, alice, bob, client_for):
    from datetime import date

    from monitoring.abuse import abuse_report_create
    from monitoring.models import BandwidthUsage
    from monitoring.usage import month_period

    sw = switch()
    _nic, port = cabled_server(acme, sw)
    service = transit_service(acme, [port], commit_mbps=100, on=date(2026, 1, 1))
    InterfaceState.objects.create(interface=port, in_bps=130e6, rates_at=timezone.now())
    thresholds_evaluate(interface_ids=[port.pk])
    start, end = month_period(timezone.localdate())
    BandwidthUsage.objects.create(
        service=service, period_start=start, period_end=end, billed_p95_bps=130e6, commit_mbps=100,
        overage_mbps=30, overage_price=2, overage_amount=60, samples=10, expected_samples=10,
    )  # fmt: skip
    abuse_report_create(company=acme, summary="Spam from your server")
    page = client_for(alice).get("/portal/").content.decode()
    assert "reached 101 % of its commit" in page
    assert "is over its commit this month" in page and "about 60" in page
    assert "Abuse report: Spam from your server" in page
    other = client_for(bob).get("/portal/").content.decode()
    assert "reached 101 %" not in other and "Spam from your server" not in other
