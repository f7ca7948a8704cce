"""The demo step publishes a catalog and services in several states, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.demo import load_accounts
from catalog.demo import load_services
from catalog.models import Order, Plan, Service
from catalog.selectors import billable_lines

pytestmark = pytest.mark.django_db


def test_demo_services_are_idempotent():
    load_accounts()
    load_services()
    counts = (Plan.objects.count(), Service.objects.count(), Order.objects.count())
    load_services()
    assert (Plan.objects.count(), Service.objects.count(), Order.objects.count()) == counts
    assert counts[0] >= 20
    statuses = set(Service.objects.values_list("status", flat=True))
    assert {"active", "provisioning", "suspended", "cancellation_requested", "pending"} <= statuses
    assert set(Service.objects.values_list("company__name", flat=True)) == {"Acme Hosting", "Globex"}
    today = timezone.localdate()
    assert billable_lines(period_start=today - timedelta(days=30), period_end=today)
