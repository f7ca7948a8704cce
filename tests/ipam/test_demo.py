"""The IPAM demo step loads ARIN space and customer assignments, and can run twice."""

import pytest

from ipam.demo import load_ipam
from ipam.models import Assignment, IPAddress, Prefix

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(acme, globex):
    load_ipam()
    counts = (Prefix.objects.count(), IPAddress.objects.count(), Assignment.objects.count())
    load_ipam()
    assert (Prefix.objects.count(), IPAddress.objects.count(), Assignment.objects.count()) == counts
    assert Prefix.objects.get(prefix="192.0.2.64/27").company == acme
    assert IPAddress.objects.get(address="198.51.100.20").company == globex
    assert IPAddress.objects.get(address="198.51.100.1").current_assignment.reason.startswith("Default gateway")
    assert all(a.justification_id for a in Assignment.objects.filter(company__isnull=False))
