"""One factory per declared model, keyed by model: the generic suites use them. Factories build through the
app's services, the way users make data.

Each app's ``tests/<app>/factories.py`` registers its own with ``@register_factory(Model)``; they are all
imported at the bottom of this module.

``OBJECT_FACTORIES[Model](company)`` returns a saved instance that belongs to ``company``. Every declared
model with a tenancy path must have one (tests/core/test_registry.py checks), so a new model is covered by the
API tenancy, admin and import suites the moment it is declared.
"""

import itertools

from accounts import services as account_services
from accounts.choices import CompanyRole
from accounts.models import ApiToken, Invitation, Membership, User
from tests.accounts.factories import CompanyFactory, MembershipFactory
from tests.testapp.models import Widget

_numbers = itertools.count(1)

OBJECT_FACTORIES = {
    CompanyFactory._meta.model: lambda company: company,
    Membership: lambda company: MembershipFactory(company=company),
    Widget: lambda company: Widget.objects.create(company=company, name="widget", secret="hunter2"),
}


def register_factory(model):
    """Decorator for later apps: ``@register_factory(Rack)`` on a function ``(company) -> Rack``."""

    def decorate(function):
        OBJECT_FACTORIES[model] = function
        return function

    return decorate


@register_factory(User)
def user_for(company) -> User:
    return account_services.user_create(email=f"person{next(_numbers)}@example.test", full_name="A Person")


@register_factory(ApiToken)
def api_token_for(company) -> ApiToken:
    return account_services.api_token_create(user=user_for(company), name="script")[0]


@register_factory(Invitation)
def invitation_for(company) -> Invitation:
    return account_services.invitation_create(
        company=company, email=f"invitee{next(_numbers)}@example.test", role=CompanyRole.TECHNICAL, actor=None
    )


# Portal URL name (without "portal:") -> function (other_company, its_owner) -> URL args naming an object of
# that other company. Every portal URL with arguments must be listed (tests/portal/test_urls.py checks) so the
# suite can prove that a customer of Acme gets 404 for it.
FOREIGN_PORTAL_OBJECTS = {}


def register_foreign_portal_object(*url_names):
    """Decorator for later apps: ``@register_foreign_portal_object("server_detail")`` on ``(company, owner)``."""

    def decorate(function):
        for name in url_names:
            FOREIGN_PORTAL_OBJECTS[name] = function
        return function

    return decorate


def _import_app_factories() -> None:
    import importlib
    import pkgutil
    from pathlib import Path

    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.ispkg and (Path(__file__).parent / module.name / "factories.py").exists():
            importlib.import_module(f"tests.{module.name}.factories")


_import_app_factories()
