"""Customer bandwidth pages (included under /portal/bandwidth/).

No ``app_name``: the names live in the portal's namespace (``portal:bandwidth``, ``portal:bandwidth_interface``,
``portal:bandwidth_service``, ``portal:bandwidth_rates``).
"""

from django.urls import path

from portal.bandwidth import views

urlpatterns = [
    path("", views.bandwidth, name="bandwidth"),
    path("rates.json", views.bandwidth_rates, name="bandwidth_rates"),
    path("interfaces/<int:pk>/", views.interface_detail, name="bandwidth_interface"),
    path("services/<int:pk>/", views.service_detail, name="bandwidth_service"),
]
