"""Staff two-factor enforcement: staff areas need a session that completed the second factor."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.mfa import NEEDS_SETUP, staff_mfa_refusal

# Where staff work (the portal too: staff acting for a company may reveal its secrets); the sign-in and MFA
# set-up pages under /accounts/ stay open so that staff can set MFA up.
STAFF_AREAS = ("/admin/", "/cms/", "/noc/", "/api/", "/portal/")


class StaffMFAMiddleware:
    """Staff reach the staff areas only from a session that passed MFA.

    Without a second factor they are sent to set one up; with one, but from a session that never gave a code
    (a sign-in path other than allauth's), they are asked for a code (allauth's re-authentication) first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not request.path.startswith(STAFF_AREAS) or not settings.SERVERSTOCK_REQUIRE_STAFF_MFA:
            return self.get_response(request)
        refusal = staff_mfa_refusal(user, getattr(request, "session", None))
        if refusal is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if refusal == NEEDS_SETUP:
                detail = _("Staff must set up two-factor authentication before using the API.")
            else:
                detail = _("This session has not given a two-factor code: sign in again through /accounts/login/.")
            return JsonResponse({"detail": detail}, status=403)
        if refusal == NEEDS_SETUP:
            messages.warning(request, _("Set up two-factor authentication to continue to the staff pages."))
            return redirect("mfa_activate_totp")
        messages.warning(request, _("Give your two-factor code to continue to the staff pages."))
        target = request.get_full_path() if request.method == "GET" else "/admin/"
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({REDIRECT_FIELD_NAME: target})}")
