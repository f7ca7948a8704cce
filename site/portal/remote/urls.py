"""Power, console and BMC sensors of a customer's server (included under /portal/network/, beside its page)."""

from django.urls import path

from portal.remote import views

urlpatterns = [
    path("devices/<int:pk>/power/", views.power, name="server_power"),
    path("devices/<int:pk>/power/jobs/<int:job_pk>/", views.power_job, name="server_power_job"),
    path("devices/<int:pk>/console/", views.console, name="server_console"),
    path("devices/<int:pk>/sensors/<str:sensor>.svg", views.sensor_graph, name="server_sensor_graph"),
]
