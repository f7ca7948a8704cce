"""API endpoints the specs cannot say: add a subnet or a range, next free address or block, search.

Thin views: they parse input, pick objects through ``core.tenancy.for_user`` and call services/selectors.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.registry import resolved
from core.tenancy import for_user
from ipam import selectors, services
from ipam.choices import PrefixRole, PrefixStatus
from ipam.models import Prefix


class StaffPermission(permissions.BasePermission):
    """Signed-in staff holding the view's ``required_permission``."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm(view.required_permission))


class AddSubnetSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    status = serializers.ChoiceField(choices=PrefixStatus.choices, default=PrefixStatus.ACTIVE)
    role = serializers.ChoiceField(choices=PrefixRole.choices, required=False, default="")
    is_pool = serializers.BooleanField(default=False)
    create_addresses = serializers.BooleanField(default=False)
    description = serializers.CharField(required=False, default="", allow_blank=True)


class AddRangeSerializer(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()
    description = serializers.CharField(required=False, default="", allow_blank=True)


class NextFreeIPSerializer(serializers.Serializer):
    prefix = serializers.IntegerField(help_text="Id of the subnet.")


class NextFreeBlockSerializer(serializers.Serializer):
    prefix = serializers.IntegerField(help_text="Id of the container.")
    prefix_length = serializers.IntegerField(min_value=1, max_value=128)


class AddRangeResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    addresses = serializers.ListField(child=serializers.CharField())


class NextFreeIPResultSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    address = serializers.CharField(allow_null=True)


class NextFreeBlockResultSerializer(serializers.Serializer):
    container = serializers.CharField()
    prefix = serializers.CharField(allow_null=True)


class SearchPrefixSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField()
    status = serializers.CharField()
    utilisation = serializers.IntegerField()


class SearchAddressSerializer(serializers.Serializer):
    address = serializers.CharField()
    state = serializers.CharField()
    company = serializers.CharField(allow_null=True)
    service = serializers.CharField(allow_null=True)
    interface = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    since = serializers.DateTimeField(allow_null=True)
    block = serializers.CharField(allow_null=True)
    prefix = serializers.CharField(allow_null=True)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    kind = serializers.CharField()
    truncated = serializers.BooleanField()
    prefixes = SearchPrefixSerializer(many=True)
    addresses = SearchAddressSerializer(many=True)


class AddSubnetView(APIView):
    """Add a subnet (and, with ``create_addresses``, its address records in bulk)."""

    permission_classes = [StaffPermission]
    required_permission = "ipam.add_prefix"

    @extend_schema(request=AddSubnetSerializer, responses=resolved(Prefix, "serializer"))
    def post(self, request):
        data = AddSubnetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        prefix = services.prefix_add(**data.validated_data)
        body = resolved(Prefix, "serializer")(prefix, context={"request": request}).data
        return Response({**body, "address_records": prefix.addresses.count()}, status=status.HTTP_201_CREATED)


class AddRangeView(APIView):
    """Record every address from ``start`` to ``end`` (one subnet) in one transaction."""

    permission_classes = [StaffPermission]
    required_permission = "ipam.add_ipaddress"

    @extend_schema(request=AddRangeSerializer, responses=AddRangeResultSerializer)
    def post(self, request):
        data = AddRangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        records = services.ip_range_add(**data.validated_data)
        return Response(
            {"count": len(records), "addresses": [record.address for record in records]},
            status=status.HTTP_201_CREATED,
        )


class NextFreeIPView(APIView):
    """The lowest free address of a subnet the caller may see (customers: their own blocks only)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=NextFreeIPSerializer, responses=NextFreeIPResultSerializer)
    def post(self, request):
        data = NextFreeIPSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        prefix, address = selectors.next_free_ip_of(for_user(Prefix, request.user), data.validated_data["prefix"])
        if prefix is None:
            raise Http404
        return Response({"prefix": prefix.prefix, "address": str(address) if address else None})


class NextFreeBlockView(APIView):
    """The lowest free block of a given length inside a container."""

    permission_classes = [StaffPermission]
    required_permission = "ipam.view_prefix"

    @extend_schema(request=NextFreeBlockSerializer, responses=NextFreeBlockResultSerializer)
    def post(self, request):
        data = NextFreeBlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        prefix = for_user(Prefix, request.user).filter(pk=data.validated_data["prefix"]).first()
        if prefix is None:
            raise Http404
        block = selectors.next_free_block(prefix=prefix, prefix_length=data.validated_data["prefix_length"])
        return Response({"container": prefix.prefix, "prefix": str(block) if block else None})


class SearchView(APIView):
    """Free / reserved / in use for an address, a prefix or a customer name (``?q=``)."""

    permission_classes = [StaffPermission]
    required_permission = "ipam.view_ipaddress"

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="An address, a prefix or a customer name.")],
        responses=SearchResultSerializer,
    )
    def get(self, request):
        result = selectors.ip_search(request.query_params.get("q", ""))
        if result.error:
            raise ValidationError({"q": [result.error]})
        return Response(
            {
                "query": result.query,
                "kind": result.kind,
                "truncated": result.truncated,
                "prefixes": [
                    {"id": p.pk, "prefix": p.prefix, "status": p.status, "utilisation": p.utilisation}
                    for p in result.prefixes
                ],
                "addresses": [
                    {
                        "address": row.address,
                        "state": row.state,
                        "company": str(row.company) if row.company else None,
                        "service": str(row.service) if row.service else None,
                        "interface": str(row.interface) if row.interface else None,
                        "reason": row.reason,
                        "by": str(row.by) if row.by else None,
                        "since": row.since,
                        "block": row.via_block or None,
                        "prefix": str(row.prefix) if row.prefix else None,
                    }
                    for row in result.addresses
                ],
            }
        )
