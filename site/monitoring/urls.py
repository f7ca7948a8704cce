"""``/noc/``: the NOC board and interface graphs."""

from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.noc_board, name="noc"),
    path("graphs/interface/<int:pk>/<str:period>.<str:fmt>", views.interface_graph, name="interface_graph"),
]
