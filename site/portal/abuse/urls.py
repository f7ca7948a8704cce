"""Abuse reports the customer sees, acknowledges and answers (included under /portal/abuse/)."""

from django.urls import path

from portal.abuse import views

urlpatterns = [
    path("<int:pk>/", views.abuse_report, name="abuse_report"),
    path("<int:pk>/acknowledge/", views.abuse_acknowledge, name="abuse_acknowledge"),
    path("<int:pk>/answer/", views.abuse_answer, name="abuse_answer"),
]
