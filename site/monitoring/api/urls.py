"""``/api/monitoring/``: the collector channel (what the generated viewsets cannot say)."""

from django.urls import path

from monitoring.api.checks import CheckResultsView, CheckTargetsView
from monitoring.api.views import IngestView, TargetsView

urlpatterns = [
    path("collector/targets/", TargetsView.as_view(), name="monitoring-collector-targets"),
    path("collector/ingest/", IngestView.as_view(), name="monitoring-collector-ingest"),
    path("collector/checks/", CheckTargetsView.as_view(), name="monitoring-collector-checks"),
    path("collector/check-results/", CheckResultsView.as_view(), name="monitoring-collector-check-results"),
]
