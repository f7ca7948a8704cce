"""Overrides of generated IPAM serializers (plain schema types). Writes go through the services the specs name;
assignment history has none, so it is read-only."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from core.api.pagination import BoundedLimitOffsetPagination
from core.registry import generated_serializer, generated_viewset, override
from ipam.choices import PrefixRole
from ipam.models import Aggregate, Assignment, IPAddress, IPJustification, Prefix


# Plain (inline) schema types: "role" and "family" are names other apps' choice sets use too, and an inline
# enum keeps the OpenAPI components free of name collisions (drf-spectacular W001).
@extend_schema_field(
    {"type": "string", "description": "customer, infrastructure, management, point_to_point, loopback or empty"}
)
class PrefixRoleField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "integer", "description": "4 or 6"})
class FamilyField(serializers.ChoiceField):
    pass


@override(Prefix, "serializer")
class PrefixSerializer(generated_serializer(Prefix)):
    role = PrefixRoleField(choices=PrefixRole.choices, required=False, allow_blank=True)
    family = FamilyField(choices=[4, 6], read_only=True)


@override(IPAddress, "serializer")
class IPAddressSerializer(generated_serializer(IPAddress)):
    family = FamilyField(choices=[4, 6], read_only=True)

    # The columns a listed row is made of (``IPAddressViewSet.list`` reads only these, as plain tuples).
    ROW_COLUMNS = ("id", "address", "family", "status", "company_id", "prefix_id", "dns_name", "description")

    @staticmethod
    def row_representation(row) -> dict:
        """A row of ``ROW_COLUMNS`` as the API shows it: the generated serializer's fields, field for field."""
        pk, address, family, status, company, prefix, dns_name, description = row
        return {
            "display": address,
            "id": pk,
            "address": address,
            "family": family,
            "status": status,
            "company": company,
            "prefix": prefix,
            "dns_name": dns_name,
            "description": description,
        }

    def to_representation(self, instance):
        """The same fields as the generated serializer, read straight from the row."""
        return self.row_representation([getattr(instance, column) for column in self.ROW_COLUMNS])


@override(Aggregate, "serializer")
class AggregateSerializer(generated_serializer(Aggregate)):
    family = FamilyField(choices=[4, 6], read_only=True)


@override(Assignment, "serializer")
class AssignmentSerializer(generated_serializer(Assignment)):
    family = FamilyField(choices=[4, 6], read_only=True)


@override(IPJustification, "serializer")
class IPJustificationSerializer(generated_serializer(IPJustification)):
    requested_family = FamilyField(choices=[4, 6], required=False)


class KnownCountPagination(BoundedLimitOffsetPagination):
    """Limit/offset pages (bounded like every list's) whose total comes from a figure kept on write when the view
    knows it (no COUNT(*))."""

    def get_count(self, queryset):
        known = getattr(queryset, "known_count", None)
        return known() if known is not None else super().get_count(queryset)


@override(IPAddress, "viewset")
class IPAddressViewSet(generated_viewset(IPAddress)):
    """Lists read only the columns shown; ``?prefix=`` is also a range on the (family, value) index, so a page
    of a /16 reads its rows in order and stops, and its total is the subnet's record count."""

    pagination_class = KnownCountPagination

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.select_related(None)
        return queryset

    def list(self, request, *args, **kwargs):
        """A page read as plain tuples of the columns shown (``values_list``, no model instances) and turned into
        the serializer's dicts: a page of 1,000 costs a few milliseconds of Python whatever the table's size."""
        queryset = self.filter_queryset(self.get_queryset())
        rows = queryset.values_list(*IPAddressSerializer.ROW_COLUMNS)
        if hasattr(queryset, "known_count"):
            rows.known_count = queryset.known_count
        page = self.paginate_queryset(rows)
        if page is None:
            return Response([IPAddressSerializer.row_representation(row) for row in rows])
        return self.get_paginated_response([IPAddressSerializer.row_representation(row) for row in page])

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        prefix_id = self.request.query_params.get("prefix", "")
        if self.action != "list" or not prefix_id.isdigit():
            return queryset
        prefix = (
            Prefix.objects.filter(pk=int(prefix_id))
            .values("family", "network_start", "network_end", "address_records")
            .first()
        )
        if prefix is None:
            return queryset
        queryset = queryset.filter(
            family=prefix["family"], value__gte=prefix["network_start"], value__lte=prefix["network_end"]
        )
        # Staff see every row, so with no other filter the total is the subnet's record count.
        if self.request.user.is_staff and not set(self.request.query_params) - {
            "prefix",
            "limit",
            "offset",
            "ordering",
        }:
            queryset.known_count = lambda: prefix["address_records"]
        return queryset
