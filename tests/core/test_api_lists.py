"""Lists that read only the columns they show (a serializer's ``list_reads``) answer exactly what whole rows give."""

import json

import pytest
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from accounts.services import api_token_create
from core.registry import all_specs, resolved
from core.tenancy import for_user
from tests.factories import OBJECT_FACTORIES

pytestmark = pytest.mark.django_db

NARROWED_SPECS = [
    pytest.param(spec, id=spec.label)
    for spec in all_specs()
    if spec.api and getattr(resolved(spec.model, "serializer"), "list_reads", None) is not None
]


def test_the_hot_lists_read_only_their_columns():
    assert {param.id for param in NARROWED_SPECS} >= {"billing.invoice", "dcim.device"}


def _whole_rows_as_json(spec, user) -> list:
    """The list page as the serializer gives it from whole rows (the spec's joins, every column)."""
    request = RequestFactory().get("/api/")
    request.user = user
    queryset = for_user(spec.model, user).select_related(*spec.select_related)
    queryset = queryset.order_by(*(spec.ordering or ["pk"]))
    data = resolved(spec.model, "serializer")(queryset, many=True, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("spec", NARROWED_SPECS)
def test_a_narrowed_list_is_the_same_as_from_whole_rows(spec, acme, globex, alice, superuser):
    for company in (acme, acme, globex):
        OBJECT_FACTORIES[spec.model](company)
    for user in (alice, superuser):
        _token, plain = api_token_create(user=user, name="t")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
        response = client.get(f"/api/{spec.api_prefix}/")
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) >= 2
        assert rows == _whole_rows_as_json(spec, user), user


def test_a_device_list_shows_owners_with_one_join(acme, alice, superuser):
    """``owner`` reads the company's name from the list's one join, for customer-owned and datacenter devices."""
    from dcim.choices import Ownership
    from tests.dcim.factories import make_device

    make_device(acme, name="colo1", ownership=Ownership.CUSTOMER)
    make_device(acme, name="rented1", ownership=Ownership.DATACENTER)
    make_device(None, name="stock1")
    _token, plain = api_token_create(user=superuser, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    rows = {row["name"]: row for row in client.get("/api/dcim/devices/").json()["results"]}
    assert rows["colo1"]["owner"] == acme.name and rows["colo1"]["display"] == "colo1"
    assert rows["rented1"]["owner"] == "Datacenter" and rows["stock1"]["owner"] == "Datacenter"


def test_unfiltered_lists_skip_the_filterset_and_filtered_ones_still_filter(acme, superuser):
    """The filter backend builds no filterset for a request naming none of its filters; one that names a filter
    (or gives it a wrong value) is answered as before."""
    from django.http import QueryDict

    from core.api.filters import _names_no_filter
    from dcim.choices import DeviceStatus
    from dcim.models import Device
    from tests.dcim.factories import make_device

    filterset_class = resolved(Device, "filterset")
    for query, skipped in (("", True), ("limit=5&offset=0&ordering=-name", True), ("status=active", False)):
        assert _names_no_filter(QueryDict(query), filterset_class) is skipped, query
    assert _names_no_filter(QueryDict("q=dev"), filterset_class) is False
    assert _names_no_filter(QueryDict("company_id=1"), filterset_class) is False  # a suffixed key: not skipped

    make_device(acme, name="up", status=DeviceStatus.ACTIVE)
    make_device(acme, name="spare", status=DeviceStatus.INVENTORY)
    _token, plain = api_token_create(user=superuser, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")

    def names(query: str) -> list:
        response = client.get(f"/api/dcim/devices/?{query}")
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names("") == ["up", "spare"]
    assert names("ordering=-name&limit=1") == ["up"]
    assert names("status=inventory") == ["spare"]
    assert names("q=spa") == ["spare"]
    assert client.get("/api/dcim/devices/?status=melted").status_code == 400


def test_pages_are_what_drf_gives_and_a_short_page_asks_no_count(acme, superuser):
    """Every page (empty list, short page, full page, past the end) has the count and links DRF's own limit/offset
    pagination gives; a page that is not full asks no ``COUNT(*)``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.pagination import LimitOffsetPagination
    from rest_framework.request import Request

    from core.api.pagination import BoundedLimitOffsetPagination
    from dcim.models import Device
    from tests.dcim.factories import make_device

    _token, plain = api_token_create(user=superuser, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    queries = ["", "limit=3", "limit=3&offset=3", "limit=3&offset=6", "limit=2&offset=1", "offset=4", "offset=99"]
    for devices in (0, 3, 6):
        while Device.objects.count() < devices:
            make_device(acme)
        for query in queries:
            reference = LimitOffsetPagination()
            reference.max_limit = BoundedLimitOffsetPagination.max_limit
            request = Request(RequestFactory().get(f"/api/dcim/devices/?{query}"))
            rows = reference.paginate_queryset(Device.objects.order_by("pk"), request)
            expected = reference.get_paginated_response([row.pk for row in rows]).data
            with CaptureQueriesContext(connection) as captured:
                answer = client.get(f"/api/dcim/devices/?{query}").json()
            got = {**answer, "results": [row["id"] for row in answer["results"]]}
            assert got == {**expected, "results": list(expected["results"])}, (devices, query)
            counted = any("COUNT(" in item["sql"].upper() for item in captured.captured_queries)
            params = dict(part.split("=") for part in query.split("&") if part)
            limit, offset = int(params.get("limit", 50)), int(params.get("offset", 0))
            assert counted == (len(rows) == limit or (not rows and offset > 0)), (devices, query)
