"""API authentication by personal token: ``Authorization: Bearer ss_<prefix>_<secret>`` (or ``Token``)."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.mfa import user_has_mfa
from accounts.services import api_token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as 'Authorization: Bearer <token>'."))
        user = api_token_authenticate(header[1])
        if user is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        if user.is_staff and settings.SERVERSTOCK_REQUIRE_STAFF_MFA and not user_has_mfa(user):
            raise exceptions.AuthenticationFailed(
                _("Staff must set up two-factor authentication before using the API.")
            )
        return user, None

    def authenticate_header(self, request):
        return "Bearer"
