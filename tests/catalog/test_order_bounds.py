"""Quantities and totals of orders are bounded before anything is saved; bad input is a 400, never a 500."""

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import api_token_create
from catalog import services
from catalog.models import Order
from tests.catalog.factories import plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "quantity", ["99999999.99", "10001", "0", "-1", "1.001", "abc", "NaN", "Infinity", "1e999999", "²"]
)
def test_out_of_range_or_non_numeric_quantities_are_refused_before_saving(acme, alice, quantity):
    with pytest.raises(ValidationError) as error:
        services.order_place(company=acme, placed_by=alice, lines=[{"plan": plan(), "quantity": quantity}])
    assert "quantity" in error.value.message_dict
    assert not Order.objects.exists()


def test_a_total_beyond_what_an_order_may_hold_is_refused(acme, alice):
    dear = plan(monthly="999999.00")
    with pytest.raises(ValidationError, match="may total at most"):
        services.order_place(company=acme, placed_by=alice, lines=[{"plan": dear, "quantity": "5000"}])
    assert not Order.objects.exists()


def test_the_api_answers_400_with_a_clear_message(acme, alice):
    _token, raw = api_token_create(user=alice, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    chosen = plan(monthly="500.00")
    for quantity in ("99999999.99", "-3", "1e30"):
        response = client.post(
            "/api/catalog/orders/",
            {"company": acme.pk, "lines": [{"plan": chosen.pk, "quantity": quantity}]},
            format="json",
        )
        assert response.status_code == 400, (quantity, response.content)
        assert "quantity" in response.content.decode()
    assert client.get("/api/catalog/orders/").status_code == 200


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite ever stored totals beyond the columns")
def test_orders_stored_beyond_their_columns_are_repaired_and_pages_answer(acme, alice, client_for):
    order = services.order_place(company=acme, placed_by=alice, lines=[{"plan": plan(monthly="500.00")}])
    with connection.cursor() as cursor:  # what an unbounded order used to store
        cursor.execute("UPDATE catalog_order SET total_recurring = 49999999995.00 WHERE id = %s", [order.pk])
        cursor.execute("UPDATE catalog_orderline SET quantity = 99999999.99 WHERE order_id = %s", [order.pk])
    client = client_for(alice)
    migration = importlib.import_module("catalog.migrations.0004_repair_out_of_range_orders")
    from django.apps import apps

    migration.repair(apps, SimpleNamespace(connection=connection))
    order.refresh_from_db()
    assert order.status == "rejected" and order.total_recurring == Decimal("0")
    assert client.get("/portal/services/").status_code == 200
    assert client.get("/portal/services/orders/").status_code == 200
    assert client.get("/api/catalog/orders/").status_code == 200
