"""Reads spanning models: the collectors' targets, the bandwidth commits the catalog sells for interfaces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps

from dcim.models import Device
from monitoring.models import InterfaceState

# A service that is only ordered (pending) commits no bandwidth yet; cancelled and terminated ones no longer do.
COMMITTING_STATUSES = ("provisioning", "active", "suspended", "cancellation_requested")


def interface_commits_mbps(*, interface_ids: Iterable[int] | None = None) -> dict[int, int]:
    """The committed bandwidth in Mbit/s of each DCIM interface, from the catalog (read only).

    An interface's commit is the sum, over the bandwidth services in force that use it (``Service.interfaces``),
    of the product's ``commit_mbps`` times the service's quantity. Interfaces without one are absent. The
    catalog is reached through the app registry, so this does not depend on how its modules are laid out.
    """
    service_model = apps.get_model("catalog", "Service")
    links = service_model.interfaces.through.objects.filter(
        service__status__in=COMMITTING_STATUSES,
        service__plan__product__kind="bandwidth",
        service__plan__product__commit_mbps__isnull=False,
    )
    if interface_ids is not None:
        links = links.filter(interface_id__in=list(interface_ids))
    commits: dict[int, Decimal] = defaultdict(Decimal)
    for interface_id, commit, quantity in links.values_list(
        "interface_id", "service__plan__product__commit_mbps", "service__quantity"
    ):
        commits[interface_id] += Decimal(commit) * (quantity or Decimal(1))
    return {interface_id: int(total) for interface_id, total in commits.items() if total > 0}


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
