"""A customer's IP pages: their own blocks and addresses with justifications, never another company's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.tenancy import for_user
from ipam import selectors, services
from ipam.models import IPAddress
from tests.ipam.factories import customer_block, documentation_space, justification_for

pytestmark = pytest.mark.django_db


def test_customer_sees_own_blocks_and_addresses_with_justification(acme, globex, alice, client_for):
    documentation_space()
    ours = customer_block(acme)
    theirs = customer_block(globex)
    services.prefix_add(prefix="192.0.2.0/24")
    services.ip_assign(
        address="192.0.2.7",
        company=acme,
        justification=justification_for(acme, purpose="Customer mail relay"),
    )
    services.ip_assign(address="192.0.2.8", company=globex, justification=justification_for(globex))
    client = client_for(alice)
    body = client.get(reverse("portal:ips")).content.decode()
    assert ours.prefix in body and "Customer mail relay" in body and "192.0.2.7" in body
    assert theirs.prefix not in body and "192.0.2.8" not in body

    detail = client.get(reverse("portal:ip_block_detail", args=[ours.pk]))
    assert detail.status_code == 200 and "Web hosting" in detail.content.decode()
    assert client.get(reverse("portal:ip_block_detail", args=[theirs.pk])).status_code == 404


def test_ipv6_block_shown_in_64s(acme, globex, alice, client_for):
    documentation_space()
    services.block_assign(prefix="2001:db8:7::/56", company=acme, justification=justification_for(acme))
    services.block_assign(prefix="2001:db8:8::/56", company=globex, justification=justification_for(globex))
    body = client_for(alice).get(reverse("portal:ips")).content.decode()
    assert "2001:db8:7::/56" in body and "256 of 256 /64 subnets used" in body
    assert "2001:db8:8::/56" not in body


def _ip_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("portal:ips")).status_code == 200
    return len(captured)


def test_ip_page_queries_do_not_grow_and_ipv6_costs_one_more(acme, alice, client_for):
    documentation_space()
    customer_block(acme)
    services.prefix_add(prefix="192.0.2.0/24")
    services.ip_assign(address="192.0.2.7", company=acme, justification=justification_for(acme))
    client = client_for(alice)
    client.get(reverse("portal:ips"))
    few = _ip_page_queries(client)
    customer_block(acme)
    customer_block(acme)
    for number in range(8, 14):
        services.ip_assign(address=f"192.0.2.{number}", company=acme, justification=justification_for(acme))
    assert _ip_page_queries(client) == few
    # The IPv6 utilisation of every IPv6 block in one more statement.
    services.block_assign(prefix="2001:db8:7::/56", company=acme, justification=justification_for(acme))
    services.block_assign(prefix="2001:db8:9::/64", company=acme, justification=justification_for(acme))
    assert _ip_page_queries(client) == few + 1
    body = client.get(reverse("portal:ips")).content.decode()
    assert "256 of 256 /64 subnets used" in body and "1 of 1 /64 subnets used" in body


def test_address_table_rows(acme, globex, alice):
    documentation_space()
    services.prefix_add(prefix="192.0.2.0/24")
    services.ip_assign(address="192.0.2.10", company=acme, justification=justification_for(acme))
    services.ip_assign(address="192.0.2.9", company=acme, justification=justification_for(acme, purpose="Mail relay"))
    services.ip_assign(address="192.0.2.11", company=globex, justification=justification_for(globex))
    scoped = for_user(IPAddress, alice, company=acme, staff_scope=False)
    rows = selectors.address_table(scoped, limit=500)
    # Numeric order (not text order), own addresses only.
    assert [row["address"] for row in rows] == ["192.0.2.9", "192.0.2.10"]
    mail_relay = IPAddress.objects.get(address="192.0.2.9")
    assert rows[0] == {
        "address": "192.0.2.9",
        "status_label": "Assigned",
        "prefix": "192.0.2.0/24",
        "dns_name": "",
        "purpose": "Mail relay",
        "started_at": mail_relay.current_assignment.started_at,
    }
    assert rows[1]["purpose"] == "Web hosting"
    assert selectors.address_table(scoped, limit=1) == rows[:1]
