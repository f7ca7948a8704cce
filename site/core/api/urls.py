"""The REST API: one route per declared model, plus what the specs cannot say: every app's ``api/urls.py`` is
found and mounted under ``/api/<app label>/`` (core names no app)."""

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core.csp import redoc_policy
from core.registry import all_specs, resolved

router = DefaultRouter()
for spec in all_specs():
    if spec.api:
        opts = spec.model._meta
        router.register(
            spec.api_prefix,
            resolved(spec.model, "viewset"),
            basename=spec.api_basename or f"{opts.app_label}-{opts.model_name}",
        )


def app_api_urls() -> list:
    """``/api/<label>/`` for every domain app (one with a ``specs.py``) that has an ``api/urls.py`` module."""
    found = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "specs") or config.name == "core":
            continue
        if module_has_submodule(config.module, "api"):
            package = __import__(f"{config.name}.api", fromlist=["urls"])
            if module_has_submodule(package, "urls"):
                found.append(path(f"{config.label}/", include(f"{config.name}.api.urls")))
    return found


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # ReDoc's page starts it with an inline script that cannot carry a nonce: that page alone allows it.
    path("redoc/", csp_override(redoc_policy())(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    *app_api_urls(),
    path("", include(router.urls)),
]
