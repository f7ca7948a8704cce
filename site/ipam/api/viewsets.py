"""Overrides of generated IPAM viewsets: writes go through services, history rows are read-only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from core.registry import generated_viewset, override
from ipam import services
from ipam.models import Aggregate, Assignment, IPAddress, Prefix


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
