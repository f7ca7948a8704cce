"""``/api/remote/``: power requests and the IPMI collector's channel (the generated routes follow in core's router)."""

from django.urls import path

from remote.api.views import BmcEventsView, BmcTargetsView, PowerRequestView

urlpatterns = [
    path("servers/<int:pk>/power/", PowerRequestView.as_view(), name="remote-server-power"),
    path("collector/targets/", BmcTargetsView.as_view(), name="remote-collector-targets"),
    path("collector/events/", BmcEventsView.as_view(), name="remote-collector-events"),
]
