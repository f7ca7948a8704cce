"""django-allauth adapter: nobody signs up on their own; customers are invited, staff created by staff."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_redirect_url(self, request) -> str:
        """Where a sign-in lands when no safe ``next`` was given (allauth checks and prefers ``next``):
        staff on the admin, customers on their portal (``LOGIN_REDIRECT_URL``)."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)
