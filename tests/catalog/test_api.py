"""The API: customers place orders (priced by the service, with a provisioning ticket) and read their services."""

from decimal import Decimal

import pytest

from accounts.choices import CompanyRole
from catalog.choices import OrderKind
from catalog.models import Order
from tests.accounts.factories import MembershipFactory
from tests.catalog.factories import active_service, plan
from tests.core.test_api_tenancy import token_client

pytestmark = pytest.mark.django_db


def test_customer_places_an_order(acme, alice):
    chosen = plan(monthly="150.00", setup="50.00")
    client = token_client(alice)
    offered = client.get("/api/catalog/orders/catalog/")
    assert offered.status_code == 200 and chosen.pk in {row["id"] for row in offered.json()}
    response = client.post("/api/catalog/orders/", {"lines": [{"plan": chosen.pk, "quantity": "2"}]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total_recurring"] == "300.00" and body["total_one_time"] == "100.00"
    order = Order.objects.get(pk=body["id"])
    assert order.company == acme and order.placed_by == alice and order.ticket.queue.slug == "provisioning"


def test_customer_cannot_order_hidden_plans_or_upgrade_others_services(acme, globex, alice):
    client = token_client(alice)
    hidden = plan(is_active=False)
    response = client.post("/api/catalog/orders/", {"lines": [{"plan": hidden.pk}]}, format="json")
    assert response.status_code == 400 and "not offered" in str(response.json())
    theirs = active_service(globex)
    response = client.post(
        "/api/catalog/orders/",
        {"kind": OrderKind.UPGRADE, "service": theirs.pk, "lines": [{"plan": plan().pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_read_only_member_cannot_order(acme):
    reader = MembershipFactory(company=acme, role=CompanyRole.READ_ONLY).user
    response = token_client(reader).post("/api/catalog/orders/", {"lines": [{"plan": plan().pk}]}, format="json")
    assert response.status_code == 403


def test_customer_reads_their_services_but_cannot_change_them(acme, alice):
    service = active_service(acme)
    client = token_client(alice)
    assert client.get(f"/api/catalog/services/{service.pk}/").json()["status"] == "active"
    assert client.patch(f"/api/catalog/services/{service.pk}/", {"status": "cancelled"}).status_code == 403
    assert Decimal(client.get("/api/catalog/services/").json()["results"][0]["quantity"]) == 1


def test_customer_orders_with_add_on_options(acme, alice):
    from tests.catalog.factories import option

    chosen = plan(monthly="150.00", setup="50.00")
    reboot = option(chosen.product, monthly="10.00", setup="5.00", name="Remote reboot")
    other = option(plan().product, name="Second feed")
    client = token_client(alice)
    offered = {row["id"]: row for row in client.get("/api/catalog/orders/catalog/").json()}
    assert [o["name"] for o in offered[chosen.pk]["options"]] == ["Remote reboot"]
    response = client.post(
        "/api/catalog/orders/", {"lines": [{"plan": chosen.pk, "options": [reboot.pk]}]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total_recurring"], body["total_one_time"]) == ("160.00", "55.00")
    assert [o["name"] for o in body["lines"][0]["options"]] == ["Remote reboot"]
    refused = client.post(
        "/api/catalog/orders/", {"lines": [{"plan": chosen.pk, "options": [other.pk]}]}, format="json"
    )
    assert refused.status_code == 400 and "is not offered with" in str(refused.json())
    assert Order.objects.count() == 1
