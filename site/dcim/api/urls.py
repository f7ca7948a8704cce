"""``/api/dcim/``: what the generated viewsets cannot say (the generated routes follow in core's router)."""

from django.urls import path

from dcim.api.views import ServerStockView

urlpatterns = [path("stock/", ServerStockView.as_view(), name="dcim-stock")]
