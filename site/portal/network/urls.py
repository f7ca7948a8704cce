"""Customer views of their racks, devices, cross-connects and power (included under /portal/network/).

No ``app_name``: the names live in the portal's namespace (``portal:network``, ``portal:rack_detail``...).
"""

from django.urls import path

from portal.network import views

urlpatterns = [
    path("", views.network, name="network"),
    path("racks/<int:pk>/", views.rack_detail, name="rack_detail"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/reveal/", views.device_reveal, name="device_reveal"),
]
