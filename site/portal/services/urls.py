"""Portal service URLs; included from ``portal/urls.py`` without an app_name, so the names live in "portal"."""

from django.urls import path

from portal.services import views

urlpatterns = [
    path("", views.service_list, name="services"),
    path("<int:pk>/", views.service_detail, name="service_detail"),
    path("<int:pk>/upgrade/", views.service_upgrade, name="service_upgrade"),
    path(
        "<int:pk>/withdraw-cancellation/",
        views.service_withdraw_cancellation,
        name="service_withdraw_cancellation",
    ),
    path("order/", views.service_order, name="service_order"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("ips/", views.ip_request, name="service_ip_request"),
    path("managed/", views.managed_service_request, name="service_managed_request"),
    path("cancel/", views.service_cancel, name="service_cancel"),
    path("cancel/confirm/<str:token>/", views.service_cancel_confirm, name="service_cancel_confirm"),
]
