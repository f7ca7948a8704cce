"""Where a sign-in at /accounts/login/ lands: staff on the admin, customers on the portal, or a safe ``next``."""

import pytest
from django.test import override_settings

from tests.accounts.factories import PASSWORD, enable_mfa, staff_member
from tests.accounts.test_sign_in import totp_code

pytestmark = pytest.mark.django_db


def _sign_in(client, login: str, next_url: str | None = None):
    path = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    data = {"login": login, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(path, data)


def test_customer_lands_on_the_portal(client, alice):
    response = _sign_in(client, alice.email)
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_customer_follows_a_safe_next_only(client, alice, bob):
    assert _sign_in(client, alice.email, "/portal/tickets/")["Location"] == "/portal/tickets/"
    assert _sign_in(client, bob.email, "https://evil.example/")["Location"] == "/portal/"


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=False)
def test_staff_land_on_the_admin(client):
    staff_member(email="ops@serverstock.test", username="ops", mfa=False)
    response = _sign_in(client, "ops")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=False)
def test_staff_follow_next_when_safe(client):
    staff_member(email="ops@serverstock.test", username="ops", mfa=False)
    assert _sign_in(client, "ops", "/admin/accounts/company/")["Location"] == "/admin/accounts/company/"
    client.post("/accounts/logout/")
    assert _sign_in(client, "ops", "//evil.example/admin/")["Location"] == "/admin/"


def test_staff_with_a_second_factor_land_on_the_admin_after_the_code(client):
    user = staff_member(email="ops@serverstock.test", username="ops", mfa=False)
    secret = enable_mfa(user)
    assert "/accounts/2fa/authenticate/" in _sign_in(client, "ops")["Location"]
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
