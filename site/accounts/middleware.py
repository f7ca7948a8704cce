"""Staff two-factor enforcement."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.mfa import user_has_mfa

# Where staff work; the sign-in, MFA set-up and portal pages stay open so that staff can set MFA up.
STAFF_AREAS = ("/admin/", "/cms/", "/noc/", "/api/")


class StaffMFAMiddleware:
    """Staff without a second factor are sent to set one up before any admin page or session API call."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.SERVERSTOCK_REQUIRE_STAFF_MFA
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(STAFF_AREAS)
            and not user_has_mfa(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Staff must set up two-factor authentication before using the API.")}, status=403
                )
            messages.warning(request, _("Set up two-factor authentication to continue to the staff pages."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
