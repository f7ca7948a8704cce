"""``/noc/``: the NOC board and interface graphs."""

from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.noc_board, name="noc"),
    path("graphs/interface/<int:pk>/<str:period>.<str:fmt>", views.interface_graph, name="interface_graph"),
    path("graphs/service/<int:pk>/<str:period>.<str:fmt>", views.service_graph, name="service_graph"),
    path("bandwidth/<str:kind>/<int:pk>/", views.staff_bandwidth, name="staff_bandwidth"),
    path("bandwidth/reports/<str:period>.csv", views.bandwidth_report_csv, name="bandwidth_report_csv"),
]
