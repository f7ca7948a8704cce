"""Existing outlet → device links become a power port on that device, plugged into the same outlet.

A device plugged into several outlets (A and B feeds) gets PSU1, PSU2... in outlet order; each port is
allocated the device type's typical draw, which is what the power checks counted for each outlet before.
"""

from django.db import migrations


def links_to_power_ports(apps, schema_editor):
    PowerOutlet = apps.get_model("dcim", "PowerOutlet")
    PowerPort = apps.get_model("dcim", "PowerPort")
    taken: dict[int, set[str]] = {}
    outlets = (
        PowerOutlet.objects.filter(device__isnull=False, power_port__isnull=True)
        .select_related("device__device_type", "pdu")
        .order_by("device_id", "pdu__name", "name", "pk")
    )
    for outlet in outlets:
        device = outlet.device
        names = taken.setdefault(
            device.pk, set(PowerPort.objects.filter(device=device).values_list("name", flat=True))
        )
        number = 1
        while f"PSU{number}" in names:
            number += 1
        name = f"PSU{number}"
        names.add(name)
        draw = device.device_type.power_draw_watts or 0
        port = PowerPort.objects.create(
            device=device,
            name=name,
            allocated_draw_w=draw,
            maximum_draw_w=draw or None,
            description="Created from the outlet link it replaced.",
        )
        outlet.power_port = port
        outlet.save(update_fields=["power_port"])


def power_ports_to_links(apps, schema_editor):
    PowerOutlet = apps.get_model("dcim", "PowerOutlet")
    for outlet in PowerOutlet.objects.filter(power_port__isnull=False).select_related("power_port"):
        outlet.device_id = outlet.power_port.device_id
        outlet.save(update_fields=["device"])


class Migration(migrations.Migration):
    dependencies = [("dcim", "0004_power_ports")]

    operations = [migrations.RunPython(links_to_power_ports, power_ports_to_links)]
