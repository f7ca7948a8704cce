"""Every sign-in form the URLconf exposes, found by walking it: a password alone never reaches a staff page, the
API or a socket when the user has MFA, and every form that takes a password is rate limited.

The walk GETs every URL pattern without parameters, anonymously. A page with a password input is a sign-in
form; a page that redirects to allauth's sign-in is a sign-in path that leads there. Each is then posted a staff
member's correct password (after the wrong one, for the rate limit) under every name a login field goes by.
"""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.choices import StaffRole
from serverstock.asgi import application
from tests.accounts.factories import PASSWORD, staff_member
from tests.security import REPORT
from tests.security.forms import forms_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STAFF_TARGETS = ("/admin/", "/admin/dcim/device/", "/cms/", "/noc/", "/api/accounts/companies/", "/portal/")
LOGIN_FIELD_NAMES = ("login", "username", "email")
# Failed attempts beyond allauth's limits (10/min per address, 5 per 5 min per account).
WRONG_ATTEMPTS = 11


def _plain_paths(patterns=None, prefix: str = "") -> list[str]:
    """Paths of every pattern without parameters (``path()`` routes and parameterless regexes)."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if "<" in route or "(" in route:
            continue
        route = route.lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            found += _plain_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return sorted(set(found))


def _sign_in_paths() -> dict[str, str]:
    """path -> "form" (it shows a password input) or "redirect" (it sends to allauth's sign-in)."""
    login_url = reverse("account_login")
    client = Client()
    found = {}
    for path in _plain_paths():
        if path.startswith(("/static/", "/media/", "/ws/")):
            continue
        response = client.get(path)
        REPORT["sign_in_walk_requests"] += 1
        if response.status_code in (301, 302) and response["Location"].startswith(login_url):
            if "login" in path:
                found[path] = "redirect"
            continue
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            if any(form.has_password for form in forms_of(response.content.decode(errors="replace"))):
                found[path] = "form"
    return found


def _reaches_staff_areas(client: Client) -> list[str]:
    reached = []
    for target in STAFF_TARGETS:
        response = client.get(target)
        REPORT["sign_in_walk_requests"] += 1
        if response.status_code == 200:
            reached.append(target)
    return reached


def _socket_opens(client: Client) -> bool:
    async def attempt():
        headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
        cookie = client.cookies.get("sessionid")
        if cookie:
            headers.append((b"cookie", f"sessionid={cookie.value}".encode()))
        communicator = WebsocketCommunicator(application, "/ws/noc/", headers=headers)
        connected, _code = await communicator.connect()
        if connected:
            await communicator.disconnect()
        return connected

    return async_to_sync(attempt)()


def _post_credentials(client: Client, path: str, password: str, login: str):
    """Fill the form at ``path`` as a person would (every login-ish field gets ``login``) and post it."""
    data = {name: login for name in LOGIN_FIELD_NAMES}
    data["password"] = password
    page = client.get(path)
    for form in forms_of(page.content.decode(errors="replace")) if page.status_code == 200 else []:
        if form.has_password:
            data = form.data()
            for field in form.fields:
                if field.kind == "password":
                    data[field.name] = password
                elif field.name in LOGIN_FIELD_NAMES or field.kind == "email":
                    data[field.name] = login
            break
    REPORT["sign_in_posts"] += 1
    return client.post(path, data, follow=True)


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_every_sign_in_path_is_found_and_leads_through_allauth():
    paths = _sign_in_paths()
    REPORT["sign_in_paths"] += len(paths)
    # The walk finds the sign-in forms that exist today (a new library's login would show up here).
    assert paths.get("/accounts/login/") == "form"
    assert {"/cms/login/", "/admin/login/", "/_util/login/"} <= set(paths)
    for path, kind in paths.items():
        if path != reverse("account_login"):
            assert kind == "redirect", f"{path} shows a password form of its own: send it to allauth's sign-in"


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_a_password_alone_reaches_nothing_of_staff_with_mfa_through_any_sign_in_path():
    user = staff_member(roles=[StaffRole.ADMINISTRATOR], email="walker@serverstock.test", username="walker")
    user.is_superuser = True
    user.save()
    paths = _sign_in_paths()
    for path in paths:
        for login in (user.email, "walker"):
            client = Client()
            _post_credentials(client, path, PASSWORD, login)
            assert _reaches_staff_areas(client) == [], (path, login)
            assert not _socket_opens(client), (path, login)


@override_settings(SERVERSTOCK_REQUIRE_STAFF_MFA=True)
def test_every_sign_in_path_is_rate_limited():
    from django.core.cache import cache

    user = staff_member(roles=[StaffRole.ADMINISTRATOR], email="limited@serverstock.test", mfa=False)
    for path, kind in _sign_in_paths().items():
        cache.clear()
        client = Client()
        for _attempt in range(WRONG_ATTEMPTS):
            _post_credentials(client, path, "wrong password", user.email)
        response = _post_credentials(client, path, PASSWORD, user.email)
        # Still refused with the right password while the limit holds: nothing signed in.
        assert "_auth_user_id" not in client.session, path
        if kind == "form":
            assert b"Too many failed login attempts" in response.content, path
