"""django-allauth adapter: nobody signs up on their own; customers are invited, staff created by staff."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False
