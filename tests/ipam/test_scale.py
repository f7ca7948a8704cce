"""Lookups, next free address and the ARIN report cost the same number of queries at two data sizes."""

import ipaddress

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipam import reports, selectors, services
from ipam.addressing import to_hex
from ipam.choices import IPAddressStatus, PrefixStatus
from ipam.models import IPAddress, Prefix
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db


def queries(function) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return len(captured), result


def hold_first(prefix: Prefix, count: int, *, skip: int | None = None) -> None:
    """Mark the first ``count`` usable records of ``prefix`` reserved (test data, in one statement)."""
    first, _last = prefix.usable_range()
    values = [to_hex(number) for number in range(first, first + count) if number != skip]
    IPAddress.objects.filter(family=prefix.family, value__in=values).update(status=IPAddressStatus.RESERVED)


@pytest.fixture
def space(db):
    return documentation_space()


def test_next_free_ip_queries_do_not_grow_with_held_records(space):
    subnet = services.prefix_add(prefix="10.1.0.0/22", create_addresses=True)  # 1,022 records
    first = int(ipaddress.IPv4Address("10.1.0.1"))
    hold_first(subnet, 100)
    few, found = queries(lambda: services.next_free_ip(prefix=subnet))
    assert str(found) == "10.1.0.101"
    hold_first(subnet, 1000)
    many, found = queries(lambda: services.next_free_ip(prefix=subnet))
    assert str(found) == str(ipaddress.IPv4Address(first + 1000))
    assert many == few <= 2 + 10  # a head read, a fullness count, then at most log2(1,022) counts
    # A gap deep inside the held run, the last address, and a full subnet.
    IPAddress.objects.filter(address="10.1.2.200").update(status=IPAddressStatus.AVAILABLE)
    assert str(services.next_free_ip(prefix=subnet)) == "10.1.2.200"
    hold_first(subnet, 1021)
    assert str(services.next_free_ip(prefix=subnet)) == "10.1.3.254"
    hold_first(subnet, 1022)
    assert services.next_free_ip(prefix=subnet) is None


def test_next_free_ip_without_records_and_in_ipv6(space):
    subnet = services.prefix_add(prefix="10.2.0.0/30")
    assert str(services.next_free_ip(prefix=subnet)) == "10.2.0.1"
    services.ip_reserve(address="10.2.0.1", reason="gateway")
    services.ip_reserve(address="10.2.0.2", reason="gateway")
    assert services.next_free_ip(prefix=subnet) is None
    v6 = services.prefix_add(prefix="2001:db8:9::/64")
    assert str(services.next_free_ip(prefix=v6)) == "2001:db8:9::"
    services.ip_range_add(start="2001:db8:9::", end="2001:db8:9::ff")
    IPAddress.objects.filter(family=6).update(status=IPAddressStatus.RESERVED)
    count, found = queries(lambda: services.next_free_ip(prefix=v6))
    assert str(found) == "2001:db8:9::100" and count <= 2 + 64


def test_address_state_and_search_queries_do_not_grow(space, acme, globex):
    services.prefix_add(prefix="10.3.0.0/24", create_addresses=True)
    services.ip_assign(address="10.3.0.10", company=acme, justification=justification_for(acme))
    few_state, state = queries(lambda: selectors.address_state("10.3.0.10"))
    assert state.state == "in use" and state.company == acme
    few_search, _result = queries(lambda: selectors.ip_search("10.3.0.10"))
    services.prefix_add(prefix="10.0.0.0/9", status=PrefixStatus.CONTAINER)  # a container around it
    for number in range(4, 40):
        services.prefix_add(prefix=f"10.{number}.0.0/24", create_addresses=True)
        services.block_assign(prefix=f"10.{number}.1.0/28", company=globex, justification=justification_for(globex))
    services.ip_assign(address="10.3.0.11", company=globex, justification=justification_for(globex))
    many_state, state = queries(lambda: selectors.address_state("10.3.0.10"))
    assert state.state == "in use" and state.company == acme
    many_search, result = queries(lambda: selectors.ip_search("10.3.0.10"))
    assert [prefix.prefix for prefix in result.prefixes] == ["10.0.0.0/9", "10.3.0.0/24"]
    assert many_state == few_state == 3
    assert many_search == few_search
    block = selectors.address_state("10.20.1.5")
    assert block.state == "in use" and block.company == globex and block.via_block == "10.20.1.0/28"
    assert selectors.address_state("10.200.0.1").state == "unmanaged"


def test_report_queries_do_not_grow(space, acme, globex):
    services.prefix_add(prefix="192.0.2.0/24", create_addresses=True)
    services.ip_assign(address="192.0.2.5", company=acme, justification=justification_for(acme))
    services.prefix_add(prefix="2001:db8::/48", status=PrefixStatus.CONTAINER)
    few, _rows = queries(lambda: (reports.utilisation_rows(), reports.reassignment_rows()))
    for number in range(10):
        services.block_assign(prefix=f"10.9.{number}.0/24", company=globex, justification=justification_for(globex))
        services.block_assign(prefix=f"2001:db8:0:{number}::/64", company=acme, justification=justification_for(acme))
        services.ip_assign(address=f"192.0.2.{number + 10}", company=globex, justification=justification_for(globex))
    many, (utilisation, reassignments) = queries(lambda: (reports.utilisation_rows(), reports.reassignment_rows()))
    assert many == few
    assert len(reassignments) == 31
    container = next(row for row in utilisation if row.prefix == "2001:db8::/48")
    assert (container.assigned, container.reserved) == (10, 0)
