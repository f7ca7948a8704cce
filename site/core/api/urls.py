"""The REST API: one route per declared model, plus what the specs cannot say (apps' ``api/urls.py``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

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
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("accounts/", include("accounts.api.urls")),
    path("monitoring/", include("monitoring.api.urls")),
    path("ipam/", include("ipam.api.urls")),
    path("dcim/", include("dcim.api.urls")),
    path("remote/", include("remote.api.urls")),
    path("", include(router.urls)),
]
