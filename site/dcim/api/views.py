"""DCIM endpoints the generated viewsets cannot say: the stock of servers for sale."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dcim import selectors


class StockRowSerializer(serializers.Serializer):
    device_type = serializers.CharField(help_text="The hardware configuration's model name.")
    slug = serializers.SlugField()
    available = serializers.IntegerField(help_text="Servers of this configuration ready to rent.")
    hardware = serializers.CharField(help_text="CPU, RAM, disks and NICs in one line.")


class ServerStockView(APIView):
    """Servers available for sale per hardware configuration (``dcim.selectors.server_stock``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="dcim_stock_list",
        summary="Servers in stock",
        description=(
            "Datacenter-owned servers in inventory and assigned to no customer, counted per hardware "
            "configuration, most available first. Configurations with none in stock are left out. "
            "Any signed-in user or API token may read it."
        ),
        responses=StockRowSerializer(many=True),
        tags=["dcim"],
    )
    def get(self, request):
        return Response(StockRowSerializer(selectors.server_stock(), many=True).data)
