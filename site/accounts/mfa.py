"""Two-factor state of a user and of a session, as django-allauth's MFA records them.

Having a TOTP device is not enough for staff access: the *session* must have completed the second factor.
allauth keeps a log of the authentication steps of the current session (``account_authentication_methods``,
see ``allauth.account.authentication``); a step with ``"method": "mfa"`` is written when a code was given at
sign-in or at re-authentication. A session made by any other sign-in path (Django's or Wagtail's login
views, ``login()`` called by a library) has no such step, so it reaches no staff area.
"""

from __future__ import annotations

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.conf import settings

# allauth's companion key: whose steps the log holds (the log is ignored when it names another user).
_RECORDS_USER_KEY = "account_authentication_methods_user"

# Why a staff user is refused: no second factor at all (set one up), or this session did not pass it.
NEEDS_SETUP = "setup"
NEEDS_CODE = "code"


def user_has_mfa(user) -> bool:
    """Whether ``user`` has an active second factor (TOTP)."""
    cached = getattr(user, "_has_mfa", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_mfa = cached
    return cached


def session_authentication_records(session, user) -> list[dict]:
    """The authentication steps ``session`` completed for ``user`` (allauth's log; [] for another user)."""
    if session is None or user is None or user.pk is None:
        return []
    if session.get(_RECORDS_USER_KEY) != str(user.pk):
        return []
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    return records if isinstance(records, list) else []


def session_passed_mfa(session, user) -> bool:
    """Whether this session gave a second factor for ``user`` (at sign-in, re-authentication or set-up)."""
    return any(
        isinstance(record, dict) and record.get("method") == "mfa"
        for record in session_authentication_records(session, user)
    )


def staff_mfa_refusal(user, session) -> str | None:
    """Why ``user`` in ``session`` may not use staff areas: NEEDS_SETUP, NEEDS_CODE, or None when allowed.

    Only staff are concerned, and only when ``SERVERSTOCK_REQUIRE_STAFF_MFA`` is on. A session that carries
    no session at all (an API token) is judged by the device alone: the token was made in a signed-in session.
    """
    if not settings.SERVERSTOCK_REQUIRE_STAFF_MFA or user is None or not user.is_authenticated or not user.is_staff:
        return None
    if not user_has_mfa(user):
        return NEEDS_SETUP
    if session is not None and not session_passed_mfa(session, user):
        return NEEDS_CODE
    return None


def record_mfa_setup(*, request, user, authenticator) -> None:
    """Count a TOTP set-up as this session's second factor: the user has just given a valid code for it."""
    from allauth.account.internal.flows.login import record_authentication

    if request is None or getattr(request, "user", None) is None or request.user.pk != user.pk:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)


def mark_session_mfa_passed(session, user) -> None:
    """Write the steps allauth records for a password + TOTP sign-in into ``session`` (tests, tooling)."""
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.get_username()},
        {"method": "mfa", "at": now, "type": Authenticator.Type.TOTP},
    ]
    session[_RECORDS_USER_KEY] = str(user.pk)
