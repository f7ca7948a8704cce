"""Overrides of the generated DCIM serializers (imported by ``dcim/specs.py``, beside the declarations)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.registry import generated_serializer, override
from dcim.choices import DeviceRole
from dcim.models import Device


@override(Device, "serializer")
class DeviceSerializer(generated_serializer(Device)):
    # A plain string in the schema: "role" already names the company-role enum in the accounts endpoints,
    # and a second choice set under that name makes drf-spectacular's enum naming ambiguous.
    role = serializers.CharField(max_length=20, required=False, help_text=_("One of: ") + ", ".join(DeviceRole.values))
    owner = serializers.CharField(source="owner_display", read_only=True)

    class Meta(generated_serializer(Device).Meta):
        fields = [*generated_serializer(Device).Meta.fields, "owner"]

    def validate_role(self, value: str) -> str:
        if value not in DeviceRole.values:
            raise serializers.ValidationError(
                _("Unknown role %(role)s; choose one of %(roles)s.")
                % {"role": value, "roles": ", ".join(DeviceRole.values)}
            )
        return value
