"""Chainable reads of the DCIM models."""

from django.db import models
from django.db.models import Q


class RackQuerySet(models.QuerySet):
    def with_location(self):
        return self.select_related("site", "room", "row", "company")


class DeviceQuerySet(models.QuerySet):
    def with_relations(self):
        """Everything a device list shows, in one query."""
        return self.select_related("device_type__manufacturer", "company", "site", "rack")

    def racked(self):
        return self.filter(rack__isnull=False, position__isnull=False)

    def in_stock(self):
        """Servers the datacenter can sell: its own, in inventory, unassigned."""
        from dcim.choices import DeviceRole, DeviceStatus, Ownership

        return self.filter(
            role=DeviceRole.SERVER,
            status=DeviceStatus.INVENTORY,
            company__isnull=True,
            ownership=Ownership.DATACENTER,
        )

    def search(self, text: str):
        """Devices matching ``text`` by name, serial, asset tag, customer, rack, site or IP address (IPAM too)."""
        text = text.strip()
        if not text:
            return self
        condition = (
            Q(name__icontains=text)
            | Q(serial__iexact=text)
            | Q(asset_tag__iexact=text)
            | Q(company__name__icontains=text)
            | Q(rack__name__iexact=text)
            | Q(site__name__iexact=text)
            | Q(tags__name__iexact=text)
        )
        if _looks_like_ip(text):
            from dcim.selectors import ip_condition

            condition |= ip_condition(text)
        return self.filter(condition).distinct()


class PowerCircuitQuerySet(models.QuerySet):
    def with_relations(self):
        return self.select_related("panel__site", "rack", "company")

    def with_connected_draw(self):
        """Annotate ``connected_w``: the allocated draw of the power ports plugged into PDUs this circuit feeds.

        A correlated subquery (not a join), so it stacks with other annotations and costs no extra query.
        """
        from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
        from django.db.models.functions import Coalesce

        from dcim.models import PowerPort

        drawn = (
            PowerPort.objects.filter(outlet__pdu__power_circuit=OuterRef("pk"))
            .order_by()
            .values("outlet__pdu__power_circuit")
            .annotate(total=Sum("allocated_draw_w"))
            .values("total")
        )
        return self.annotate(connected_w=Coalesce(Subquery(drawn, output_field=IntegerField()), Value(0)))


def _looks_like_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
