from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api.views import ApiTokenViewSet, MeView

router = SimpleRouter()
router.register("tokens", ApiTokenViewSet, basename="accounts-token")

urlpatterns = [path("me/", MeView.as_view(), name="accounts-me"), *router.urls]
