"""WebSocket routes under ``/ws/``, collected from each installed app's ``routing.websocket_urlpatterns``."""

from django.apps import apps
from django.urls import path
from django.utils.module_loading import import_string

from core.consumers import PingConsumer

websocket_urlpatterns = [path("ws/ping/", PingConsumer.as_asgi())]
for config in apps.get_app_configs():
    if config.name == "core":
        continue
    try:
        websocket_urlpatterns += import_string(f"{config.name}.routing.websocket_urlpatterns")
    except ImportError:
        continue
