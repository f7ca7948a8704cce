"""Overrides of generated IPAM viewsets: writes go through services, history rows are read-only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.registry import generated_serializer, generated_viewset, override
from ipam import services
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


class ValidatedWritesMixin:
    """Creates and changes are validated by the model (bounds, overlaps) and saved by ``services.record_save``."""

    def _write(self, serializer):
        instance = serializer.instance or serializer.Meta.model()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        try:
            serializer.instance = services.record_save(instance=instance)
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from error

    def perform_create(self, serializer):
        self._write(serializer)

    def perform_update(self, serializer):
        self._write(serializer)


@override(Prefix, "viewset")
class PrefixViewSet(ValidatedWritesMixin, generated_viewset(Prefix)):
    pass


@override(IPAddress, "viewset")
class IPAddressViewSet(ValidatedWritesMixin, generated_viewset(IPAddress)):
    pass


@override(Aggregate, "viewset")
class AggregateViewSet(ValidatedWritesMixin, generated_viewset(Aggregate)):
    pass


@override(Assignment, "viewset")
class AssignmentViewSet(generated_viewset(Assignment)):
    # History is written only by ip_assign / ip_reserve / ip_release.
    http_method_names = ["get", "head", "options"]
