"""One factory per customer-visible model, keyed by model: the generic suites use them.

``OBJECT_FACTORIES[Model](company)`` returns a saved instance that belongs to ``company``. Every declared
model with a tenancy path must have one (tests/core/test_registry.py checks), so a new model is covered by the
API tenancy, admin and import suites the moment it is declared.
"""

from accounts.models import Membership
from tests.accounts.factories import CompanyFactory, MembershipFactory
from tests.testapp.models import Widget

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
