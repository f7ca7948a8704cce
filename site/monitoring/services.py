"""Every write of the monitoring app: collector tokens, ingest of collector batches, bandwidth alerts.

State changes are published over Channels (the ``noc`` group and ``company-<id>`` groups) after the
transaction commits, never before.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dcim.models import Device, Interface
from monitoring.choices import EventKind, EventSeverity
from monitoring.models import CollectorToken, DeviceHealth, InterfaceState, MonitoringEvent

log = logging.getLogger(__name__)
NOC_GROUP = "noc"
TOKEN_PREFIX = "ssc"
RATE_FIELDS = ("in_bps", "out_bps", "in_errors_ps", "out_errors_ps", "in_discards_ps", "out_discards_ps")
DOWN_STATES = {"down", "lowerLayerDown", "notPresent", "unreachable"}


def company_group(company_id: int) -> str:
    """The Channels group of one company's portal users."""
    return f"company-{company_id}"


# Collector tokens -----------------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def collector_token_create(*, name: str) -> tuple[CollectorToken, str]:
    """Create a collector token; returns it and the raw token, which is shown only this once."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = CollectorToken(name=name, prefix=prefix, secret_hash=_hash_secret(secret))
    token.full_clean()
    token.save()
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def collector_token_authenticate(raw: str) -> CollectorToken | None:
    """The live token matching ``raw`` (``ssc_<prefix>_<secret>``), or None; notes when it was last used."""
    try:
        kind, prefix, secret = raw.split("_", 2)
    except ValueError:
        return None
    if kind != TOKEN_PREFIX:
        return None
    token = CollectorToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not secrets.compare_digest(token.secret_hash, _hash_secret(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        CollectorToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def collector_token_revoke(*, token: CollectorToken) -> CollectorToken:
    """Revoke a collector token at once."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


# Publishing -----------------------------------------------------------------------------------------


def event_message(event: MonitoringEvent) -> dict:
    """The JSON form of an event on the WebSockets."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "severity": event.severity,
        "status": event.status,
        "previous": event.previous,
        "device": event.device_id,
        "device_name": event.device.name,
        "interface": event.interface_id,
        "interface_name": event.interface.name if event.interface_id else "",
        "company": event.device.company_id,
        "message": event.message,
        "occurred_at": event.occurred_at.isoformat(),
    }


def _publish(events: list[MonitoringEvent]) -> None:
    """Send events to the NOC group and to each owning company's group (called after the commit)."""
    if not events:
        return
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    messages = [event_message(event) for event in events]
    send = async_to_sync(layer.group_send)
    send(NOC_GROUP, {"type": "monitoring.events", "events": messages})
    by_company: dict[int, list[dict]] = {}
    for message in messages:
        if message["company"]:
            by_company.setdefault(message["company"], []).append(message)
    for company_id, items in by_company.items():
        send(company_group(company_id), {"type": "monitoring.events", "events": items})


def _publish_on_commit(events: list[MonitoringEvent]) -> None:
    transaction.on_commit(lambda: _publish(events))


# Ingest ---------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    """What one ingest batch changed."""

    events: list[MonitoringEvent] = field(default_factory=list)
    rates: int = 0
    interfaces_created: int = 0
    ignored: int = 0


def _when(value) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)


def _event(
    *, device: Device, kind: str, status: str, at: datetime, interface=None, previous: str = ""
) -> MonitoringEvent:
    if kind == EventKind.DEVICE:
        message = f"{device.name} is {status}"
    else:
        message = f"{device.name} {interface.name} is {status}" + (f" (was {previous})" if previous else "")
    severity = EventSeverity.CRITICAL if status in DOWN_STATES else EventSeverity.INFO
    event = MonitoringEvent(
        device=device,
        interface=interface,
        kind=kind,
        severity=severity,
        status=status,
        previous=previous,
        message=message[:255],
        occurred_at=at,
    )
    event.full_clean()
    event.save()
    return event


def interfaces_sync(*, device: Device, discovered: list[dict]) -> int:
    """Keep DCIM's interfaces of ``device`` in step with what IF-MIB reports; returns how many were created.

    Missing interfaces are created (by ``ifName``) with their speed; speeds are updated; the ifIndex, alias and
    link state are kept on the interface's :class:`InterfaceState`. Interfaces the agent no longer reports
    are left alone: removing them is a decision for staff.
    """
    existing = {interface.name: interface for interface in device.interfaces.all()}
    states = {state.interface_id: state for state in InterfaceState.objects.filter(interface__device=device)}
    created = 0
    for item in discovered:
        name = str(item.get("name", ""))[:64]
        if not name:
            continue
        speed = item.get("speed_mbps") or None
        interface = existing.get(name)
        if interface is None:
            interface = Interface(device=device, name=name, speed=speed, description=str(item.get("descr", ""))[:200])
            interface.save()
            existing[name] = interface
            created += 1
        elif speed and interface.speed != speed:
            interface.speed = speed
            interface.save(update_fields=["speed"])
        state = states.get(interface.pk) or InterfaceState(interface=interface)
        state.if_index = item.get("if_index")
        state.alias = str(item.get("alias", ""))[:255]
        if not state.oper_status:
            state.oper_status = str(item.get("oper_status", ""))[:20]
        state.save()
    return created


