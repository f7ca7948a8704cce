"""Authentication of collector daemons: ``Authorization: Bearer ssc_<prefix>_<secret>``.

Used only by the collector endpoints; user tokens are not accepted there and collector tokens are not
accepted anywhere else (the default authentication classes do not know them).
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from monitoring.models import CollectorToken
from monitoring.services import collector_token_authenticate


class CollectorTokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0].lower() not in ("bearer", "token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as 'Authorization: Bearer <token>'."))
        token = collector_token_authenticate(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("The collector token is unknown or revoked."))
        # The collector is no user: request.user stays anonymous (no permissions, no company, no history
        # author); IsCollector looks at request.auth.
        return AnonymousUser(), token

    def authenticate_header(self, request):
        return "Bearer"


class IsCollector(permissions.BasePermission):
    """Only requests authenticated with a collector token."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, CollectorToken)
