"""Customer service monitoring (included under /portal/monitoring/; names in the portal's namespace)."""

from django.urls import path

from portal.monitoring import views

urlpatterns = [
    path("", views.monitoring, name="monitoring"),
    path("checks/add/", views.check_add, name="monitoring_check_add"),
    path("checks/<int:pk>/", views.check_detail, name="monitoring_check"),
    path("checks/<int:pk>/edit/", views.check_edit, name="monitoring_check_edit"),
    path("checks/<int:pk>/pause/", views.check_pause, name="monitoring_check_pause"),
    path("checks/<int:pk>/delete/", views.check_delete, name="monitoring_check_delete"),
    path("contacts/add/", views.contact_add, name="monitoring_contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="monitoring_contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="monitoring_contact_delete"),
]
