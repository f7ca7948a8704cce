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
