"""Reads spanning models: the collectors' targets."""

from __future__ import annotations

from dcim.models import Device
from monitoring.models import InterfaceState


def collector_targets(*, shard_index: int = 0, shard_count: int = 1) -> list[dict]:
    """The SNMP devices of one shard with their settings (secrets decrypted) and interfaces.

    Only for the collector channel: the payload carries SNMP communities and v3 keys in the clear.
    """
    from collector.shard import shard_of

    devices = (
        Device.objects.filter(snmp_enabled=True, management_ip__isnull=False)
        .select_related("monitoring_health")
        .prefetch_related("interfaces")
        .order_by("pk")
    )
    states = {
        state.interface_id: state
        for state in InterfaceState.objects.filter(interface__device__snmp_enabled=True).only(
            "interface_id", "oper_status", "if_index"
        )
    }
    targets = []
    for device in devices:
        if shard_of(device.pk, shard_count) != shard_index:
            continue
        if device.snmp_version == "v3":
            snmp = {
                "version": "v3",
                "user": device.snmp_v3_user,
                "auth_protocol": device.snmp_auth_protocol,
                "auth_key": device.snmp_auth_key,
                "priv_protocol": device.snmp_priv_protocol,
                "priv_key": device.snmp_priv_key,
            }
        else:
            snmp = {"version": "v2c", "community": device.snmp_community or "public"}
        health = getattr(device, "monitoring_health", None)
        interfaces = []
        for interface in device.interfaces.all():
            state = states.get(interface.pk)
            interfaces.append(
                {
                    "id": interface.pk,
                    "name": interface.name,
                    "speed": interface.speed,
                    "if_index": state.if_index if state else None,
                    "oper_status": state.oper_status if state else "",
                }
            )
        targets.append(
            {
                "id": device.pk,
                "name": device.name,
                "address": device.management_ip,
                "port": device.snmp_port,
                "interval": device.snmp_polling_interval,
                "snmp": snmp,
                "reachable": health.reachable if health else None,
                "interfaces": interfaces,
            }
        )
    return targets
