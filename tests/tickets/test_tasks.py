"""The scheduled SLA check: warnings before a target, breaches recorded once; the schedule exists."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from tests.tickets.factories import make_ticket
from tickets import selectors, services, tasks
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_schedule_is_registered_once():
    assert Schedule.objects.filter(func="tickets.tasks.sla_check").count() == 1


def test_warns_then_records_the_breach_once(
    acme, alice, tech, round_the_clock_policy, django_capture_on_commit_callbacks
):
    ticket = make_ticket(acme, requester=alice)
    services.ticket_assign(ticket=ticket, assignee=tech, actor=tech)
    soon = timezone.now() + timedelta(minutes=10)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due=soon)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sla_check() == "1 warned, 0 breached"
        assert tasks.sla_check() == "0 warned, 0 breached"
    assert {m.to[0] for m in mail.outbox} == {tech.email, "support@serverstock.example"}
    assert "SLA at risk" in mail.outbox[0].subject
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sla_check() == "0 warned, 1 breached"
        assert tasks.sla_check() == "0 warned, 0 breached"
    ticket.refresh_from_db()
    assert ticket.first_response_breached and ticket.sla_state().value == "breached"
    assert "SLA breached" in mail.outbox[-1].subject


def test_paused_tickets_are_not_checked(acme, alice, tech, round_the_clock_policy):
    ticket = make_ticket(acme, requester=alice)
    services.ticket_set_status(ticket=ticket, status="waiting_customer", actor=tech)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due=timezone.now() - timedelta(minutes=1))
    assert tasks.sla_check() == "0 warned, 0 breached"


def test_sla_report(acme, alice, tech, round_the_clock_policy, superuser, client_for):
    answered = make_ticket(acme, requester=alice)
    services.ticket_reply(ticket=answered, author=tech, body="Hi")
    services.ticket_set_status(ticket=answered, status="resolved", actor=tech)
    late = make_ticket(acme, requester=alice)
    Ticket.objects.filter(pk=late.pk).update(first_response_breached=True)
    today = timezone.localdate()
    report = selectors.sla_report(start=today, end=today)
    assert report.opened == 2 and report.first_response_met == 1 and report.first_response_breached == 1
    assert report.resolution_met == 1 and report.still_open == 1 and report.median_first_response_minutes is not None
    page = client_for(superuser).get("/admin/tickets/ticket/sla-report/")
    assert page.status_code == 200 and b"Median first response" in page.content
