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
    commented = [
        spec for spec in all_specs() if "comments" in spec.staff_only_fields and spec.model in OBJECT_FACTORIES
    ]
    assert {spec.model._meta.model_name for spec in commented} >= {"company", "device", "rack", "service"}
    for spec in commented:
        if not spec.api or not any(f.name == "comments" for f in spec.model._meta.concrete_fields):
            continue
        instance = OBJECT_FACTORIES[spec.model](acme)
        type(instance)._default_manager.filter(pk=instance.pk).update(comments="staff note: slow payer")
        request = RequestFactory().get("/api/")
        for user, visible in ((alice, False), (superuser, True)):
            request.user = user
            serializer = resolved(spec.model, "serializer")(instance, context={"request": request})
            fields = serializer.fields
            assert ("comments" in fields) is visible, (spec.label, user)


def test_the_company_api_hides_comments_from_customers(acme, alice):
    type(acme).objects.filter(pk=acme.pk).update(comments="staff note: slow payer")
    body = _api(alice).get(f"/api/accounts/companies/{acme.pk}/").content.decode()
    assert "slow payer" not in body and "comments" not in body
