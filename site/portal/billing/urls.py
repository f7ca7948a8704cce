"""Portal billing URLs; included from ``portal/urls.py`` so the names live in the "portal" namespace."""

from django.urls import path

from portal.billing import views

urlpatterns = [
    path("", views.overview, name="billing"),
    path("invoices/", views.invoice_list, name="billing_invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="billing_invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="billing_invoice_pdf"),
    path("payments/", views.payment_list, name="billing_payments"),
    path("profile/", views.profile, name="billing_profile"),
    path("card/", views.card, name="billing_card"),
]
