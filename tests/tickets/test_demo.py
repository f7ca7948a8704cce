"""The demo step creates a mix of tickets once, with an internal note that stays internal."""

import pytest

from accounts.demo import load_accounts
from tickets.demo import load_tickets
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def test_demo_tickets_are_idempotent():
    load_accounts()
    load_tickets()
    count = Ticket.objects.count()
    assert count == 5
    load_tickets()
    assert Ticket.objects.count() == count
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"closed", "resolved", "waiting_customer"} <= statuses
    assert Message.objects.filter(is_internal=True).count() == 1
    assert Ticket.objects.filter(time_entries__isnull=False).exists()
