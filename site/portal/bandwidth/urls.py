"""Customer bandwidth graphs of their monitored interfaces (included under /portal/bandwidth/).

No ``app_name``: the names live in the portal's namespace (``portal:bandwidth``, ``portal:bandwidth_interface``).
"""

from django.urls import path

from portal.bandwidth import views

urlpatterns = [
    path("", views.bandwidth, name="bandwidth"),
    path("interfaces/<int:pk>/", views.interface_detail, name="bandwidth_interface"),
]
