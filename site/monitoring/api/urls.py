"""``/api/monitoring/``: the collector channel (what the generated viewsets cannot say)."""

from django.urls import path

from monitoring.api.views import IngestView, TargetsView

urlpatterns = [
    path("collector/targets/", TargetsView.as_view(), name="monitoring-collector-targets"),
    path("collector/ingest/", IngestView.as_view(), name="monitoring-collector-ingest"),
]
