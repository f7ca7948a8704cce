"""WebSocket routes of the remote app (collected by serverstock.routing under /ws/)."""

from django.urls import path

from remote.consumers import ConsoleConsumer

websocket_urlpatterns = [path("ws/remote/console/<int:device_id>/", ConsoleConsumer.as_asgi())]
