"""``/api/dcim/stock/``: servers for sale per hardware configuration, for signed-in users only."""

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from dcim.choices import DeviceRole, DeviceStatus
from tests.accounts.factories import staff_member
from tests.dcim.factories import device_type, make_device

pytestmark = pytest.mark.django_db

STOCK_URL = "/api/dcim/stock/"


def token_client(user) -> APIClient:
    _token, plain = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_anonymous_is_refused():
    assert APIClient().get(STOCK_URL).status_code in (401, 403)


def test_stock_counts_only_our_unassigned_servers_in_inventory(alice, acme):
    big = device_type("R740", cpu="2× Xeon 6338", memory_gb=256)
    small = device_type("R240", cpu="E-2234", memory_gb=32)
    make_device(dtype=big)
    make_device(dtype=big)
    make_device(dtype=small)
    make_device(dtype=small, status=DeviceStatus.FAULTY)  # not for sale
    make_device(acme, dtype=small)  # a customer's
    make_device(dtype=device_type("Switch"), role=DeviceRole.SWITCH)  # not a server

    response = token_client(alice).get(STOCK_URL)

    assert response.status_code == 200
    assert response.json() == [
        {"device_type": "R740", "slug": "r740", "available": 2, "hardware": "2× Xeon 6338 · 256 GB"},
        {"device_type": "R240", "slug": "r240", "available": 1, "hardware": "E-2234 · 32 GB"},
    ]


def test_stock_is_in_the_schema(alice, client_for):
    schema = client_for(alice).get("/api/schema/").content.decode()
    assert "/api/dcim/stock/" in schema
    assert "dcim_stock_list" in schema


def test_generated_dcim_routes_still_answer(alice):
    assert token_client(alice).get("/api/dcim/devices/").status_code == 200


def test_staff_read_the_same_stock():
    make_device(dtype=device_type("R740"))
    response = token_client(staff_member()).get(STOCK_URL)
    assert response.status_code == 200
    assert [row["available"] for row in response.json()] == [1]
