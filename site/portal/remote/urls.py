"""Power, console and BMC sensors of a customer's server (under /portal/network/devices/<pk>/)."""

from django.urls import path

from portal.remote import views

urlpatterns = [
    path("power/", views.power, name="server_power"),
    path("power/jobs/<int:job_pk>/", views.power_job, name="server_power_job"),
    path("console/", views.console, name="server_console"),
    path("sensors/<str:sensor>.svg", views.sensor_graph, name="server_sensor_graph"),
]
