"""WebSocket routes of the monitoring app (collected by serverstock.routing)."""

from django.urls import path

from monitoring.consumers import CompanyEventsConsumer, NocConsumer

websocket_urlpatterns = [
    path("ws/noc/", NocConsumer.as_asgi()),
    path("ws/monitoring/events/", CompanyEventsConsumer.as_asgi()),
]
