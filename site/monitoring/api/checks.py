"""The collector channel of service checks: the shard's checks and the results (beside targets/ingest)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from monitoring import check_selectors, incidents
from monitoring.api.views import CollectorView, parse_shard

MAX_RESULTS_PER_BATCH = 50_000


class CheckResultsSerializer(serializers.Serializer):
    """A collector's batch of check results: see collector/checks.py ``CheckRunner.drain``."""

    results = serializers.ListField(child=serializers.DictField(), max_length=MAX_RESULTS_PER_BATCH)
    shard = serializers.CharField(required=False, allow_blank=True)
    sent_at = serializers.CharField(required=False, allow_blank=True)
    stats = serializers.DictField(required=False)

    def validate_results(self, results):
        for item in results:
            if not str(item.get("check", "")).isdigit():
                raise serializers.ValidationError(_("Every result needs a numeric 'check'."))
        return results


class CheckTargetsView(CollectorView):
    """``GET ?shard=I/N``: the checks this collector runs."""

    @extend_schema(exclude=True)
    def get(self, request):
        index, count = parse_shard(request.query_params.get("shard", "0/1"))
        checks = check_selectors.check_targets(shard_index=index, shard_count=count)
        return Response({"shard": f"{index}/{count}", "checks": checks})


class CheckResultsView(CollectorView):
    """``POST {"results": [...]}``: results of checks; state changes open and close incidents."""

    @extend_schema(exclude=True)
    def post(self, request):
        serializer = CheckResultsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            outcome = incidents.check_results_ingest(results=serializer.validated_data["results"])
        except ValidationError as error:
            raise serializers.ValidationError({"results": error.messages}) from error
        return Response(
            {
                "stored": outcome.stored,
                "ignored": outcome.ignored,
                "changes": len(outcome.changes),
                "opened": len(outcome.opened),
                "closed": len(outcome.closed),
            },
            status=status.HTTP_200_OK,
        )
