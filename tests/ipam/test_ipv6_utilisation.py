"""IPv6 utilisation in /64 subnets: the arithmetic, its edges, and the same figures in admin, search and report."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipam import reports, selectors, services
from ipam.choices import PrefixStatus
from ipam.models import Prefix
from ipam.querysets import ipv6_units
from tests.ipam.factories import documentation_space, justification_for

pytestmark = pytest.mark.django_db


def annotated(prefix: str) -> Prefix:
    return Prefix.objects.with_utilisation().get(prefix=prefix)


def report_row(prefix: str, level: str = "prefix"):
    return next(row for row in reports.utilisation_rows() if row.prefix == prefix and row.level == level)


@pytest.fixture
def slash48(acme, globex):
    """A /48 container with a /56 and a /64 assigned as blocks, reserved and assigned addresses, a reserved /64,
    an unused /64, and point-to-point /127s sharing one /64."""
    documentation_space()
    services.prefix_add(prefix="2001:db8:1::/48", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="2001:db8:1:100::/56", company=acme, justification=justification_for(acme))
    services.block_assign(prefix="2001:db8:1:1::/64", company=globex, justification=justification_for(globex))
    services.prefix_add(prefix="2001:db8:1:2::/64")
    services.ip_reserve(address="2001:db8:1:2::1", reason="gateway")
    services.ip_reserve(address="2001:db8:1:2::2", reason="gateway (second router)")  # the same /64 again
    services.prefix_add(prefix="2001:db8:1:3::/64")
    services.ip_assign(address="2001:db8:1:3::10", company=acme, justification=justification_for(acme))
    services.prefix_add(prefix="2001:db8:1:4::/64")  # active, nothing held: free
    services.prefix_add(prefix="2001:db8:1:5::/64", status=PrefixStatus.RESERVED)
    services.prefix_add(prefix="2001:db8:1:6::/127", status=PrefixStatus.RESERVED)
    services.prefix_add(prefix="2001:db8:1:6::2/127", status=PrefixStatus.DEPRECATED)
    services.prefix_add(prefix="2001:db8:1:6::4/127")
    services.ip_assign(address="2001:db8:1:6::4", company=acme, justification=justification_for(acme))


def test_units():
    assert ipv6_units(48) == 65_536
    assert ipv6_units(56) == 256
    assert ipv6_units(64) == 1
    assert ipv6_units(127) == 1  # a longer prefix lies in one /64
    assert ipv6_units(0) == 2**64


def test_slash48_counts_each_touched_64_once(slash48):
    container = annotated("2001:db8:1::/48")
    # Assigned: the /56 (256), 1::/64, the address in 3::/64, and 6::/64 (an assigned address beside reserved /127s).
    assert container.v6_assigned_units == 256 + 1 + 1 + 1
    # Reserved on top: 2::/64 (two addresses, one /64) and 5::/64; 6::/64 is already counted as assigned.
    assert container.v6_used_units == 259 + 2
    assert container.ipv6_utilisation == (261, 65_536)
    assert container.utilisation == 0  # 0.4 % rounds down in the bar
    assert container.utilisation_detail == "261 of 65,536 /64 subnets used"
    row = report_row("2001:db8:1::/48")
    assert (row.unit, row.total, row.assigned, row.reserved, row.free) == ("/64 subnets", 65_536, 259, 2, 65_275)
    assert row.percent_used == 0.4


def test_subnets_of_the_slash48(slash48):
    expected = {
        "2001:db8:1:100::/56": (256, 256, 0, 100),
        "2001:db8:1:1::/64": (1, 1, 0, 100),
        "2001:db8:1:2::/64": (1, 0, 1, 100),
        "2001:db8:1:3::/64": (1, 1, 0, 100),
        "2001:db8:1:4::/64": (1, 0, 0, 0),
        "2001:db8:1:5::/64": (1, 0, 1, 100),
        "2001:db8:1:6::/127": (1, 0, 1, 100),
        "2001:db8:1:6::2/127": (1, 0, 1, 100),
        "2001:db8:1:6::4/127": (1, 1, 0, 100),
    }
    rows = {row.prefix: row for row in reports.utilisation_rows() if row.level == "prefix"}
    for prefix, (total, assigned, reserved, percent) in expected.items():
        row = rows[prefix]
        assert (row.total, row.assigned, row.reserved) == (total, assigned, reserved), prefix
        assert annotated(prefix).utilisation == percent, prefix
        # Without the annotations the property asks the database and agrees.
        assert Prefix.objects.get(prefix=prefix).utilisation == percent, prefix


def test_aggregate_row_in_64s(slash48):
    row = report_row("2001:db8::/32", level="aggregate")
    assert (row.total, row.assigned, row.reserved) == (2**32, 259, 2)


def test_addresses_spread_in_a_slash48_subnet_and_its_edges(acme):
    documentation_space()
    subnet = services.prefix_add(prefix="2001:db8:2::/48")  # an active subnet, addresses directly in it
    assert annotated("2001:db8:2::/48").ipv6_utilisation == (0, 65_536)
    services.ip_reserve(address="2001:db8:2::", reason="first address of the first /64")
    services.ip_reserve(address="2001:db8:2:0:ffff:ffff:ffff:ffff", reason="last address of the first /64")
    services.ip_reserve(address="2001:db8:2:1::", reason="the second /64")
    services.ip_reserve(address="2001:db8:2:ffff:ffff:ffff:ffff:ffff", reason="the very last address")
    services.ip_add(address="2001:db8:2:7::1")  # a record nobody holds does not count
    assert annotated("2001:db8:2::/48").ipv6_utilisation == (3, 65_536)
    row = report_row("2001:db8:2::/48")
    assert (row.assigned, row.reserved, row.free) == (0, 3, 65_533)
    services.ip_release(address="2001:db8:2:1::")
    assert subnet.ipv6_utilisation == (2, 65_536)
    # Assigning a whole block makes every /64 of it used.
    services.block_assign(prefix="2001:db8:5::/48", company=acme, justification=justification_for(acme))
    assert annotated("2001:db8:5::/48").ipv6_utilisation == (65_536, 65_536)
    assert annotated("2001:db8:5::/48").utilisation == 100


def test_empty_and_ipv4_untouched(acme):
    documentation_space()
    services.prefix_add(prefix="2001:db8:3::/64")
    assert annotated("2001:db8:3::/64").ipv6_utilisation == (0, 1)
    assert annotated("2001:db8:3::/64").utilisation == 0
    services.prefix_add(prefix="192.0.2.0/29")
    services.ip_reserve(address="192.0.2.1", reason="gateway")
    ipv4 = annotated("192.0.2.0/29")
    assert ipv4.v6_used_units == 0 and ipv4.utilisation == 17  # 1 of 6 usable addresses, as before


def test_admin_bars_and_search_show_64s(slash48, noc_user, client_for):
    client = client_for(noc_user)
    body = client.get(reverse("admin:ipam_prefix_changelist")).content.decode()
    assert "261 of 65,536 /64 subnets used" in body
    assert "of /64s" in body
    search = client.get(reverse("admin:ipam_search"), {"q": "2001:db8:1:2::1"}).content.decode()
    assert "261 of 65,536 /64 subnets used" in search  # the containing /48
    assert "1 of 1 /64 subnets used" in search  # the /64 itself
    result = selectors.ip_search("2001:db8:1::/48")
    shown = {prefix.prefix: prefix.ipv6_utilisation for prefix in result.prefixes}
    assert shown["2001:db8:1::/48"] == (261, 65_536) and shown["2001:db8:1:100::/56"] == (256, 256)


def test_admin_changelist_queries_stay_constant_with_ipv6(superuser, client_for, acme):
    documentation_space()
    client = client_for(superuser)
    services.prefix_add(prefix="2001:db8:4::/48", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="2001:db8:4:1::/64", company=acme, justification=justification_for(acme))
    url = reverse("admin:ipam_prefix_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(2, 12):
        services.block_assign(prefix=f"2001:db8:4:{number}::/64", company=acme, justification=justification_for(acme))
        services.prefix_add(prefix=f"2001:db8:4:{number}00::/127")
        services.ip_reserve(address=f"2001:db8:4:{number}00::1", reason="link")
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert "21 of 65,536 /64 subnets used" in body
    assert len(many) == len(few)
