"""The serializer every generated API serializer derives from: tenancy-scoped relations, staff-only fields.

* Every related-object field looks its object up through :func:`core.tenancy.for_user`, so a customer naming
  another company's object gets the same 400 ("Invalid pk … object does not exist") as for a missing one:
  the API never tells whether a foreign object exists. Related models without a tenancy path (the catalog,
  staff-only models) keep their own querysets.
* Fields the spec declares ``staff_only_fields`` (``comments`` by default: staff notes) are never serialised
  for customers, in either direction.
"""

from rest_framework import serializers

from core.tenancy import for_user, tenancy_path


class TenancyScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key relation whose choices are what the requesting user may see of the related model."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset is None or tenancy_path(queryset.model) is None:
            return queryset
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return for_user(queryset, request.user)


class DisplayField(serializers.CharField):
    """``str(obj)``, read-only. A ``source="__str__"`` field made DRF inspect the method's signature on every row
    (``is_simple_callable``): about a tenth of serialising a page of 50."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return str(instance)


class SpecModelSerializer(serializers.ModelSerializer):
    """Base of generated serializers (``spec`` is set on each generated class)."""

    serializer_related_field = TenancyScopedRelatedField
    spec = None

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if self.spec is not None and request is not None and not getattr(request.user, "is_staff", False):
            for name in self.spec.staff_only_fields:
                fields.pop(name, None)
        return fields
