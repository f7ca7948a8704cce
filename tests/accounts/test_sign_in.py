"""Sign-in through allauth: e-mail or staff handle, rate limiting, staff MFA before admin, API and sockets."""

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.services import api_token_create
from serverstock.asgi import application
from tests.accounts.factories import PASSWORD, enable_mfa, sign_in, staff_member

pytestmark = pytest.mark.django_db


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_customer_signs_in_by_email(client, alice):
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200


def test_staff_signs_in_by_handle_and_then_gives_a_totp_code(client):
    user = staff_member(email="ops@serverstock.test", username="ops", mfa=False)
    secret = enable_mfa(user)
    response = client.post("/accounts/login/", {"login": "ops", "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert client.get("/admin/").status_code == 302  # not signed in until the code is given
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_code_does_not_sign_in(client):
    user = staff_member(email="ops@serverstock.test", mfa=False)
    enable_mfa(user)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_failed_sign_ins_are_rate_limited(alice):
    client = Client()
    for _ in range(6):
        response = client.post("/accounts/login/", {"login": alice.email, "password": "wrong"})
        assert response.status_code == 200
    # Even the right password is refused while the limit holds, with a message that says why.
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert client.get("/portal/").status_code == 302


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/accounts/company/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_staff_without_mfa_are_sent_to_set_it_up(client_for):
    user = staff_member(roles=["Administrator"], email="new@serverstock.test", mfa=False)
    client = client_for(user)
    for path in ("/admin/", "/cms/", "/admin/accounts/company/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/", path
    assert client.get("/api/accounts/companies/").status_code == 403
    # The set-up page stays reachable (allauth asks for the password again after a forced login).
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200 or response["Location"].startswith("/accounts/reauthenticate/")
    enable_mfa(user)
    assert client_for(user).get("/admin/").status_code == 200


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_staff_token_without_mfa_is_refused(superuser):
    user = staff_member(superuser=True, email="nomfa@serverstock.test", mfa=False)
    _token, plain = api_token_create(user=user, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert client.get("/api/accounts/companies/").status_code == 401
    _token, plain = api_token_create(user=superuser, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert client.get("/api/accounts/companies/").status_code == 200


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=False)
def test_the_local_demo_may_skip_mfa(client_for):
    user = staff_member(roles=["Administrator"], email="demo@serverstock.test", mfa=False)
    assert client_for(user).get("/admin/").status_code == 200


def test_customers_do_not_need_mfa(client_for, alice):
    assert client_for(alice).get("/portal/").status_code == 200


async def _connect(client: Client, origin: bytes = b"http://127.0.0.1"):
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    cookie = client.cookies.get("sessionid")
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie.value}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.mark.django_db(transaction=True)
@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_websockets_need_a_session_an_allowed_origin_and_staff_mfa():
    def signed_in(mfa: bool) -> Client:
        user = staff_member(email=f"ws-{mfa}@serverstock.test", mfa=mfa)
        return sign_in(Client(), user)

    anonymous, with_mfa, without_mfa = Client(), signed_in(mfa=True), signed_in(mfa=False)

    async def scenario():
        _communicator, connected, code = await _connect(anonymous)
        assert not connected and code == 4401

        _communicator, connected, _code = await _connect(with_mfa, origin=b"http://evil.example")
        assert not connected

        _communicator, connected, code = await _connect(without_mfa)
        assert not connected and code == 4403

        communicator, connected, _code = await _connect(with_mfa)
        assert connected
        await communicator.send_json_to({"type": "ping"})
        reply = await communicator.receive_json_from(timeout=5)
        assert reply["type"] == "pong"
        await communicator.disconnect()

    async_to_sync(scenario)()
