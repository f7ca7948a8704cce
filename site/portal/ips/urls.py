from django.urls import path

from portal.ips import views

# No app_name: these names live in the "portal" namespace (portal:ips, portal:ip_block_detail).
urlpatterns = [
    path("", views.ips, name="ips"),
    path("blocks/<int:pk>/", views.ip_block_detail, name="ip_block_detail"),
]
