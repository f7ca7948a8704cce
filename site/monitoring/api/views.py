"""The collector channel: targets per shard and ingest of batches."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.validation import object_id
from monitoring import selectors, services
from monitoring.authentication import CollectorTokenAuthentication, IsCollector


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` -> (I, N); raises ValidationError on nonsense."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError as error:
        raise serializers.ValidationError({"shard": _("Write the shard as I/N, e.g. 0/2.")}) from error
    if count < 1 or not 0 <= index < count:
        raise serializers.ValidationError({"shard": _("The shard I/N needs 0 <= I < N.")})
    return index, count


class CollectorView(APIView):
    authentication_classes = [CollectorTokenAuthentication]
    permission_classes = [IsCollector]


class IngestSerializer(serializers.Serializer):
    """A collector's batch: see collector/runner.py ``Collector.drain``."""

    events = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    rates = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    discovered = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    shard = serializers.CharField(required=False, allow_blank=True)
    sent_at = serializers.CharField(required=False, allow_blank=True)
    stats = serializers.DictField(required=False)

    def validate(self, attrs):
        for key in ("events", "rates", "discovered"):
            for item in attrs.get(key, []):
                if not isinstance(item, dict) or object_id(item.get("device")) is None:
                    raise serializers.ValidationError({key: _("Every item needs a numeric 'device' (a device id).")})
        return attrs


class TargetsView(CollectorView):
    """``GET ?shard=I/N``: the devices this collector polls, with decrypted SNMP settings."""

    @extend_schema(exclude=True)
    def get(self, request):
        index, count = parse_shard(request.query_params.get("shard", "0/1"))
        devices = selectors.collector_targets(shard_index=index, shard_count=count)
        return Response({"shard": f"{index}/{count}", "devices": devices})


class IngestView(CollectorView):
    """``POST``: state changes, latest rates and discovered interfaces."""

    @extend_schema(exclude=True)
    def post(self, request):
        serializer = IngestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.ingest_batch(batch=serializer.validated_data, token=request.auth)
        return Response(
            {
                "events": len(result.events),
                "rates": result.rates,
                "interfaces_created": result.interfaces_created,
                "ignored": result.ignored,
            },
            status=status.HTTP_200_OK,
        )
