"""Services: opening, replies and first response, the SLA clock and its pause, assignment, billable work."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import CompanyRole
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.tickets.factories import make_ticket
from tickets import selectors, services
from tickets.choices import TicketCategory, TicketStatus
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_open_numbers_queues_and_starts_the_clock(
    acme, alice, round_the_clock_policy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_ticket(acme, requester=alice)
        second = make_ticket(acme, requester=alice, category=TicketCategory.BILLING)
    assert int(second.number[1:]) == int(first.number[1:]) + 1
    assert first.queue.slug == "support" and second.queue.slug == "billing"
    assert first.status == TicketStatus.NEW and first.sla_policy == round_the_clock_policy
    assert abs((first.first_response_due - first.created) - timedelta(hours=1)) < timedelta(seconds=1)
    assert abs((first.resolution_due - first.created) - timedelta(hours=4)) < timedelta(seconds=1)
    assert first.messages.get().author == alice
    recipients = [message.to for message in mail.outbox]
    assert [alice.email] in recipients and ["support@serverstock.example"] in recipients
    numbers = (first.number, second.number)
    assert all(message.subject.startswith(tuple(f"[{n}" for n in numbers)) for message in mail.outbox)
    assert {n for n in numbers if any(m.subject.startswith(f"[{n}") for m in mail.outbox)} == set(numbers)


def test_read_only_member_cannot_open(acme):
    viewer = MembershipFactory(company=acme, role=CompanyRole.READ_ONLY).user
    with pytest.raises(PermissionDenied):
        make_ticket(acme, requester=viewer)


def test_empty_message_is_refused(acme, alice):
    with pytest.raises(ValidationError):
        make_ticket(acme, requester=alice, body="   ")


def test_staff_reply_is_the_first_response_and_customer_reply_reopens(acme, alice, tech, round_the_clock_policy):
    ticket = make_ticket(acme, requester=alice)
    services.ticket_reply(ticket=ticket, author=tech, body="Looking into it.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.first_responded_at is not None
    assert ticket.first_response_seconds is not None and not ticket.first_response_breached
    services.ticket_set_status(ticket=ticket, status=TicketStatus.WAITING_ON_CUSTOMER, actor=tech)
    services.ticket_reply(ticket=ticket, author=alice, body="Here is the serial number.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.sla_paused_since is None


def test_waiting_on_customer_pauses_the_clock(acme, alice, tech, round_the_clock_policy):
    ticket = make_ticket(acme, requester=alice)
    due_before = ticket.resolution_due
    ticket = services.ticket_set_status(ticket=ticket, status=TicketStatus.WAITING_ON_CUSTOMER, actor=tech)
    assert ticket.sla_paused_since is not None
    assert ticket.sla_state().value == "paused"
    # Two hours pass while waiting.
    Ticket.objects.filter(pk=ticket.pk).update(sla_paused_since=timezone.now() - timedelta(hours=2))
    ticket = services.ticket_set_status(ticket=ticket, status=TicketStatus.OPEN, actor=tech)
    assert ticket.sla_paused_since is None
    assert abs(ticket.sla_paused_seconds - 7200) <= 2
    assert abs((ticket.resolution_due - due_before) - timedelta(hours=2)) < timedelta(seconds=3)


def test_resolving_late_records_the_breach(acme, alice, tech, round_the_clock_policy):
    ticket = make_ticket(acme, requester=alice)
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due=timezone.now() - timedelta(minutes=1))
    ticket = services.ticket_set_status(ticket=ticket, status=TicketStatus.RESOLVED, actor=tech)
    assert ticket.resolution_breached and ticket.resolved_at


def test_customer_may_only_close_and_not_reply_to_a_closed_ticket(acme, alice, tech):
    ticket = make_ticket(acme, requester=alice)
    with pytest.raises(PermissionDenied):
        services.ticket_set_status(ticket=ticket, status=TicketStatus.RESOLVED, actor=alice)
    services.ticket_set_status(ticket=ticket, status=TicketStatus.CLOSED, actor=alice)
    with pytest.raises(ValidationError, match="closed"):
        services.ticket_reply(ticket=ticket, author=alice, body="One more thing")


def test_other_company_member_cannot_reply(acme, alice, bob):
    ticket = make_ticket(acme, requester=alice)
    with pytest.raises(PermissionDenied):
        services.ticket_reply(ticket=ticket, author=bob, body="Hi")


def test_assignment_notifies_the_technician_and_keeps_history(
    acme, alice, tech, superuser, django_capture_on_commit_callbacks
):
    ticket = make_ticket(acme, requester=alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, assignee=tech, actor=superuser)
    assert [message.to for message in mail.outbox] == [[tech.email]]
    services.ticket_claim(ticket=ticket, actor=superuser)
    services.ticket_reassign(ticket=ticket, actor=superuser, queue=ticket.queue.__class__.objects.get(slug="noc"))
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.queue.slug == "noc"
    assignees = [row.assignee_id for row in ticket.history.order_by("history_date")]
    assert tech.pk in assignees and superuser.pk in assignees


def test_assignee_must_be_staff(acme, alice, tech):
    ticket = make_ticket(acme, requester=alice)
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, assignee=alice, actor=tech)
    with pytest.raises(PermissionDenied):
        services.ticket_claim(ticket=ticket, actor=alice)


def test_priority_change_brings_the_matching_policy(acme, alice, tech):
    ticket = make_ticket(acme, requester=alice)
    ticket = services.ticket_update(ticket=ticket, actor=tech, priority="urgent")
    assert ticket.sla_policy.priority == "urgent"
    with pytest.raises(ValidationError):
        services.ticket_update(ticket=ticket, actor=tech, company=None)


def test_remote_hands_time_and_parts_are_billable_until_billed(acme, alice, tech):
    ticket = make_ticket(acme, requester=alice, category=TicketCategory.REMOTE_HANDS)
    entry = services.ticket_log_time(ticket=ticket, technician=tech, minutes=45, work_done="Replaced disk 2")
    part = services.ticket_add_part(ticket=ticket, actor=tech, name="Caddy", quantity=2, unit_price=Decimal("7.50"))
    assert entry.billable and entry.amount == Decimal("90.00")
    assert part.amount == Decimal("15.00")
    other = services.ticket_log_time(
        ticket=make_ticket(acme, requester=alice), technician=tech, minutes=10, work_done="Checked"
    )
    assert not other.billable
    today = timezone.localdate()
    period = (today.replace(day=1), today)
    assert list(selectors.unbilled_time_entries(acme, period)) == [entry]
    assert list(selectors.unbilled_parts(acme, period)) == [part]
    assert services.billable_work_mark_billed(time_entries=[entry], parts=[part], reference="INV-1") == 2
    assert not selectors.unbilled_time_entries(acme, period).exists()
    assert services.billable_work_mark_billed(time_entries=[entry], reference="INV-2") == 0
    with pytest.raises(PermissionDenied):
        services.ticket_log_time(ticket=ticket, technician=alice, minutes=5, work_done="x")


def test_cc_contacts_get_replies(acme, alice, tech, django_capture_on_commit_callbacks):
    colleague = MembershipFactory(company=acme, user=UserFactory(email="carol@acme.test")).user
    outsider = UserFactory(email="mallory@evil.test")
    with pytest.raises(ValidationError):
        make_ticket(acme, requester=alice, cc_users=[outsider])
    ticket = make_ticket(acme, requester=alice, cc_users=[colleague])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, author=tech, body="Done.")
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, colleague.email]


def test_links_must_be_the_companys_own(acme, globex, alice, tech):
    from types import SimpleNamespace

    foreign = SimpleNamespace(company_id=globex.pk, pk=1)
    with pytest.raises(ValidationError) as refused:
        make_ticket(acme, requester=alice, device=foreign)
    assert "not one of" in str(refused.value) and "1" not in refused.value.message_dict["device"][0]
    ticket = make_ticket(acme, requester=alice)
    with pytest.raises(ValidationError):
        services.ticket_update(ticket=ticket, actor=tech, service=foreign)