@transaction.atomic
def ingest_batch(*, batch: dict, token: CollectorToken | None = None) -> IngestResult:
    """Store a collector's batch: discovered interfaces, state changes (as events) and the latest rates.

    Devices that are not SNMP-polled are ignored. Events are published after the commit; a bandwidth
    check is queued when rates arrived.
    """
    result = IngestResult()
    device_ids = {int(item["device"]) for key in ("events", "rates", "discovered") for item in batch.get(key, [])}
    devices = Device.objects.filter(pk__in=device_ids, snmp_enabled=True).in_bulk()

    for item in batch.get("discovered", []):
        device = devices.get(int(item["device"]))
        if device is None:
            result.ignored += 1
            continue
        result.interfaces_created += interfaces_sync(device=device, discovered=item.get("interfaces", []))

    interfaces = {
        (interface.device_id, interface.name): interface
        for interface in Interface.objects.filter(device__in=list(devices.values())).select_related("device")
    }
    states = {
        state.interface_id: state
        for state in InterfaceState.objects.filter(interface__device__in=list(devices.values()))
    }

    def state_for(interface: Interface) -> InterfaceState:
        if interface.pk not in states:
            states[interface.pk] = InterfaceState.objects.create(interface=interface)
        return states[interface.pk]

    for item in batch.get("events", []):
        device = devices.get(int(item["device"]))
        if device is None:
            result.ignored += 1
            continue
        at = _when(item.get("at"))
        status = str(item.get("status", ""))[:30]
        if item.get("type") == "device":
            health, _created = DeviceHealth.objects.get_or_create(device=device)
            reachable = status == "reachable"
            if health.reachable == reachable:
                continue  # a re-sent batch (backlog) must not record the change twice
            health.reachable = reachable
            health.changed_at = at
            health.save()
            result.events.append(_event(device=device, kind=EventKind.DEVICE, status=status, at=at))
        elif item.get("type") == "link":
            interface = interfaces.get((device.pk, item.get("interface")))
            if interface is None:
                result.ignored += 1
                continue
            state = state_for(interface)
            if state.oper_status == status and state.status_changed_at and state.status_changed_at >= at:
                continue
            previous = str(item.get("previous") or state.oper_status)[:30]
            state.oper_status = status
            state.status_changed_at = at
            state.save(update_fields=["oper_status", "status_changed_at"])
            result.events.append(
                _event(device=device, kind=EventKind.LINK, status=status, previous=previous, at=at, interface=interface)
            )

    changed_states = []
    for item in batch.get("rates", []):
        interface = interfaces.get((int(item["device"]), item.get("interface")))
        if interface is None:
            result.ignored += 1
            continue
        state = state_for(interface)
        for name in RATE_FIELDS:
            value = item.get(name)
            setattr(state, name, float(value) if value is not None else None)
        state.rates_at = _when(item.get("at"))
        if item.get("oper_status") and not state.oper_status:
            state.oper_status = str(item["oper_status"])[:20]
        changed_states.append(state)
        result.rates += 1
    if changed_states:
        InterfaceState.objects.bulk_update(changed_states, [*RATE_FIELDS, "rates_at", "oper_status"])

    seen = {device for device in devices.values()}
    now = timezone.now()
    for device in seen:
        if any(int(item["device"]) == device.pk for item in batch.get("rates", [])):
            DeviceHealth.objects.update_or_create(device=device, defaults={"last_seen_at": now})

    _publish_on_commit(result.events)
    if result.rates:
        transaction.on_commit(_queue_bandwidth_check)
    return result


def _queue_bandwidth_check() -> None:
    from django_q.tasks import async_task

    async_task("monitoring.tasks.check_bandwidth_thresholds")


# Bandwidth thresholds -------------------------------------------------------------------------------
# What a level means, when it is sent and to whom lives in ``monitoring.bandwidth`` (thresholds_evaluate).


def bandwidth_thresholds_check(*, interface_ids=None):
    """Evaluate the bandwidth levels (all ports with rates unless ``interface_ids``); see ``monitoring.bandwidth``."""
    from monitoring.bandwidth import thresholds_evaluate

    return thresholds_evaluate(interface_ids=interface_ids)
