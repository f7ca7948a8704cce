"""Overrides of the generated DCIM serializers (imported by ``dcim/specs.py``, beside the declarations)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.registry import generated_serializer, override
from dcim import selectors
from dcim.choices import DeviceRole
from dcim.models import Device, PowerOutlet, PowerPort


@override(Device, "serializer")
class DeviceSerializer(generated_serializer(Device)):
    # A plain string in the schema: "role" already names the company-role enum in the accounts endpoints,
    # and a second choice set under that name makes drf-spectacular's enum naming ambiguous.
    role = serializers.CharField(max_length=20, required=False, help_text=_("One of: ") + ", ".join(DeviceRole.values))
    owner = serializers.CharField(source="owner_display", read_only=True)
    # Lists read the device's shown columns and its company's name (``display`` is the name, ``owner`` the company).
    list_reads = ("name", "ownership", "company__name")

    class Meta(generated_serializer(Device).Meta):
        fields = [*generated_serializer(Device).Meta.fields, "owner"]

    def validate_role(self, value: str) -> str:
        if value not in DeviceRole.values:
            raise serializers.ValidationError(
                _("Unknown role %(role)s; choose one of %(roles)s.")
                % {"role": value, "roles": ", ".join(DeviceRole.values)}
            )
        return value


@override(PowerOutlet, "serializer")
class PowerOutletSerializer(generated_serializer(PowerOutlet)):
    """Plugging a power port in through the API obeys the service's rules (double booking, power budgets)."""

    class Meta(generated_serializer(PowerOutlet).Meta):
        # The service's check names the outlet the port is plugged into; the bare unique check would not.
        extra_kwargs = {"power_port": {"validators": []}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        port = attrs.get("power_port", getattr(self.instance, "power_port", None))
        pdu = attrs.get("pdu", getattr(self.instance, "pdu", None))
        if port is not None and pdu is not None:
            outlet = PowerOutlet(pk=getattr(self.instance, "pk", None), pdu=pdu, name=attrs.get("name", ""))
            problems = selectors.power_connection_problems(power_port=port, outlet=outlet)
            if problems:
                raise serializers.ValidationError({"power_port": problems})
        return attrs


@override(PowerPort, "serializer")
class PowerPortSerializer(generated_serializer(PowerPort)):
    """A plugged-in port's new allocated draw must fit its circuit, contract and rack, as in the service."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        outlet = getattr(self.instance, "outlet", None) if self.instance is not None else None
        if outlet is not None and "allocated_draw_w" in attrs:
            port = PowerPort(
                pk=self.instance.pk,
                device=attrs.get("device", self.instance.device),
                name=attrs.get("name", self.instance.name),
                allocated_draw_w=attrs["allocated_draw_w"],
            )
            problems = selectors.power_draw_problems(power_port=port, outlet=outlet)
            if problems:
                raise serializers.ValidationError({"allocated_draw_w": problems})
        return attrs
