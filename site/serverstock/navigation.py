"""The admin sidebar, assembled from each installed app's ``navigation.SIDEBAR``, and the dashboard."""

from importlib import import_module

from django.apps import apps
from django.urls import reverse_lazy
from django.utils.module_loading import import_string, module_has_submodule
from django.utils.translation import gettext_lazy as _


def _app_groups() -> list[dict]:
    """Each app's ``navigation.SIDEBAR``. An app without one has no group; a navigation module that fails to
    import fails loudly instead of silently dropping the app's menu."""
    modules = [
        import_module(f"{config.name}.navigation")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "navigation")
    ]
    return [module.SIDEBAR for module in modules if hasattr(module, "SIDEBAR")]


def sidebar(request) -> list[dict]:
    """Unfold's ``SIDEBAR.navigation`` callback."""
    overview = {
        "title": _("Overview"),
        "items": [
            {"title": _("Dashboard"), "icon": "dashboard", "link": reverse_lazy("admin:index")},
            {
                "title": _("Website editor"),
                "icon": "web",
                "link": "/cms/",
                "permission": lambda request: request.user.has_perm("wagtailadmin.access_admin"),
            },
            {
                "title": _("Background tasks"),
                "icon": "schedule",
                "link": reverse_lazy("admin:django_q_success_changelist"),
                "permission": lambda request: request.user.has_perm("django_q.view_success"),
            },
        ],
    }
    return [overview, *_app_groups()]


def dashboard_callback(request, context: dict) -> dict:
    """Figures for the admin dashboard; each app adds its own as it lands (``<app>.selectors.dashboard_cards``)."""
    cards = []
    for config in apps.get_app_configs():
        try:
            provider = import_string(f"{config.name}.selectors.dashboard_cards")
        except ImportError:
            continue
        cards.extend(provider(request))
    context["dashboard_cards"] = cards
    return context
