"""Generic suite over every API endpoint's writes: anonymous, another company's customer, the customer, staff
without and with permission. A write the spec names no service for answers 405, whoever asks; refused writes
change nothing."""

import pytest
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from accounts.services import api_token_create
from core.registry import all_specs, resolved
from tests.accounts.factories import staff_member
from tests.factories import OBJECT_FACTORIES

pytestmark = pytest.mark.django_db

API_SPECS = [pytest.param(spec, id=spec.label) for spec in all_specs() if spec.api]
WRITES = [("post", False), ("patch", True), ("put", True), ("delete", True)]
KIND = {"post": "create", "patch": "update", "put": "update", "delete": "delete"}


def client_of(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, plain = api_token_create(user=user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def url(spec, instance=None) -> str:
    return f"/api/{spec.api_prefix}/" + (f"{instance.pk}/" if instance is not None else "")


def write(client, method, spec, instance):
    return getattr(client, method)(url(spec, instance), {}, format="json")


def state(spec):
    return sorted(
        (tuple(sorted(model_to_dict(row).items(), key=str)) for row in spec.model._default_manager.all()), key=str
    )


@pytest.mark.parametrize("spec", API_SPECS)
def test_anonymous_writes_are_refused(spec, acme):
    instance = OBJECT_FACTORIES[spec.model](acme)
    before = state(spec)
    for method, detail in WRITES:
        response = write(client_of(), method, spec, instance if detail else None)
        assert response.status_code in (401, 403), (method, response.status_code)
    assert state(spec) == before


@pytest.mark.parametrize("spec", API_SPECS)
def test_customers_write_only_where_the_spec_allows(spec, acme, globex, alice):
    ours = OBJECT_FACTORIES[spec.model](acme)
    theirs = OBJECT_FACTORIES[spec.model](globex) if spec.is_customer_visible else None
    before = state(spec)
    client = client_of(alice)
    for method, detail in WRITES:
        allowed = spec.is_customer_visible and (
            spec.customer_writable or (method == "post" and spec.customer_creatable)
        )
        response = write(client, method, spec, ours if detail else None)
        if not allowed:
            assert response.status_code == 403, (method, response.status_code)
        else:
            assert response.status_code != 500
        if detail and theirs is not None:
            # Another company's object: refused or absent, never written.
            assert write(client, method, spec, theirs).status_code in (403, 404, 405)
    if not (spec.customer_writable or spec.customer_creatable):
        assert state(spec) == before


@pytest.mark.parametrize("spec", API_SPECS)
def test_staff_without_permission_are_refused(spec, acme):
    instance = OBJECT_FACTORIES[spec.model](acme)
    client = client_of(staff_member(email="bare-writer@serverstock.test"))
    before = state(spec)
    for method, detail in WRITES:
        assert write(client, method, spec, instance if detail else None).status_code == 403, method
    assert state(spec) == before


@pytest.mark.parametrize("spec", API_SPECS)
def test_staff_writes_go_through_a_service_or_answer_405(spec, acme, superuser):
    viewset = resolved(spec.model, "viewset")
    instance = OBJECT_FACTORIES[spec.model](acme)
    client = client_of(superuser)
    for method, detail in WRITES:
        if method == "delete":
            continue  # deleting is exercised below, once the other methods have run
        response = write(client, method, spec, instance if detail else None)
        if not viewset.writes_allowed(KIND[method]) or method not in viewset.http_method_names:
            assert response.status_code == 405, (method, response.status_code)
        else:
            # Through the service: an empty body is refused as bad input (400) or accepted; never a crash.
            assert response.status_code in (200, 201, 400), (method, response.status_code, response.content[:300])
    before = state(spec)
    response = write(client, "delete", spec, instance)
    if not viewset.writes_allowed("delete") or "delete" not in viewset.http_method_names:
        assert response.status_code == 405
        assert state(spec) == before
    else:
        # The service deletes (or, for memberships, deactivates) the row, or refuses it with a reason.
        assert response.status_code in (204, 400), response.content[:300]
        if response.status_code == 400:
            assert state(spec) == before
