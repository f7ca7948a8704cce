"""Customer serializers: related objects through the tenancy helper (foreign = missing), staff-only fields."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.services import api_token_create
from core.registry import all_specs, resolved
from tests.factories import OBJECT_FACTORIES
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    _token, raw = api_token_create(user=user, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_message_for_a_foreign_ticket_looks_like_one_for_a_missing_ticket(acme, globex, alice):
    foreign = OBJECT_FACTORIES[Ticket](globex)
    client = _api(alice)
    answers = []
    for pk in (foreign.pk, foreign.pk + 100000):
        response = client.post("/api/tickets/messages/", {"ticket": pk, "body": "hello"}, format="json")
        answers.append((response.status_code, response.json()["ticket"][0].replace(str(pk), "N")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and "Invalid pk" in answers[0][1]


def test_comments_are_staff_only_by_default_and_never_serialised_for_customers(acme, alice, superuser):
    commented = [s for s in all_specs() if "comments" in s.staff_only_fields and s.model in OBJECT_FACTORIES]
    assert {spec.model._meta.model_name for spec in commented} >= {"company", "device", "rack", "service"}
    request = RequestFactory().get("/api/")
    checked = 0
    for spec in commented:
        if not spec.api:
            continue
        instance = OBJECT_FACTORIES[spec.model](acme)
        serializer_class = resolved(spec.model, "serializer")
        request.user = superuser
        staff_fields = serializer_class(instance, context={"request": request}).fields
        request.user = alice
        customer = serializer_class(instance, context={"request": request})
        assert "comments" not in customer.fields, spec.label
        assert "comments" not in customer.data, spec.label
        checked += "comments" in staff_fields
    assert checked >= 4


def test_the_company_api_hides_comments_from_customers(acme, alice):
    type(acme).objects.filter(pk=acme.pk).update(comments="staff note: slow payer")
    body = _api(alice).get(f"/api/accounts/companies/{acme.pk}/").content.decode()
    assert "slow payer" not in body and "comments" not in body


def _fresh_model_fields(serializer) -> dict:
    """What ``ModelSerializer`` builds for ``serializer`` from scratch (no per-class prototype)."""
    from rest_framework.serializers import ModelSerializer

    return ModelSerializer.get_fields(serializer)


def test_every_generated_serializer_gets_the_fields_modelserializer_would_build(superuser):
    """The per-class prototype changes nothing: the same names, classes and arguments as a fresh build."""
    request = RequestFactory().get("/api/")
    request.user = superuser
    checked = 0
    for spec in all_specs():
        if not spec.api:
            continue
        serializer_class = resolved(spec.model, "serializer")
        for _ in range(2):  # the first instance builds the prototype, the second copies it
            serializer = serializer_class(context={"request": request})
            fresh = _fresh_model_fields(serializer_class(context={"request": request}))
            cached = serializer.model_fields()
            assert list(cached) == list(fresh), spec.label
            for name, field in cached.items():
                assert type(field) is type(fresh[name]), (spec.label, name)
                assert repr(field) == repr(fresh[name]), (spec.label, name)
        checked += 1
    assert checked >= 20


def test_cached_serializer_fields_are_never_shared_between_instances(acme, alice, superuser):
    """Each instance binds its own copies: a change one request makes to its fields never reaches another's,
    and a related field reads the context (the user) of its own serializer."""
    from dcim.models import Device

    serializer_class = resolved(Device, "serializer")
    staff_request, customer_request = RequestFactory().get("/api/"), RequestFactory().get("/api/")
    staff_request.user, customer_request.user = superuser, alice
    first = serializer_class(context={"request": staff_request})
    second = serializer_class(context={"request": customer_request})
    for name, field in first.fields.items():
        assert field is not second.fields.get(name), name
    assert first.fields["company"].parent is first and second.fields["company"].parent is second
    assert second.fields["company"].context["request"].user == alice

    first.fields["company"].read_only = True
    first.fields["name"].required = False
    third = serializer_class(context={"request": customer_request})
    assert third.fields["company"].read_only is False and third.fields["name"].required is True
    # Staff-only fields are dropped per instance, not from the shared build.
    assert "comments" in first.fields and "comments" not in second.fields
    assert "comments" in serializer_class(context={"request": staff_request}).fields
