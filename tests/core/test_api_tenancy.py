"""Generic suite over every API endpoint generated from a spec: anonymous is refused, another company's
user never sees the object, the owner's company does, and lists keep a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import api_token_create
from core.registry import all_specs
from tests.factories import OBJECT_FACTORIES

CUSTOMER_SPECS = [pytest.param(s, id=s.label) for s in all_specs() if s.api and s.is_customer_visible]
STAFF_ONLY_SPECS = [pytest.param(s, id=s.label) for s in all_specs() if s.api and not s.is_customer_visible]


def endpoint(spec) -> str:
    return f"/api/{spec.api_prefix}/"


def token_client(user) -> APIClient:
    _token, plain = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_every_spec_has_a_factory():
    missing = [s.label for s in all_specs() if s.model not in OBJECT_FACTORIES]
    assert not missing, f"add factories for {missing} (tests/<app>/factories.py) so the generic suites cover them"


@pytest.mark.django_db
@pytest.mark.parametrize("spec", CUSTOMER_SPECS + STAFF_ONLY_SPECS)
def test_anonymous_is_refused(spec):
    response = APIClient().get(endpoint(spec))
    assert response.status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("spec", CUSTOMER_SPECS)
def test_customer_sees_own_company_only(spec, acme, globex, alice, bob):
    theirs = OBJECT_FACTORIES[spec.model](globex)
    ours = OBJECT_FACTORIES[spec.model](acme)
    client = token_client(alice)

    listed = client.get(endpoint(spec))
    assert listed.status_code == 200
    ids = {row.get("id") for row in listed.json()["results"]}
    assert ours.pk in ids
    assert theirs.pk not in ids

    assert client.get(f"{endpoint(spec)}{ours.pk}/").status_code == 200
    assert client.get(f"{endpoint(spec)}{theirs.pk}/").status_code == 404
    # Bob sees his own object, never Acme's.
    assert token_client(bob).get(f"{endpoint(spec)}{ours.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("spec", CUSTOMER_SPECS)
def test_customer_cannot_write_unless_allowed(spec, acme, alice):
    ours = OBJECT_FACTORIES[spec.model](acme)
    response = token_client(alice).delete(f"{endpoint(spec)}{ours.pk}/")
    assert response.status_code == (204 if spec.customer_writable else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("spec", STAFF_ONLY_SPECS)
def test_staff_only_models_are_refused_to_customers(spec, alice):
    response = token_client(alice).get(endpoint(spec))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("spec", CUSTOMER_SPECS)
def test_secret_fields_never_leave(spec, acme, superuser):
    OBJECT_FACTORIES[spec.model](acme)
    rows = token_client(superuser).get(endpoint(spec)).json()["results"]
    assert rows
    for name in spec.secret_fields:
        assert all(name not in row for row in rows)


@pytest.mark.django_db
@pytest.mark.parametrize("spec", CUSTOMER_SPECS)
def test_list_queries_do_not_grow_with_rows(spec, acme, alice):
    client = token_client(alice)
    OBJECT_FACTORIES[spec.model](acme)
    client.get(endpoint(spec))
    with CaptureQueriesContext(connection) as few:
        assert client.get(endpoint(spec)).status_code == 200
    for _ in range(4):
        OBJECT_FACTORIES[spec.model](acme)
    with CaptureQueriesContext(connection) as many:
        assert client.get(endpoint(spec)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.django_db
def test_a_token_list_reads_memberships_once_and_follows_them(acme, globex, alice):
    """A customer's token request learns the user's companies from the token statement (no membership query of
    its own), and what it lists follows the memberships as they are at that request."""
    from accounts.choices import CompanyRole, CompanyStatus
    from accounts.services import company_set_status, membership_remove
    from dcim.models import Device

    ours, theirs = OBJECT_FACTORIES[Device](acme), OBJECT_FACTORIES[Device](globex)
    client = token_client(alice)

    def listed() -> set:
        response = client.get("/api/dcim/devices/")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert listed() == {ours.pk}
    with CaptureQueriesContext(connection) as queries:
        assert listed() == {ours.pk}
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 2, statements  # the token (with the memberships), the page (short: no count)
    assert not [sql for sql in statements if 'FROM "accounts_membership"' in sql]

    from tests.accounts.factories import MembershipFactory

    extra = MembershipFactory(user=alice, company=globex, role=CompanyRole.TECHNICAL)
    assert listed() == {ours.pk, theirs.pk}
    company_set_status(company=globex, status=CompanyStatus.CLOSED)
    assert listed() == {ours.pk}
    company_set_status(company=globex, status=CompanyStatus.ACTIVE)
    membership_remove(membership=extra)
    assert listed() == {ours.pk}
