"""Remote endpoints the generated viewsets cannot say: power requests, and the IPMI collector's channel."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.tenancy import for_user
from dcim.models import Device
from monitoring.api.views import CollectorView, parse_shard
from remote import reauth, selectors, services
from remote.choices import DESTRUCTIVE_ACTIONS, PowerAction, RequestSource


class PowerRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=PowerAction.choices)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, style={"input_type": "password"}
    )
    code = serializers.CharField(required=False, allow_blank=True, write_only=True)
    confirm_name = serializers.CharField(
        required=False, allow_blank=True, help_text="The server's name, required for destructive actions."
    )


class PowerJobAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    device = serializers.IntegerField(source="device_id")
    device_name = serializers.CharField()
    action = serializers.CharField()
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, job) -> str:
        return f"/api/remote/power-jobs/{job.pk}/"


class PowerRequestView(APIView):
    """``POST /api/remote/servers/<id>/power/``: queue a power action; poll the job's URL for its result."""

    @extend_schema(
        operation_id="remote_server_power",
        summary="Power action on a server",
        description=(
            "Queues status, on, shutdown (soft), off, reset or cycle for the server's BMC and answers 202 with "
            "the job; GET the job's url until its status is succeeded, failed or timed_out. Anything but "
            "status needs the caller's password (and TOTP code where set); destructive actions also the "
            "server's name in confirm_name. Owner and technical members of the owning company, and staff "
            "with remote power permission, may; another company's server answers 404."
        ),
        request=PowerRequestSerializer,
        responses={202: PowerJobAcceptedSerializer},
        tags=["remote"],
    )
    def post(self, request, pk):
        device = get_object_or_404(for_user(Device, request.user), pk=pk)
        data = PowerRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        try:
            if action != PowerAction.STATUS:
                reauth.verify_identity(
                    user=request.user,
                    password=data.validated_data.get("password", ""),
                    code=data.validated_data.get("code", ""),
                )
            if action in DESTRUCTIVE_ACTIONS and data.validated_data.get("confirm_name", "").strip() != device.name:
                raise ValidationError({"confirm_name": f"Give the server's name ({device.name}) to confirm."})
            job = services.power_job_request(
                device=device,
                action=action,
                actor=request.user,
                source=RequestSource.API,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            raise ApiValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from error
        except PermissionDenied as error:
            raise ApiPermissionDenied(str(error)) from error
        return Response(PowerJobAcceptedSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class BmcEventsSerializer(serializers.Serializer):
    events = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    readings = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    shard = serializers.CharField(required=False, allow_blank=True)
    stats = serializers.DictField(required=False)

    def validate(self, attrs):
        for key in ("events", "readings"):
            for item in attrs.get(key, []):
                if not str(item.get("device", "")).isdigit():
                    raise serializers.ValidationError({key: "Every item needs a numeric 'device'."})
        return attrs


class BmcTargetsView(CollectorView):
    """``GET ?shard=I/N``: the BMCs the IPMI collector polls, with their credentials."""

    @extend_schema(exclude=True)
    def get(self, request):
        index, count = parse_shard(request.query_params.get("shard", "0/1"))
        return Response(
            {"shard": f"{index}/{count}", "bmcs": selectors.bmc_targets(shard_index=index, shard_count=count)}
        )


class BmcEventsView(CollectorView):
    """``POST``: BMC reachability and sensor events, latest readings."""

    @extend_schema(exclude=True)
    def post(self, request):
        data = BmcEventsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.bmc_batch_ingest(batch=data.validated_data))
