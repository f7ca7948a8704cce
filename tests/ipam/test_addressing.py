"""The storage encoding sorts and range-queries like the addresses themselves, on any database."""

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from ipam.addressing import from_hex, networks_around, parse_address, parse_network, to_hex, usable_bounds
from ipam.models import IPAddress
from ipam.services import ip_range_add, prefix_add
from tests.ipam.factories import documentation_space


def test_hex_is_fixed_width_and_round_trips():
    for text in ("0.0.0.0", "192.0.2.1", "255.255.255.255", "::", "2001:db8::1", "ffff:" * 7 + "ffff"):
        ip = ipaddress.ip_address(text)
        assert len(to_hex(ip)) == 32
        assert from_hex(ip.version, to_hex(ip)) == ip


def test_hex_order_is_numeric_order():
    addresses = [
        ipaddress.ip_address(t) for t in ("192.0.2.9", "192.0.2.10", "192.0.2.255", "10.0.0.1", "9.255.255.255")
    ]
    assert sorted(addresses, key=to_hex) == sorted(addresses)
    v6 = [ipaddress.ip_address(t) for t in ("2001:db8::ff", "2001:db8::1:0", "2001:db8::9", "fe80::1")]
    assert sorted(v6, key=to_hex) == sorted(v6)


def test_malformed_and_host_addresses_are_refused_with_the_reason():
    with pytest.raises(ValidationError, match="not a valid IPv4 or IPv6 address"):
        parse_address("192.0.2.300")
    with pytest.raises(ValidationError, match="host address, not a network: did you mean 192.0.2.0/24"):
        parse_network("192.0.2.5/24")
    with pytest.raises(ValidationError, match="no prefix length"):
        parse_network("192.0.2.0")


def test_usable_bounds_edges():
    assert usable_bounds(ipaddress.ip_network("192.0.2.0/24")) == (int(ipaddress.ip_address("192.0.2.1")),) + (
        int(ipaddress.ip_address("192.0.2.254")),
    )
    assert usable_bounds(ipaddress.ip_network("192.0.2.0/31")) == (3221225984, 3221225985)
    assert usable_bounds(ipaddress.ip_network("192.0.2.0/24"), is_pool=True)[0] == 3221225984


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subnet", "start", "end", "expected"),
    [
        ("192.0.2.0/24", "192.0.2.8", "192.0.2.15", 8),
        ("192.0.2.0/24", "192.0.2.250", "192.0.2.254", 5),
        ("2001:db8::/120", "2001:db8::f0", "2001:db8::ff", 16),
    ],
)
def test_range_queries_on_the_database(subnet, start, end, expected):
    documentation_space()
    prefix_add(prefix=subnet, create_addresses=True)
    lo, hi = to_hex(ipaddress.ip_address(start)), to_hex(ipaddress.ip_address(end))
    family = ipaddress.ip_address(start).version
    found = list(IPAddress.objects.in_range(family, lo, hi).order_by("value").values_list("address", flat=True))
    assert len(found) == expected
    assert found[0] == start and found[-1] == end


@pytest.mark.django_db
def test_range_add_boundaries():
    documentation_space()
    prefix_add(prefix="198.51.100.0/24")
    assert len(ip_range_add(start="198.51.100.250", end="198.51.100.254")) == 5
    with pytest.raises(ValidationError, match="runs past the last usable address of 198.51.100.0/24"):
        ip_range_add(start="198.51.100.200", end="198.51.100.255")
    with pytest.raises(ValidationError, match="already exist"):
        ip_range_add(start="198.51.100.240", end="198.51.100.250")
    with pytest.raises(ValidationError, match="network address of 198.51.100.0/24"):
        ip_range_add(start="198.51.100.0", end="198.51.100.3")


@pytest.mark.parametrize("text", ["0.0.0.0", "255.255.255.255", "44.22.40.100", "192.0.2.1", "2001:db8::1", "::"])
def test_networks_around_are_the_cidr_texts_of_every_containing_network(text):
    ip = ipaddress.ip_address(text)
    expected = [str(ipaddress.ip_network((int(ip), length), strict=False)) for length in range(ip.max_prefixlen + 1)]
    assert networks_around(ip) == expected
