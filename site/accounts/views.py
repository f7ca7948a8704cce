"""Sign-in paths that libraries mount (Wagtail's editor and front-end logins) lead to allauth's sign-in."""

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt


def allauth_sign_in(request, default_next: str = "/"):
    """Any method: redirect to allauth's sign-in (rate limited, with its MFA stage), keeping a safe ``next``.

    Never authenticates anything itself, so a password posted here is simply dropped.
    """
    target = request.GET.get(REDIRECT_FIELD_NAME) or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = default_next
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


# Posting here must not need a CSRF token only to be redirected: nothing is changed.
allauth_sign_in = never_cache(csrf_exempt(allauth_sign_in))
