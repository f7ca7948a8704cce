"""Two-factor state of a user, as django-allauth's MFA records it."""

from allauth.mfa.models import Authenticator


def user_has_mfa(user) -> bool:
    """Whether ``user`` has an active second factor (TOTP)."""
    cached = getattr(user, "_has_mfa", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_mfa = cached
    return cached
