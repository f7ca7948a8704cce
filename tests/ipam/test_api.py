"""The IPAM API's own endpoints: add subnet/range, next free, search; and tenancy on them."""

import pytest
from rest_framework.test import APIClient

from ipam import services
from ipam.choices import PrefixStatus
from ipam.models import IPAddress, Prefix
from tests.ipam.factories import customer_block, documentation_space, justification_for

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def space(db):
    return documentation_space()


def test_add_subnet_and_range(space, noc_user):
    client = api(noc_user)
    response = client.post("/api/ipam/add-subnet/", {"prefix": "192.0.2.0/26", "create_addresses": True}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["address_records"] == 62
    response = client.post("/api/ipam/add-subnet/", {"prefix": "192.0.2.0/25"}, format="json")
    assert response.status_code == 400
    assert "192.0.2.0/25 overlaps 192.0.2.0/26" in response.json()["detail"][0]

    services.prefix_add(prefix="198.51.100.0/24")
    response = client.post("/api/ipam/add-range/", {"start": "198.51.100.20", "end": "198.51.100.29"}, format="json")
    assert response.status_code == 201
    assert response.json()["count"] == 10
    bad = client.post("/api/ipam/add-range/", {"start": "198.51.100.29", "end": "198.51.100.20"}, format="json")
    assert bad.status_code == 400


def test_customers_cannot_add(space, alice):
    response = api(alice).post("/api/ipam/add-range/", {"start": "192.0.2.1", "end": "192.0.2.2"}, format="json")
    assert response.status_code == 403
    assert not IPAddress.objects.exists()


def test_next_free_ip_respects_tenancy(space, acme, globex, alice):
    ours, theirs = customer_block(acme), customer_block(globex)
    client = api(alice)
    response = client.post("/api/ipam/next-free-ip/", {"prefix": ours.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["address"] == str(ours.network.network_address + 1)
    assert client.post("/api/ipam/next-free-ip/", {"prefix": theirs.pk}, format="json").status_code == 404


def test_next_free_block_and_search_for_staff(space, noc_user, acme, alice):
    container = services.prefix_add(prefix="203.0.113.0/24", status=PrefixStatus.CONTAINER)
    services.block_assign(prefix="203.0.113.0/28", company=acme, justification=justification_for(acme))
    client = api(noc_user)
    response = client.post("/api/ipam/next-free-block/", {"prefix": container.pk, "prefix_length": 28}, format="json")
    assert response.json()["prefix"] == "203.0.113.16/28"
    found = client.get("/api/ipam/search/", {"q": "203.0.113.5"}).json()
    assert found["addresses"][0]["state"] == "in use" and found["addresses"][0]["company"] == "Acme Hosting"
    assert client.get("/api/ipam/search/", {"q": "203.0.113.500"}).status_code == 400
    assert api(alice).get("/api/ipam/search/", {"q": "203.0.113.5"}).status_code == 403


def test_generic_endpoints_validate_writes(space, noc_user, acme, globex, alice):
    client = api(noc_user)
    response = client.post("/api/ipam/prefixes/", {"prefix": "192.0.2.3/24"}, format="json")
    assert response.status_code == 400 and "did you mean 192.0.2.0/24" in str(response.json())
    response = client.post("/api/ipam/prefixes/", {"prefix": "192.0.2.0/24", "status": "active"}, format="json")
    assert response.status_code == 201
    assert Prefix.objects.get(prefix="192.0.2.0/24").network_end.endswith("c00002ff")
    # Acme's token lists Acme's addresses only.
    customer_block(globex)
    ours = customer_block(acme)
    services.ip_assign(address=str(ours.network.network_address + 1), company=acme)
    services.ip_assign(address=str(customer_block(globex).network.network_address + 1), company=globex)
    listed = api(alice).get("/api/ipam/ip-addresses/").json()["results"]
    assert {row["company"] for row in listed} == {acme.pk}
    assert api(noc_user).delete(f"/api/ipam/ip-assignments/{ours.assignments.get().pk}/").status_code == 405


def test_generic_writes_keep_the_kept_figures(space, noc_user):
    """The generated API writes through the spec's services: a prefix's CIDR can change (its field ``prefix``
    is not the instance argument) and the per-prefix figures follow creates, moves and deletes."""
    client = api(noc_user)
    container = services.prefix_add(prefix="192.0.2.0/24", status=PrefixStatus.CONTAINER)
    response = client.post("/api/ipam/prefixes/", {"prefix": "192.0.2.0/26"}, format="json")
    assert response.status_code == 201, response.content
    subnet = Prefix.objects.get(pk=response.json()["id"])
    container.refresh_from_db()
    assert container.child_units == 64
    response = client.patch(f"/api/ipam/prefixes/{subnet.pk}/", {"prefix": "192.0.2.128/25"}, format="json")
    assert response.status_code == 200, response.content
    container.refresh_from_db()
    assert container.child_units == 128
    response = client.post("/api/ipam/ip-addresses/", {"address": "192.0.2.130"}, format="json")
    assert response.status_code == 201, response.content
    subnet.refresh_from_db()
    assert (subnet.prefix, subnet.address_records) == ("192.0.2.128/25", 1)
    bad = client.post("/api/ipam/prefixes/", {"prefix": "192.0.2.128/26"}, format="json")
    assert bad.status_code == 400 and "overlaps" in str(bad.json())
    assert client.delete(f"/api/ipam/ip-addresses/{response.json()['id']}/").status_code == 204
    subnet.refresh_from_db()
    assert subnet.address_records == 0


def test_address_list_pages_are_bounded_and_scoped(space, noc_user, acme, alice):
    """The address list (read as plain rows) keeps every list's bounds and the customer's scope."""
    services.prefix_add(prefix="10.11.0.0/21", create_addresses=True)  # 2,046 records
    block = customer_block(acme)
    services.ip_assign(address=str(block.network.network_address + 1), company=acme)
    staff = api(noc_user)
    page = staff.get("/api/ipam/ip-addresses/?limit=5000").json()
    assert len(page["results"]) == 1000 and page["count"] == IPAddress.objects.count()
    assert staff.get("/api/ipam/ip-addresses/?offset=100000000000000000000").json()["results"] == []
    ordered = staff.get("/api/ipam/ip-addresses/?ordering=-address&limit=3").json()["results"]
    assert [row["address"] for row in ordered] == sorted(IPAddress.objects.values_list("address", flat=True))[:-4:-1]
    own = api(alice).get("/api/ipam/ip-addresses/").json()
    assert own["count"] == 1 and own["results"][0]["company"] == acme.pk
