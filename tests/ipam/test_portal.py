"""A customer's IP pages: their own blocks and addresses with justifications, never another company's."""

import pytest
from django.urls import reverse

from ipam import services
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
