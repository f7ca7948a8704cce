"""Adding space, assigning, reserving and releasing addresses, and what history remembers."""

import ipaddress
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ipam import selectors, services
from ipam.choices import IPAddressStatus, PrefixStatus
from ipam.models import Assignment, IPAddress, Prefix
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(db):
    return documentation_space()


def test_subnet_add_creates_usable_records_in_bulk(space, django_assert_max_num_queries):
    # 13: validation, the insert, the records in bulk, and the kept figures (containers around it, record count).
    with django_assert_max_num_queries(13):
        prefix = services.prefix_add(prefix="192.0.2.0/24", create_addresses=True)
    assert prefix.addresses.count() == 254
    assert not IPAddress.objects.filter(address__in=["192.0.2.0", "192.0.2.255"]).exists()
    pool = services.prefix_add(prefix="198.51.100.0/24", is_pool=True, create_addresses=True)
    assert pool.addresses.count() == 256


def test_large_ipv6_bulk_is_refused_and_nothing_is_kept(space):
    with pytest.raises(ValidationError, match="at most 65,536 records"):
        services.prefix_add(prefix="2001:db8:1::/64", create_addresses=True)
    assert not Prefix.objects.filter(prefix="2001:db8:1::/64").exists()


def test_overlap_is_refused_with_the_holder(space, acme):
    services.prefix_add(prefix="192.0.2.0/24", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="192.0.2.64/26", company=acme, justification=justification_for(acme))
    with pytest.raises(ValidationError) as error:
        services.prefix_add(prefix="192.0.2.0/25")
    assert "192.0.2.0/25 overlaps 192.0.2.64/26 (Acme Hosting)" in str(error.value)
    services.prefix_add(prefix="192.0.2.0/25", status=PrefixStatus.CONTAINER)  # a container may hold it
    with pytest.raises(ValidationError, match="already exists"):
        services.prefix_add(prefix="192.0.2.0/24")


def test_prefix_outside_every_aggregate_and_host_prefix_are_refused(space):
    with pytest.raises(ValidationError, match="outside every aggregate"):
        services.prefix_add(prefix="172.16.0.0/24")
    with pytest.raises(ValidationError, match="did you mean 192.0.2.0/28"):
        services.prefix_add(prefix="192.0.2.3/28")


def test_next_free_ip_and_block(space, acme):
    subnet = services.prefix_add(prefix="198.51.100.0/29")
    assert str(selectors.next_free_ip(prefix=subnet)) == "198.51.100.1"
    services.ip_reserve(address="198.51.100.1", reason="gateway")
    services.ip_range_add(start="198.51.100.2", end="198.51.100.3")  # available records do not count as used
    services.ip_assign(address="198.51.100.2", company=acme, justification=justification_for(acme))
    assert str(selectors.next_free_ip(prefix=subnet)) == "198.51.100.3"
    for last in ("198.51.100.3", "198.51.100.4", "198.51.100.5", "198.51.100.6"):
        services.ip_reserve(address=last, reason="test")
    assert selectors.next_free_ip(prefix=subnet) is None

    container = services.prefix_add(prefix="203.0.113.0/24", status=PrefixStatus.CONTAINER)
    assert str(selectors.next_free_block(prefix=container, prefix_length=29)) == "203.0.113.0/29"
    services.prefix_add(prefix="203.0.113.0/29")
    services.prefix_add(prefix="203.0.113.16/28")
    assert str(selectors.next_free_block(prefix=container, prefix_length=29)) == "203.0.113.8/29"
    assert str(selectors.next_free_block(prefix=container, prefix_length=28)) == "203.0.113.32/28"
    v6 = services.prefix_add(prefix="2001:db8::/48", status=PrefixStatus.CONTAINER)
    services.prefix_add(prefix="2001:db8::/64")
    assert str(selectors.next_free_block(prefix=v6, prefix_length=64)) == "2001:db8:0:1::/64"


