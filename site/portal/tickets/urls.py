"""Portal ticket URLs; included from ``portal/urls.py`` so the names live in the "portal" namespace."""

from django.urls import path

from portal.tickets import views

urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_create, name="ticket_create"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("<int:pk>/close/", views.ticket_close, name="ticket_close"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.ticket_attachment, name="ticket_attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/preview/",
        views.ticket_attachment_preview,
        name="ticket_attachment_preview",
    ),
]
