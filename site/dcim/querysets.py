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
        """Devices matching ``text`` by name, serial, asset tag, customer, rack, site or IP address."""
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
            condition |= Q(management_ip=text) | Q(ipmi_address=text)
        return self.filter(condition).distinct()


class PowerCircuitQuerySet(models.QuerySet):
    def with_relations(self):
        return self.select_related("panel__site", "rack", "company")


def _looks_like_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
