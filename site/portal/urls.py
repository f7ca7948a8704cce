from django.urls import include, path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("company/switch/", views.switch_company, name="switch_company"),
    path("account/", views.account, name="account"),
    path("account/tokens/", views.token_create, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/users/", views.company_users, name="company_users"),
    path("account/users/<int:pk>/role/", views.member_change_role, name="member_change_role"),
    path("account/users/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("account/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("tickets/", include("portal.tickets.urls")),
    path("services/", include("portal.services.urls")),
    path("ips/", include("portal.ips.urls")),
    path("billing/", include("portal.billing.urls")),
    path("network/", include("portal.network.urls")),
    path("network/", include("portal.remote.urls")),
    path("bandwidth/", include("portal.bandwidth.urls")),
    path("monitoring/", include("portal.monitoring.urls")),
    path("abuse/", include("portal.abuse.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
