"""Abuse reports: staff record one against a company, an IP or a service; the customer sees it on the dashboard,
acknowledges it and answers in a linked ticket; another customer never sees it."""

import ipaddress

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import CompanyRole
from monitoring.abuse import abuse_report_acknowledge, abuse_report_answer, abuse_report_create
from monitoring.models import AbuseReport
from monitoring.selectors import abuse_notices
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.catalog.factories import service_for
from tests.ipam.factories import customer_block


def test_the_company_comes_from_the_address_or_the_service(db, acme, globex, alice, django_capture_on_commit_callbacks):
    block = customer_block(acme)
    first, _last = block.usable_range()
    address = str(ipaddress.IPv4Address(first))
    with django_capture_on_commit_callbacks(execute=True):
        report = abuse_report_create(ip_address=address, kind="spam", summary=f"Spam from {address}")
    assert report.company == acme
    assert [message.to for message in mail.outbox] == [[alice.email]]
    service = service_for(globex)
    assert abuse_report_create(service=service, summary="Port scans").company == globex
    with pytest.raises(ValidationError, match="another customer"):
        abuse_report_create(company=globex, ip_address=address, summary="Wrong customer")
    with pytest.raises(ValidationError, match="another customer"):
        abuse_report_create(company=acme, service=service, summary="Wrong service")
    with pytest.raises(ValidationError, match="No customer held"):
        abuse_report_create(ip_address="192.0.2.77", summary="Nobody's")
    with pytest.raises(ValidationError):
        abuse_report_create(company=acme, summary="  ")


def test_customer_acknowledges_and_answers_in_a_ticket(db, acme, globex, alice, bob, client_for):
    report = abuse_report_create(company=acme, kind="attack", summary="Outbound DDoS from 10.0.0.5")
    [notice] = abuse_notices(acme)
    assert notice["level"] == "danger" and notice["url"] == reverse("portal:abuse_report", args=[report.pk])
    assert abuse_notices(globex) == []
    # The dashboard calls the provider only when its probe finds a row.
    assert abuse_notices.probe(acme).exists() and not abuse_notices.probe(globex).exists()
    client = client_for(alice)
    page = client.get(notice["url"])
    assert page.status_code == 200 and b"Outbound DDoS" in page.content
    client.post(reverse("portal:abuse_acknowledge", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "acknowledged" and report.acknowledged_by == alice
    assert abuse_notices(acme)[0]["level"] == "warning"
    response = client.post(reverse("portal:abuse_answer", args=[report.pk]), {"body": "Compromised VM shut down."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.ticket is not None and report.ticket.category == "abuse" and report.ticket.company == acme
    assert report.ticket.messages.get().body == "Compromised VM shut down."
    abuse_report_answer(abuse_report=report, user=alice, body="Patched and reinstalled.")
    assert report.ticket.messages.count() == 2
    empty = client.post(reverse("portal:abuse_answer", args=[report.pk]), {"body": "  "})
    assert empty.status_code == 302 and report.ticket.messages.count() == 2
    # Another company's report: 404, on the page and on its actions.
    assert client_for(bob).get(notice["url"]).status_code == 404
    assert client_for(bob).post(reverse("portal:abuse_acknowledge", args=[report.pk])).status_code == 404


def test_read_only_members_see_but_do_not_answer(db, acme):
    viewer = MembershipFactory(company=acme, user=UserFactory(), role=CompanyRole.READ_ONLY).user
    report = abuse_report_create(company=acme, summary="Phishing page")
    with pytest.raises(Exception, match="owners and technical"):
        abuse_report_acknowledge(abuse_report=report, user=viewer)
    assert AbuseReport.objects.get(pk=report.pk).status == "open"


def test_staff_record_a_report_in_the_admin(db, acme, superuser, client_for):
    service = service_for(acme)
    client = client_for(superuser)
    response = client.post(
        reverse("admin:monitoring_abusereport_add"),
        {
            "service": service.pk,
            "kind": "spam",
            "summary": "Spam run",
            "reported_at_0": "2026-11-30",
            "reported_at_1": "10:00:00",
            "status": "open",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = AbuseReport.objects.get(summary="Spam run")
    assert report.company == acme and report.created_by == superuser
    bad = client.post(
        reverse("admin:monitoring_abusereport_add"),
        {
            "kind": "spam",
            "summary": "Whose?",
            "reported_at_0": "2026-11-30",
            "reported_at_1": "10:00:00",
            "status": "open",
        },
    )
    assert bad.status_code == 200 and b"Say whom the report is against" in bad.content
