"""Absurd input is a 4xx, never a 500: huge limits and offsets, ids no column can hold, unicode digits."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from accounts.models import Company
from accounts.services import api_token_create
from core.validation import object_id

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


def test_object_id_takes_ascii_digits_within_a_bigint_only():
    assert object_id("42") == 42 and object_id(42) == 42
    for bad in ("²", "١٢", HUGE, "-1", "0", "", None, "1.5", True, 2**63):
        assert object_id(bad) is None, bad


def test_api_lists_cap_limit_and_offset(alice):
    _token, raw = api_token_create(user=alice, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for query in (f"limit={HUGE}", f"offset={HUGE}", f"limit={HUGE}&offset={HUGE}", "limit=-5", "limit=²"):
        response = client.get(f"/api/accounts/companies/?{query}")
        assert response.status_code == 200, (query, response.content[:300])
    assert len(client.get(f"/api/accounts/companies/?limit={HUGE}").json()["results"]) == 1


def test_integer_in_lookups_ignore_values_no_column_holds(acme):
    assert list(Company.objects.filter(pk__in=[int(HUGE)])) == []
    assert list(Company.objects.filter(pk__in=[int(HUGE), acme.pk])) == [acme]
    assert list(Group.objects.filter(pk__in=[-(10**30)])) == []


def test_a_huge_id_in_the_cancellation_form_is_a_form_error(alice, client_for):
    client = client_for(alice)
    assert client.get(f"/portal/services/cancel/?service={HUGE}").status_code == 200
    assert client.get("/portal/services/cancel/?service=²").status_code == 200
    for value in (HUGE, "²", "-1", "abc"):
        response = client.post("/portal/services/cancel/", {"services": [value], "reason": "x"})
        assert response.status_code == 400, value
