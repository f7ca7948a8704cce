"""Check results open and close incidents once, alert the chosen contacts and the NOC (real e-mail through
the file backend), respect maintenance windows, flapping, quiet hours and pauses."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from monitoring import checks as check_services
from monitoring import incidents
from monitoring.choices import CheckState
from monitoring.models import Incident
from tests.monitoring.factories import committed, fail, make_check, make_contact, succeed

pytestmark = pytest.mark.django_db


def _to(address):
    return [message for message in mail.outbox if address in message.to]


def test_down_after_n_failures_then_one_recovery(acme, settings):
    settings.MONITORING_NOC_EMAIL = "noc@serverstock.test"
    contact = make_contact(acme, email="ops@acme.test")
    check = make_check(acme, name="web1 ssh", down_after=3)

    fail(check, times=2)
    assert check.state == CheckState.UNKNOWN and check.consecutive_failures == 2
    assert not Incident.objects.exists() and not mail.outbox

    outcome = fail(check)
    assert check.state == CheckState.DOWN
    incident = Incident.objects.get()
    assert outcome.opened == [incident.pk] and incident.is_open and incident.cause == "connection refused"
    [down] = _to(contact.email)
    assert down.subject.startswith("[ServerStock] DOWN: web1 ssh")
    [noc] = _to("noc@serverstock.test")
    assert acme.name in noc.subject and "/noc/" in noc.body

    fail(check, times=3)  # still down: nothing new
    assert Incident.objects.count() == 1 and len(mail.outbox) == 2

    succeed(check)
    incident.refresh_from_db()
    assert check.state == CheckState.UP and not incident.is_open
    assert incident.duration == timedelta(minutes=4)
    [_down, up] = _to(contact.email)
    assert up.subject.startswith("[ServerStock] UP: web1 ssh") and "4\xa0minutes" in up.body
    succeed(check, times=2)
    assert len(mail.outbox) == 4 and Incident.objects.count() == 1


def test_a_resent_batch_changes_nothing(acme):
    check = make_check(acme, down_after=1)
    at = timezone.now()
    result = {"check": check.pk, "ok": False, "at": at.isoformat(), "message": "refused"}
    first = incidents.check_results_ingest(results=[result])
    again = incidents.check_results_ingest(results=[result])
    assert first.stored == 1 and again.ignored == 1 and again.stored == 0
    assert Incident.objects.count() == 1


def test_flapping_keeps_one_incident_until_stable(acme):
    contact = make_contact(acme)
    check = make_check(acme, down_after=1, interval_seconds=60)
    start = timezone.now() - timedelta(hours=2)

    fail(check, start=start)  # first outage: opened and closed normally
    succeed(check)
    assert Incident.objects.filter(closed_at__isnull=False).count() == 1
    fail(check)  # down again: a second incident
    succeed(check)  # the fourth change within 30 minutes: flapping, held open
    second = Incident.objects.order_by("-pk").first()
    assert second.is_open and second.flapping
    sent = len(_to(contact.email))
    fail(check)
    succeed(check)
    fail(check)
    assert Incident.objects.count() == 2, "a flapping check opens no further incident"
    assert len(_to(contact.email)) == sent, "and alerts nobody in between"
    succeed(check, times=6)  # up for five intervals: closed, one recovery
    second.refresh_from_db()
    assert not second.is_open
    assert len(_to(contact.email)) == sent + 1 and "held back" in _to(contact.email)[-1].body


def test_maintenance_window_opens_no_incident(acme):
    contact = make_contact(acme)
    check = make_check(acme, down_after=1)
    now = timezone.now()
    with committed():
        check_services.maintenance_window_create(
            service_check=check, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1), reason="reboot"
        )
    assert len(_to(contact.email)) == 1  # announced once, although it has begun
    fail(check, times=3, start=now - timedelta(minutes=3))
    assert check.state == CheckState.MAINTENANCE and not Incident.objects.exists()


def test_planned_window_is_announced_to_who_wants_it(acme):
    wants = make_contact(acme, email="a@acme.test")
    make_contact(acme, email="b@acme.test", notify_maintenance=False)
    check = make_check(acme)
    start = timezone.now() + timedelta(days=1)
    with committed():
        check_services.maintenance_window_create(
            service_check=check, starts_at=start, ends_at=start + timedelta(hours=2)
        )
    assert [message.to for message in mail.outbox] == [[wants.email]]
    with pytest.raises(ValidationError):
        check_services.maintenance_window_create(service_check=check, starts_at=start, ends_at=start)


def test_contact_choices_and_quiet_hours(acme, settings):
    settings.MONITORING_NOC_EMAIL = ""
    downs_only = make_contact(acme, email="downs@acme.test", notify_up=False)
    # Quiet hours around now (in UTC): recoveries are held back, down alerts still go out.
    now_utc = timezone.now().astimezone(UTC)
    sleepy = make_contact(
        acme,
        email="sleepy@acme.test",
        quiet_hours_start=(now_utc - timedelta(minutes=5)).time().replace(microsecond=0),
        quiet_hours_end=(now_utc + timedelta(minutes=5)).time().replace(microsecond=0),
        time_zone="UTC",
    )
    assert sleepy.in_quiet_hours()
    inactive = make_contact(acme, email="gone@acme.test", is_active=False)
    check = make_check(acme, down_after=1)
    fail(check)
    succeed(check)
    assert len(_to(downs_only.email)) == 1
    assert [m.subject.split(":")[0] for m in _to(sleepy.email)] == ["[ServerStock] DOWN"]
    assert _to(inactive.email) == []


def test_quiet_hours_in_the_contacts_time_zone(acme):
    contact = make_contact(
        acme, quiet_hours_start=time(22, 0), quiet_hours_end=time(7, 0), time_zone="America/New_York"
    )
    assert contact.in_quiet_hours(datetime(2026, 1, 15, 4, 0, tzinfo=UTC))  # 23:00 in New York
    assert not contact.in_quiet_hours(datetime(2026, 1, 15, 17, 0, tzinfo=UTC))  # noon there
    with pytest.raises(ValidationError, match="time zone"):
        make_contact(acme, email="x@acme.test", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError, match="both ends"):
        make_contact(acme, email="y@acme.test", quiet_hours_start=time(1, 0))


def test_without_contacts_the_owners_are_told(acme, alice, settings):
    settings.MONITORING_NOC_EMAIL = ""
    fail(make_check(acme, down_after=1))
    assert [message.to for message in mail.outbox] == [[alice.email]]


def test_alert_email_is_a_real_file(acme, settings, tmp_path):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    contact = make_contact(acme, email="files@acme.test")
    fail(make_check(acme, name="db1 postgres", down_after=1))
    texts = [path.read_text() for path in tmp_path.iterdir()]
    mine = [text for text in texts if f"To: {contact.email}" in text]
    assert len(mine) == 1 and "DOWN: db1 postgres" in mine[0]


def test_pausing_closes_the_incident_quietly_and_ignores_results(acme):
    contact = make_contact(acme)
    check = make_check(acme, down_after=1)
    fail(check)
    with committed():
        check_services.check_pause(check=check, paused=True)
    check.refresh_from_db()
    assert check.state == CheckState.PAUSED and not Incident.objects.get().is_open
    assert len(_to(contact.email)) == 1
    outcome = fail(check)
    assert outcome.ignored == 1 and check.state == CheckState.PAUSED
    check_services.check_pause(check=check, paused=False)
    check.refresh_from_db()
    assert check.state == CheckState.UNKNOWN and check.consecutive_failures == 0


def test_acknowledge_records_who_and_when_once(acme, noc_user, alice):
    check = make_check(acme, down_after=1)
    fail(check)
    incident = Incident.objects.get()
    with pytest.raises(ValidationError):
        incidents.incident_acknowledge(incident=incident, actor=alice)
    incidents.incident_acknowledge(incident=incident, actor=noc_user)
    first = incident.acknowledged_at
    incidents.incident_acknowledge(incident=incident, actor=noc_user)
    incident.refresh_from_db()
    assert incident.acknowledged_by == noc_user and incident.acknowledged_at == first


def test_one_open_incident_per_check_is_a_database_rule(acme):
    from django.db import IntegrityError, transaction

    check = make_check(acme, down_after=1)
    Incident.objects.create(service_check=check, company=acme, opened_at=timezone.now(), cause="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(service_check=check, company=acme, opened_at=timezone.now(), cause="y")


def test_ingest_statements_do_not_grow_with_the_batch(acme, django_assert_max_num_queries):
    def batch(count):
        checks = [make_check(acme, name=f"c{n}", host="127.0.0.1") for n in range(count)]
        at = timezone.now().isoformat()
        return [{"check": check.pk, "ok": True, "at": at, "response_ms": 1.0} for check in checks]

    small, large = batch(3), batch(30)
    incidents.check_results_ingest(results=small)  # first results: unknown -> up
    incidents.check_results_ingest(results=large)
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    for results, _label in ((small, "3"), (large, "30")):
        for item in results:
            item["at"] = later
        with django_assert_max_num_queries(6):
            incidents.check_results_ingest(results=results)


def test_bad_results_are_a_validation_error(acme):
    with pytest.raises(ValidationError):
        incidents.check_results_ingest(results=[{"ok": True}])


def test_open_incidents_are_dashboard_notices_while_they_last(acme, globex, django_assert_max_num_queries):
    from monitoring.check_selectors import incident_notices

    check = make_check(acme, name="web1 https", down_after=1)
    fail(check, message="HTTP 503")
    make_check(globex, down_after=1)
    with django_assert_max_num_queries(1):
        [notice] = incident_notices(acme)
    assert notice["level"] == "danger" and notice["title"] == "web1 https is down"
    assert "HTTP 503" in notice["body"] and notice["url"] == f"/portal/monitoring/checks/{check.pk}/"
    # The dashboard calls the provider only when its probe finds a row.
    assert incident_notices.probe(acme).exists() and not incident_notices.probe(globex).exists()
    succeed(check)
    assert incident_notices(acme) == [] and not incident_notices.probe(acme).exists()