def test_assignment_history_answers_who_held_an_address(space, acme, globex):
    services.prefix_add(prefix="192.0.2.0/24")
    start = timezone.now() - timedelta(days=30)
    services.ip_assign(
        address="192.0.2.10", company=acme, justification=justification_for(acme), when=start, reason="web"
    )
    services.ip_release(address="192.0.2.10", when=start + timedelta(days=10))
    services.ip_assign(
        address="192.0.2.10", company=globex, justification=justification_for(globex), when=start + timedelta(days=20)
    )
    assert selectors.address_holder_at("192.0.2.10", start + timedelta(days=5)).company == acme
    assert selectors.address_holder_at("192.0.2.10", start + timedelta(days=15)) is None
    assert selectors.address_holder_at("192.0.2.10", timezone.now()).company == globex
    assert selectors.address_holder_at("192.0.2.10", start - timedelta(days=1)) is None
    assert selectors.address_history("192.0.2.10").count() == 2


def test_block_assignment_answers_for_each_address_in_it(space, acme):
    when = timezone.now() - timedelta(days=3)
    services.block_assign(prefix="198.51.100.8/29", company=acme, justification=justification_for(acme), when=when)
    assert selectors.address_holder_at("198.51.100.12", timezone.now()).company == acme
    state = selectors.address_state("198.51.100.12")
    assert state.state == "in use" and state.company == acme and state.via_block == "198.51.100.8/29"


def test_bad_assignments_change_nothing(space, acme, globex):
    services.prefix_add(prefix="192.0.2.0/24")
    with pytest.raises(ValidationError, match="needs a justification"):
        services.ip_assign(address="192.0.2.20", company=acme)
    services.ip_assign(address="192.0.2.20", company=acme, justification=justification_for(acme))
    with pytest.raises(ValidationError, match="192.0.2.20 is assigned to Acme Hosting since"):
        services.ip_assign(address="192.0.2.20", company=globex, justification=justification_for(globex))
    with pytest.raises(ValidationError, match="not held by Globex"):
        services.ip_release(address="192.0.2.20", company=globex)
    with pytest.raises(ValidationError, match="belongs to Globex"):
        services.ip_assign(address="192.0.2.21", company=acme, justification=justification_for(globex))
    with pytest.raises(ValidationError, match="Say why"):
        services.ip_reserve(address="192.0.2.22", reason=" ")
    assert Assignment.objects.count() == 1
    assert IPAddress.objects.get(address="192.0.2.20").company == acme


def test_search_shows_free_reserved_and_in_use(space, acme, noc_user):
    services.prefix_add(prefix="203.0.113.0/29")
    services.ip_reserve(address="203.0.113.1", reason="gateway", actor=noc_user)
    services.ip_assign(address="203.0.113.2", company=acme, justification=justification_for(acme))
    result = selectors.ip_search("203.0.113.0/29")
    states = {row.address: row for row in result.addresses}
    assert len(states) == 8
    assert states["203.0.113.1"].state == "reserved"
    assert states["203.0.113.1"].reason == "gateway" and states["203.0.113.1"].by == noc_user
    assert states["203.0.113.2"].state == "in use" and states["203.0.113.2"].company == acme
    assert states["203.0.113.3"].state == "free"
    assert result.prefixes[0].utilisation == round(100 * 2 / 6)

    single = selectors.ip_search("203.0.113.2")
    assert single.kind == "address" and single.addresses[0].company == acme
    assert [str(p) for p in single.prefixes] == ["203.0.113.0/29"]

    by_company = selectors.ip_search("acme")
    assert by_company.kind == "company"
    assert [row.address for row in by_company.addresses] == ["203.0.113.2"]
    assert selectors.ip_search("192.0.2.300").error


def test_release_closes_the_period_and_frees_the_address(space, acme):
    subnet = services.prefix_add(prefix="192.0.2.0/30")
    services.ip_assign(address="192.0.2.1", company=acme, justification=justification_for(acme))
    record = services.ip_release(address="192.0.2.1", company=acme, reason="cancelled")
    assert record.status == IPAddressStatus.AVAILABLE and record.company is None
    assert Assignment.objects.get().ended_at is not None
    assert str(selectors.next_free_ip(prefix=subnet)) == "192.0.2.1"
    assert ipaddress.ip_address(record.address) == record.ip


def test_assign_to_a_device_interface_shows_in_search(space):
    from tests.dcim.factories import make_device, make_interface

    interface = make_interface(make_device(name="web01"), name="eth0")
    services.prefix_add(prefix="192.0.2.0/29")
    services.ip_assign(address="192.0.2.3", interface=interface, reason="server primary")
    state = selectors.address_state("192.0.2.3")
    assert state.state == "in use" and state.interface == interface
    assert selectors.address_holder_at("192.0.2.3", timezone.now()).interface == interface
