"""Staff access needs a session that passed MFA, whatever sign-in form made it; sockets follow the session."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.test import Client, override_settings

from accounts.choices import StaffRole
from accounts.models import Membership
from serverstock.asgi import application
from tests.accounts.factories import PASSWORD, enable_mfa, sign_in, staff_member
from tests.accounts.test_sign_in import totp_code

pytestmark = pytest.mark.django_db

STAFF_PAGES = ("/admin/", "/admin/accounts/company/", "/cms/", "/noc/", "/api/accounts/companies/")


def _password_only_session(user) -> Client:
    """A session signed in by Django's ``login()`` alone, as Wagtail's or Django's own login views would make."""
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/cms/login/", "/_util/login/", "/admin/login/"])
def test_library_sign_in_forms_lead_to_allauth_and_sign_nobody_in(path):
    user = staff_member(roles=[StaffRole.ADMINISTRATOR], email="ed@serverstock.test", username="ed")
    client = Client(enforce_csrf_checks=True)
    response = client.get(f"{path}?next=/cms/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    for login in (user.email, "ed"):
        response = client.post(path, {"username": login, "password": PASSWORD, "login": login})
        # Redirected without looking at the password (the admin's view refuses a post without CSRF first).
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    for page in STAFF_PAGES:
        assert client.get(page).status_code in (302, 401, 403), page


def test_an_offsite_next_is_dropped():
    response = Client().get("/cms/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fcms%2F"


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_a_password_only_session_of_staff_with_totp_reaches_no_staff_page():
    user = staff_member(superuser=True, email="root2@serverstock.test")
    client = _password_only_session(user)
    for page in (*STAFF_PAGES, "/portal/"):
        response = client.get(page)
        if page.startswith("/api/"):
            assert response.status_code == 403, page
            assert b"two-factor" in response.content
        else:
            assert response.status_code == 302, page
            assert response["Location"].startswith("/accounts/2fa/reauthenticate/"), page


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_giving_the_code_in_the_session_opens_the_staff_pages(client):
    user = staff_member(superuser=True, email="root3@serverstock.test", mfa=False)
    secret = enable_mfa(user)
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/2fa/reauthenticate/?next=/admin/", {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_setting_totp_up_in_the_session_counts_as_its_second_factor():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.signals import totp_activated

    user = staff_member(superuser=True, email="fresh@serverstock.test", mfa=False)
    client = _password_only_session(user)
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    # What allauth's activate view does once the code is right: activate, then send authenticator_added.
    request = type("R", (), {"user": user, "session": client.session})()
    authenticator = TOTP.activate(user, generate_totp_secret()).instance
    totp_activated(sender=None, request=request, user=user, authenticator=authenticator)
    request.session.save()
    assert client.get("/admin/").status_code == 200


def test_allauth_sign_in_with_the_code_reaches_the_staff_pages(client):
    user = staff_member(superuser=True, email="ops2@serverstock.test", mfa=False)
    secret = enable_mfa(user)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    for page in STAFF_PAGES:
        assert client.get(page).status_code == 200, page


async def _connect(client: Client, path: str = "/ws/ping/"):
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    cookie = client.cookies.get("sessionid")
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie.value}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def _closed_with(communicator, timeout: float = 5) -> int | None:
    """The close code the server sent (messages sent before it, such as the greeting, are skipped)."""
    while True:
        output = await communicator.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return output.get("code")
        assert output["type"] == "websocket.send", output


@pytest.mark.django_db(transaction=True)
@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_a_password_only_session_opens_no_staff_socket():
    user = staff_member(superuser=True, email="wsroot@serverstock.test")
    password_only, with_code = _password_only_session(user), sign_in(Client(), user)

    async def scenario():
        for path in ("/ws/ping/", "/ws/noc/"):
            _communicator, connected, code = await _connect(password_only, path)
            assert not connected and code == 4403, path
            communicator, connected, _code = await _connect(with_code, path)
            assert connected, path
            await communicator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_signing_out_closes_the_sessions_sockets_at_once():
    user = staff_member(superuser=True, email="out@serverstock.test")
    client = sign_in(Client(), user)
    other_session = sign_in(Client(), user)

    async def scenario():
        communicator, connected, _code = await _connect(client, "/ws/noc/")
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
        other, connected, _code = await _connect(other_session)
        assert connected
        await database_sync_to_async(client.post)("/accounts/logout/")
        assert await _closed_with(communicator) == 4401
        # The other session of the same user stays open.
        await other.send_json_to({"type": "ping"})
        assert (await other.receive_json_from(timeout=5))["type"] == "pong"
        await other.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_losing_the_staff_role_or_a_membership_closes_sockets(acme):
    noc = staff_member(roles=[StaffRole.NOC], email="noc2@serverstock.test")
    staff_client = sign_in(Client(), noc)
    from tests.accounts.factories import MembershipFactory, UserFactory

    customer = MembershipFactory(company=acme, user=UserFactory(email="carol@acme.test")).user
    customer_client = sign_in(Client(), customer)

    async def scenario():
        board, connected, _code = await _connect(staff_client, "/ws/noc/")
        assert connected
        events, connected, _code = await _connect(customer_client, "/ws/monitoring/events/")
        assert connected

        def demote():
            noc.groups.remove(Group.objects.get(name=StaffRole.NOC))

        await database_sync_to_async(demote)()
        assert await _closed_with(board) == 4403

        def remove_membership():
            Membership.objects.filter(user=customer).delete()

        await database_sync_to_async(remove_membership)()
        assert await _closed_with(events) == 4403

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True, SERVERSTOCK_WEBSOCKET_RECHECK_SECONDS=0.2)
def test_sockets_recheck_on_their_own_and_on_each_message():
    user = staff_member(superuser=True, email="quiet@serverstock.test")
    client = sign_in(Client(), user)

    async def scenario():
        communicator, connected, _code = await _connect(client)
        assert connected
        await communicator.send_json_to({"type": "ping"})
        assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"

        # A change no signal reports (the session deleted from the session store, as another process ending it
        # would, with no sign-out signal) is found by the timer.
        def drop_session():
            from importlib import import_module

            from django.conf import settings

            store = import_module(settings.SESSION_ENGINE).SessionStore
            store(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()

        await database_sync_to_async(drop_session)()
        assert await _closed_with(communicator, timeout=5) == 4401

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True, SERVERSTOCK_WEBSOCKET_RECHECK_SECONDS=3600)
def test_a_message_is_refused_once_the_user_is_deactivated():
    user = staff_member(superuser=True, email="deact@serverstock.test")
    client = sign_in(Client(), user)

    async def scenario():
        communicator, connected, _code = await _connect(client)
        assert connected

        def deactivate():
            # update() sends no signal: only the per-message check can notice.
            type(user).objects.filter(pk=user.pk).update(is_active=False)

        await database_sync_to_async(deactivate)()
        await communicator.send_json_to({"type": "ping"})
        assert await _closed_with(communicator) == 4401
        await asyncio.sleep(0)

    async_to_sync(scenario)()
