"""Re-authentication before a destructive remote action: the password, plus the TOTP code where one is set.

Recorded the way django-allauth records its own re-authentication (``record_authentication(...,
reauthenticated=True)``), so allauth's ``did_recently_reauthenticate`` and its timeout
(``ACCOUNT_REAUTHENTICATION_TIMEOUT``, 5 minutes) apply to both; the console consumer reads the same record
from the WebSocket's session.
"""

from __future__ import annotations

from types import SimpleNamespace

from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def needs_code(user) -> bool:
    """Whether ``user`` has TOTP set up (then re-authentication asks for a code as well)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def verify_identity(*, user, password: str, code: str = "") -> None:
    """Check the password and, where set, the TOTP code; ValidationError with a message for the form."""
    errors = {}
    if not password or not user.check_password(password):
        errors["password"] = _("That is not your password.")
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        if not code.strip():
            errors["code"] = _("Enter the 6-digit code from your authenticator app.")
        elif not TOTP(authenticator).validate_code(code.strip().replace(" ", "")):
            errors["code"] = _("That code is not valid (or was used already); wait for the next one.")
    if errors:
        raise ValidationError(errors)


def reauthenticate(request, *, password: str, code: str = "") -> None:
    """Verify the user's identity and remember it in the session (for the re-authentication timeout)."""
    verify_identity(user=request.user, password=password, code=code)
    record_authentication(request, request.user, method="password", reauthenticated=True)


def recently_reauthenticated(*, user, session) -> bool:
    """Whether ``session`` holds a re-authentication of ``user`` within allauth's timeout (HTTP or WebSocket)."""
    if session is None or not getattr(user, "is_authenticated", False):
        return False
    return did_recently_reauthenticate(SimpleNamespace(session=session, user=user))
