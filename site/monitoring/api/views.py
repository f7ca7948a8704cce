"""The collector channel: targets per shard and ingest of batches."""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

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


# A batch of 10,000 rates is about 3.5 MB of JSON; services.MAX_BATCH_ITEMS bounds what is processed.
MAX_BODY_BYTES = 96 << 20


class CollectorView(APIView):
    authentication_classes = [CollectorTokenAuthentication]
    permission_classes = [IsCollector]


class TargetsView(CollectorView):
    """``GET ?shard=I/N``: the devices this collector polls, with decrypted SNMP settings."""

    @extend_schema(exclude=True)
    def get(self, request):
        index, count = parse_shard(request.query_params.get("shard", "0/1"))
        devices = selectors.collector_targets(shard_index=index, shard_count=count)
        return Response({"shard": f"{index}/{count}", "devices": devices})


class IngestParser(BaseParser):
    """A collector batch as JSON, up to ``MAX_BODY_BYTES``.

    Read from the request stream: the site-wide ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) would refuse a batch of
    some 8,000 interfaces, which a collector then drops.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return {}
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise ParseError(
                _("The batch is larger than %(size)d MB: send smaller batches.") % {"size": MAX_BODY_BYTES >> 20}
            )
        try:
            return json.loads(raw)
        except ValueError as error:
            raise ParseError(_("The batch is not valid JSON: %(error)s") % {"error": error}) from error


class IngestView(CollectorView):
    """``POST``: state changes, latest rates and discovered interfaces (the batch of collector/runner.py
    ``Collector.drain``: ``events``, ``rates``, ``discovered`` lists, ``shard``, ``sent_at``, ``stats``).

    The items are checked by the service while it builds its statements (one pass, no per-item serializer):
    a malformed batch is refused with HTTP 400 and nothing of it is stored.
    """

    parser_classes = [IngestParser]

    @extend_schema(exclude=True)
    def post(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"batch": _("Send the batch as a JSON object.")})
        try:
            result = services.ingest_batch(batch=request.data, token=request.auth)
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(
            {
                "events": len(result.events),
                "rates": result.rates,
                "interfaces_created": result.interfaces_created,
                "ignored": result.ignored,
            },
            status=status.HTTP_200_OK,
        )
