"""The REST API: one route per declared model, plus what the specs cannot say (apps' ``api/urls.py``)."""

from django.urls import include, path
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

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # ReDoc's page starts it with an inline script that cannot carry a nonce: that page alone allows it.
    path("redoc/", csp_override(redoc_policy())(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("accounts/", include("accounts.api.urls")),
    path("monitoring/", include("monitoring.api.urls")),
    path("ipam/", include("ipam.api.urls")),
    path("dcim/", include("dcim.api.urls")),
    path("", include(router.urls)),
]
