"""The customer's main page: balance, services, tickets, bandwidth and the notices, in constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import CompanyRole
from billing import services as billing_services
from catalog import services as catalog_services
from monitoring.models import InterfaceState
from portal import notices
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.billing.factories import make_invoice
from tests.catalog.factories import active_service
from tests.dcim.factories import make_device, make_interface
from tests.tickets.factories import make_ticket, technician
from tickets import services as ticket_services
from tickets.choices import TicketStatus

pytestmark = pytest.mark.django_db


def _grow(company, n: int) -> None:
    """``n`` more of everything the main page summarises."""
    for _ in range(n):
        make_invoice(company)
        service = active_service(company)
        catalog_services.service_suspend(service=service, actor=None, reason="test")
        ticket = make_ticket(company)
        ticket_services.ticket_reply(ticket=ticket, author=technician(), body="Looking into it.")
        interface = make_interface(make_device(company), speed=1000)
        InterfaceState.objects.create(
            interface=interface, oper_status="up", in_bps=2.5e6, out_bps=499995.866, rates_at=timezone.now()
        )


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:dashboard")).status_code == 200
    return len(queries)


def test_main_page_queries_do_not_grow_with_the_company(alice, acme, client_for):
    client = client_for(alice)
    _grow(acme, 1)
    client.get(reverse("portal:dashboard"))
    small = _dashboard_queries(client)
    _grow(acme, 6)
    large = _dashboard_queries(client)
    assert small == large, f"{small} queries with one of each, {large} with seven"


def test_main_page_shows_balance_services_tickets_and_bandwidth(alice, acme, globex, client_for):
    invoice = make_invoice(acme)
    theirs = make_invoice(globex)
    suspended = active_service(acme, label="Cabinet B04")
    catalog_services.service_suspend(service=suspended, actor=None, reason="Abuse report")
    active_service(acme, label="Quiet rack")
    ticket = make_ticket(acme, subject="Disk failing in web-01")
    ticket_services.ticket_reply(ticket=ticket, author=technician(), body="Which bay?")
    ticket_services.ticket_set_status(ticket=ticket, status=TicketStatus.WAITING_ON_CUSTOMER, actor=technician())
    waiting_on_us = make_ticket(acme, subject="Trace cable to switch")
    make_ticket(globex, subject="Globex secret ticket")
    interface = make_interface(make_device(acme, name="web-01"), name="eth0", speed=1000)
    InterfaceState.objects.create(
        interface=interface, oper_status="up", in_bps=12_345_678, out_bps=499995.866, rates_at=timezone.now()
    )

    page = client_for(alice).get(reverse("portal:dashboard")).content.decode()
    # Balance and the next invoice, never another company's.
    assert "100.00" in page and invoice.number in page and theirs.number not in page
    # Services by status, the suspended one called out.
    assert "Needs your attention" in page and "Cabinet B04" in page and "Suspended" in page
    assert "Quiet rack" not in page  # active services are counted, not listed
    # Open tickets, with the last reply and whose move it is.
    assert "Disk failing in web-01" in page and "Waiting for you" in page and "Last reply from support" in page
    assert waiting_on_us.subject in page and "With our support team" in page
    assert "Globex secret ticket" not in page
    # Bandwidth in human units against the interface's speed (no bandwidth service: the speed is the commit).
    assert "12.3 Mbit/s" in page and "500 kbit/s" in page and "1 Gbit/s" in page and "(1 %)" in page
    # Not the people list or the role any more.
    assert "Your role" not in page and "All users" not in page


def test_technical_member_sees_no_balance(acme, client_for):
    make_invoice(acme)
    tech = MembershipFactory(company=acme, user=UserFactory(), role=CompanyRole.TECHNICAL).user
    page = client_for(tech).get(reverse("portal:dashboard")).content.decode()
    assert "Balance" not in page and "Open tickets" in page


def test_empty_company_is_told_what_to_do(alice, client_for):
    page = client_for(alice).get(reverse("portal:dashboard")).content.decode()
    assert "You have no services yet." in page and reverse("portal:service_order") in page
    assert "No open tickets" in page and reverse("portal:ticket_create") in page
    assert "None of your ports is monitored yet" in page
    assert "Nothing is due" in page


def test_overdue_notice_lists_invoices_and_suspensions(bob, globex, client_for):
    overdue = make_invoice(globex)
    billing_services.invoices_mark_overdue(today=overdue.due_date + timedelta(days=1))
    found = notices.dashboard_notices(user=bob, company=globex)
    assert [notice.kind for notice in found] == ["billing.overdue"]
    assert found[0].level == "warning" and overdue.number in found[0].items[0][0]
    page = client_for(bob).get(reverse("portal:dashboard")).content.decode()
    assert "You have an overdue invoice" in page and 'class="notice notice-warning"' in page


def test_providers_are_gathered_ordered_and_filtered_by_role(acme, alice, monkeypatch):
    def incidents(company):
        return [{"kind": "monitoring.incident", "level": "danger", "title": f"{company.name}: web-01 is down"}]

    def technical_only(company):
        return [notices.Notice(kind="x.tech", level="info", title="Only technical", capability="technical")]

    def billing_only(company):  # declared up front: never called for members without billing
        raise AssertionError("called for a member who may not see billing")

    billing_only.capability = "billing"
    monkeypatch.setattr(notices, "PROVIDERS", [technical_only, incidents, billing_only])
    readonly = MembershipFactory(company=acme, user=UserFactory(), role=CompanyRole.READ_ONLY).user
    assert [n.title for n in notices.dashboard_notices(user=readonly, company=acme)] == ["Acme Hosting: web-01 is down"]
    with pytest.raises(AssertionError):
        notices.dashboard_notices(user=alice, company=acme)
    monkeypatch.setattr(notices, "PROVIDERS", [technical_only, incidents])
    assert [n.kind for n in notices.dashboard_notices(user=alice, company=acme)] == ["monitoring.incident", "x.tech"]
    with pytest.raises(ValueError):
        notices.Notice(kind="x", level="urgent", title="bad level")


def test_suspended_and_cancelling_services_are_called_out_before_pending_ones(alice, acme, client_for):
    from catalog.services import service_create
    from tests.catalog.factories import plan

    for number in range(6):
        service_create(company=acme, plan=plan(), actor=None, label=f"Pending {number}")
    suspended = active_service(acme, label="Zeta suspended")
    catalog_services.service_suspend(service=suspended, actor=None, reason="test")
    page = client_for(alice).get(reverse("portal:dashboard")).content.decode()
    attention = page[page.index("Needs your attention") :]
    assert "Zeta suspended" in attention and attention.index("Zeta suspended") < attention.index("Pending 0")


def test_parts_a_company_does_not_have_cost_one_probe_query(alice, acme, client_for, monkeypatch):
    """Open tickets and every kind of notice are asked about in one query; only the parts it finds are read (an
    empty company's page is 6 queries cheaper than a full one's)."""
    client = client_for(alice)
    client.get(reverse("portal:dashboard"))
    empty = _dashboard_queries(client)
    _grow(acme, 1)
    overdue = make_invoice(acme)
    billing_services.invoices_mark_overdue(today=overdue.due_date + timedelta(days=1))
    full = _dashboard_queries(client)
    assert full - empty == 6, (empty, full)  # tickets, commits, overdue list and suspensions, attention, next

    def never(company):
        raise AssertionError("a provider whose probe found nothing was called")

    never.probe = lambda company: InterfaceState.objects.none()
    monkeypatch.setattr(notices, "PROVIDERS", [*notices.PROVIDERS, never])
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "You have 2 overdue invoices" in page  # the providers whose probes found rows still speak


def test_each_notice_probe_finds_what_its_provider_reads(alice, acme):
    """A probe that found nothing where its provider has a notice would hide the notice. The monitoring
    providers' probes are checked beside each provider's own tests (tests/monitoring)."""
    from core.probes import exists_each

    membership = alice.memberships.get(company=acme)
    probes = notices.notice_probes(company=acme, membership=membership)
    assert set(exists_each(probes).values()) == {False}
    overdue = make_invoice(acme)
    billing_services.invoices_mark_overdue(today=overdue.due_date + timedelta(days=1))
    found = exists_each(notices.notice_probes(company=acme, membership=membership))
    assert found["notices.0"] is True and [n.kind for n in notices.dashboard_notices(user=alice, company=acme)] == [
        "billing.overdue"
    ]
