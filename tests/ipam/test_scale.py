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
    few, found = queries(lambda: selectors.next_free_ip(prefix=subnet))
    assert str(found) == "10.1.0.101"
    hold_first(subnet, 1000)
    many, found = queries(lambda: selectors.next_free_ip(prefix=subnet))
    assert str(found) == str(ipaddress.IPv4Address(first + 1000))
    assert many == few <= 2 + 10  # a head read, a fullness count, then at most log2(1,022) counts
    # A gap deep inside the held run, the last address, and a full subnet.
    IPAddress.objects.filter(address="10.1.2.200").update(status=IPAddressStatus.AVAILABLE)
    assert str(selectors.next_free_ip(prefix=subnet)) == "10.1.2.200"
    hold_first(subnet, 1021)
    assert str(selectors.next_free_ip(prefix=subnet)) == "10.1.3.254"
    hold_first(subnet, 1022)
    assert selectors.next_free_ip(prefix=subnet) is None


def test_next_free_ip_without_records_and_in_ipv6(space):
    subnet = services.prefix_add(prefix="10.2.0.0/30")
    assert str(selectors.next_free_ip(prefix=subnet)) == "10.2.0.1"
    services.ip_reserve(address="10.2.0.1", reason="gateway")
    services.ip_reserve(address="10.2.0.2", reason="gateway")
    assert selectors.next_free_ip(prefix=subnet) is None
    v6 = services.prefix_add(prefix="2001:db8:9::/64")
    assert str(selectors.next_free_ip(prefix=v6)) == "2001:db8:9::"
    services.ip_range_add(start="2001:db8:9::", end="2001:db8:9::ff")
    IPAddress.objects.filter(family=6).update(status=IPAddressStatus.RESERVED)
    count, found = queries(lambda: selectors.next_free_ip(prefix=v6))
    assert str(found) == "2001:db8:9::100" and count <= 2 + 64


def test_address_state_and_search_queries_do_not_grow(space, acme, globex):
    services.prefix_add(prefix="10.3.0.0/24", create_addresses=True)
    services.ip_assign(address="10.3.0.10", company=acme, justification=justification_for(acme))
    few_state, state = queries(lambda: selectors.address_state("10.3.0.10"))
    assert state.state == "in use" and state.company == acme
    few_search, _result = queries(lambda: selectors.ip_search("10.3.0.10"))
    few_free, free = queries(lambda: selectors.address_state("10.3.0.20"))
    assert free.state == "free"
    services.prefix_add(prefix="10.0.0.0/9", status=PrefixStatus.CONTAINER)  # a container around it
    for number in range(4, 40):
        services.prefix_add(prefix=f"10.{number}.0.0/24", create_addresses=True)
        services.block_assign(prefix=f"10.{number}.1.0/28", company=globex, justification=justification_for(globex))
    services.ip_assign(address="10.3.0.11", company=globex, justification=justification_for(globex))
    many_state, state = queries(lambda: selectors.address_state("10.3.0.10"))
    assert state.state == "in use" and state.company == acme
    many_search, result = queries(lambda: selectors.ip_search("10.3.0.10"))
    assert [prefix.prefix for prefix in result.prefixes] == ["10.0.0.0/9", "10.3.0.0/24"]
    many_free, free = queries(lambda: selectors.address_state("10.3.0.20"))
    assert free.state == "free"
    # One statement reads the prefixes around and the record; a free record asks for its subnet's block too.
    assert many_state == few_state == 1
    assert many_free == few_free == 2
    assert many_search == few_search == 1  # the search's prefixes (with utilisation) come from the same statement
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


def test_next_free_ip_after_a_run_of_records_without_a_full_subnet(space):
    """A subnet partly recorded: the first address without a record after a run, in windows that double."""
    subnet = services.prefix_add(prefix="10.4.0.0/16")
    services.ip_range_add(start="10.4.0.1", end="10.4.3.232")  # 1,000 records, all reserved below
    IPAddress.objects.filter(prefix=subnet).update(status=IPAddressStatus.RESERVED)
    count, found = queries(lambda: selectors.next_free_ip(prefix=subnet))
    assert str(found) == "10.4.3.233"
    assert count <= 3 + 2 * 11  # record count, first available, head, then doubling windows and a bisection
    # An available record before the end of the run is the answer.
    IPAddress.objects.filter(address="10.4.2.9").update(status=IPAddressStatus.AVAILABLE)
    assert str(selectors.next_free_ip(prefix=subnet)) == "10.4.2.9"
    # A gap without a record inside the run comes first.
    IPAddress.objects.filter(address="10.4.1.17").delete()
    assert str(selectors.next_free_ip(prefix=subnet)) == "10.4.1.17"


