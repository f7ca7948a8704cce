"""``/noc/``: the NOC board, its refill and acknowledge endpoints, interface and check graphs."""

from django.urls import path

from monitoring import noc_views, views

app_name = "monitoring"
urlpatterns = [
    path("", noc_views.noc_board, name="noc"),
    path("state.json", noc_views.noc_state, name="noc_state"),
    path("incidents/<int:pk>/acknowledge/", noc_views.incident_acknowledge, name="incident_acknowledge"),
    path("graphs/interface/<int:pk>/<str:period>.<str:fmt>", views.interface_graph, name="interface_graph"),
    path("graphs/check/<int:pk>/<str:period>.<str:fmt>", noc_views.check_graph, name="check_graph"),
    path("graphs/service/<int:pk>/<str:period>.<str:fmt>", views.service_graph, name="service_graph"),
    path("bandwidth/<str:kind>/<int:pk>/", views.staff_bandwidth, name="staff_bandwidth"),
    path("bandwidth/reports/<str:period>.csv", views.bandwidth_report_csv, name="bandwidth_report_csv"),
]
