"""Bulk writes (``ipam.bulk``: COPY on PostgreSQL): rows written with the caller's ids, then ordinary inserts."""

import ipaddress

import pytest
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from ipam import counters, selectors, services
from ipam.addressing import network_bounds, to_hex
from ipam.bulk import bulk_insert, reset_sequences
from ipam.models import Aggregate, IPAddress, Prefix
from tests.ipam.factories import documentation_space

pytestmark = pytest.mark.django_db

PREFIX_COLUMNS = [
    "id",
    "created",
    "last_updated",
    "description",
    "comments",
    "prefix",
    "family",
    "network_start",
    "network_end",
    "prefix_length",
    "aggregate",
    "status",
    "role",
    "company",
    "is_pool",
    "size_units",
]


def next_ids(model) -> int:
    """The id an ordinary insert would take next (PostgreSQL's sequence may be past the table's highest id)."""
    top = model.objects.aggregate(top=Max("pk"))["top"] or 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            (sequence,) = cursor.fetchone()
            cursor.execute(f"SELECT last_value FROM {sequence}")
            top = max(top, cursor.fetchone()[0])
    return top + 1


def test_rows_written_with_their_ids_leave_ordinary_inserts_working():
    documentation_space()
    aggregate = Aggregate.objects.get(prefix="192.0.2.0/24")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    first_id = next_ids(Prefix)
    networks = [ipaddress.ip_network(f"192.0.2.{16 * index}/28") for index in range(3)]
    rows = [
        (first_id + index, now, now, "", "", str(network), 4, *network_bounds(network), 28, aggregate.pk)
        + ("active", "", None, False, 16)
        for index, network in enumerate(networks)
    ]
    assert bulk_insert(Prefix, PREFIX_COLUMNS, iter(rows)) == 3
    loaded = Prefix.objects.get(pk=first_id + 1)
    address_rows = (
        (now, now, "", "", str(ip), 4, to_hex(ip), loaded.pk, "available", "")
        for ip in list(loaded.network.hosts())[:5]
    )
    columns = ["created", "last_updated", "description", "comments", "address", "family", "value", "prefix"]
    assert bulk_insert(IPAddress, [*columns, "status", "dns_name"], address_rows) == 5
    reset_sequences(Prefix, IPAddress)
    counters.counters_refresh()

    # The ids the sequence would have handed out are taken: without the reset this insert fails on PostgreSQL.
    added = services.prefix_add(prefix="192.0.2.128/28", create_addresses=True)
    assert added.pk > first_id + 2
    record = services.ip_add(address="192.0.2.30")
    assert record.prefix == loaded
    loaded.refresh_from_db()
    assert (loaded.address_records, loaded.held_addresses) == (6, 0)
    assert str(selectors.next_free_ip(prefix=loaded)) == "192.0.2.17"
    assert [p.prefix for p in Prefix.objects.order_by("network_start")] == [
        "192.0.2.0/28",
        "192.0.2.16/28",
        "192.0.2.32/28",
        "192.0.2.128/28",
    ]


@pytest.mark.parametrize("network", ["10.9.0.0/22", "10.255.255.0/24", "2001:db8:7::/120"])
def test_subnet_records_are_encoded_as_the_model_encodes_them(network):
    """A subnet added with its records (IPv4 on PostgreSQL: rows made by the server from ``generate_series``)
    holds exactly the rows the model would write: same text, same hex key, same columns, on either database."""
    documentation_space()
    prefix = services.prefix_add(prefix=network, create_addresses=True)
    first, last = prefix.usable_range()
    make = ipaddress.ip_address
    expected = [(str(make(number)), to_hex(number)) for number in range(first, last + 1)]
    rows = list(prefix.addresses.order_by("value").values_list("address", "value"))
    assert rows == expected
    sample = prefix.addresses.order_by("value").first()
    sample.full_clean()  # the model's own validation accepts the row as written
    assert (sample.family, sample.status, sample.dns_name, sample.company_id) == (prefix.family, "available", "", None)
    assert sample.created == sample.last_updated and sample.created <= timezone.now()
    prefix.refresh_from_db()
    assert prefix.address_records == len(expected)
