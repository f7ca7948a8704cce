"""Overrides of generated IPAM serializers (plain schema types). Writes go through the services the specs name;
assignment history has none, so it is read-only."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.registry import generated_serializer, override
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


@override(Aggregate, "serializer")
class AggregateSerializer(generated_serializer(Aggregate)):
    family = FamilyField(choices=[4, 6], read_only=True)


@override(Assignment, "serializer")
class AssignmentSerializer(generated_serializer(Assignment)):
    family = FamilyField(choices=[4, 6], read_only=True)


@override(IPJustification, "serializer")
class IPJustificationSerializer(generated_serializer(IPJustification)):
    requested_family = FamilyField(choices=[4, 6], required=False)
