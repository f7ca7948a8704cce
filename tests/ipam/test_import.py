"""Importing prefixes and addresses from a spreadsheet (e.g. a phpIPAM export): validated like any input."""

import pytest
import tablib

from core.registry import resolved
from ipam.models import IPAddress, Prefix
from tests.ipam.factories import documentation_space

pytestmark = pytest.mark.django_db


def test_prefix_and_address_import(db):
    documentation_space()
    prefixes = tablib.Dataset(headers=["id", "prefix", "status", "role", "description"])
    prefixes.append(["", "192.0.2.0/25", "active", "customer", "from phpIPAM"])
    prefixes.append(["", "192.0.2.128/25", "active", "", ""])
    result = resolved(Prefix, "resource")().import_data(prefixes, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Prefix.objects.get(prefix="192.0.2.0/25").network_end.endswith("c000027f")

    addresses = tablib.Dataset(headers=["id", "address", "status", "dns_name"])
    addresses.append(["", "192.0.2.10", "assigned", "www.example.com"])
    result = resolved(IPAddress, "resource")().import_data(addresses, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    record = IPAddress.objects.get(address="192.0.2.10")
    assert record.prefix.prefix == "192.0.2.0/25" and record.status == "available"


def test_overlapping_import_is_refused(db):
    documentation_space()
    rows = tablib.Dataset(headers=["id", "prefix", "status"])
    rows.append(["", "192.0.2.0/24", "active"])
    rows.append(["", "192.0.2.0/26", "active"])
    result = resolved(Prefix, "resource")().import_data(rows, dry_run=True)
    assert result.has_validation_errors()
    assert "overlaps" in str(result.invalid_rows[0].error_dict)