def test_next_free_ip_costs_one_lookup_in_a_fully_recorded_subnet(space):
    small = services.prefix_add(prefix="10.5.0.0/24", create_addresses=True)
    big = services.prefix_add(prefix="10.6.0.0/20", create_addresses=True)
    hold_first(small, 200)
    hold_first(big, 4000)
    few, found_small = queries(lambda: selectors.next_free_ip(prefix=small))
    many, found_big = queries(lambda: selectors.next_free_ip(prefix=big))
    assert (str(found_small), str(found_big)) == ("10.5.0.201", "10.6.15.161")
    assert few == many == 2  # the subnet's record count, then its first available record


def api_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def grow(globex, blocks: int) -> None:
    """More subnets, records and assignments around the ones measured."""
    for number in range(blocks):
        services.prefix_add(prefix=f"10.{100 + number}.0.0/24", create_addresses=True)
        services.ip_assign(address=f"10.{100 + number}.0.9", company=globex, justification=justification_for(globex))


def test_api_operations_cost_the_same_queries_at_two_sizes(space, noc_user, acme, globex):
    """Status, next free and a page of addresses through the API: equal query counts, fixed answers (the same on
    SQLite and PostgreSQL)."""
    services.prefix_add(prefix="10.0.0.0/9", status=PrefixStatus.CONTAINER)
    subnet = services.prefix_add(prefix="10.7.0.0/22", create_addresses=True)
    services.ip_assign(address="10.7.0.10", company=acme, justification=justification_for(acme))
    for number in [*range(1, 10), *range(11, 41)]:
        services.ip_reserve(address=f"10.7.0.{number}", reason="lab")
    client = api_client(noc_user)

    def operations():
        search = client.get("/api/ipam/search/?q=10.7.0.10")
        free = client.post("/api/ipam/next-free-ip/", {"prefix": subnet.pk}, format="json")
        page = client.get(f"/api/ipam/ip-addresses/?prefix={subnet.pk}&limit=100&offset=20")
        return search, free, page

    operations()  # permission caches
    counted = []
    for size in (0, 12):
        grow(globex, size) if size else None
        with CaptureQueriesContext(connection) as captured:
            search, free, page = operations()
        counted.append(len(captured))
        assert search.status_code == free.status_code == page.status_code == 200
        answer = search.json()
        assert (answer["addresses"][0]["state"], answer["addresses"][0]["company"]) == ("in use", "Acme Hosting")
        assert [(row["prefix"], row["utilisation"]) for row in answer["prefixes"]] == [
            ("10.0.0.0/9", 0),  # 1,024 (+ 12 x 256) of 8,388,608 addresses
            ("10.7.0.0/22", 4),  # 40 of 1,022
        ]
        assert free.json()["address"] == "10.7.0.41"
        body = page.json()
        assert body["count"] == 1022
        assert [row["address"] for row in body["results"][:2]] == ["10.7.0.21", "10.7.0.22"]
        assert body["results"][0] == {
            "display": "10.7.0.21",
            "id": body["results"][0]["id"],
            "address": "10.7.0.21",
            "family": 4,
            "status": "reserved",
            "company": None,
            "prefix": subnet.pk,
            "dns_name": "",
            "description": "",
        }
    assert counted[0] == counted[1]


def test_api_page_of_addresses_matches_the_generic_serializer(space, noc_user):
    """The lean list representation is the generated serializer's, field for field."""
    from core.registry import generated_serializer

    subnet = services.prefix_add(prefix="10.8.0.0/28", create_addresses=True)
    body = api_client(noc_user).get(f"/api/ipam/ip-addresses/?prefix={subnet.pk}&status=available").json()
    generic = generated_serializer(IPAddress)(IPAddress.objects.filter(prefix=subnet).order_by("value"), many=True)
    assert body["count"] == 14
    assert body["results"] == [dict(row) for row in generic.data]


def test_add_subnet_with_records_costs_the_same_queries_at_two_sizes(space):
    """A /17's 32,766 records (more than any batch of rows sent from Python) in the statements of a /26's 62."""
    few, small = queries(lambda: services.prefix_add(prefix="10.9.0.0/26", create_addresses=True))
    many, big = queries(lambda: services.prefix_add(prefix="10.10.0.0/17", create_addresses=True))
    assert few == many
    assert (small.addresses.count(), big.addresses.count()) == (62, 32_766)
    big.refresh_from_db()
    assert (big.address_records, big.held_addresses) == (32_766, 0)
    assert list(big.addresses.order_by("value").values_list("address", "value")[32_765:]) == [
        ("10.10.127.254", "0000000000000000000000000a0a7ffe")
    ]
