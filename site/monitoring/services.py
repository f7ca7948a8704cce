"""Every write of the monitoring app: collector tokens, ingest of collector batches (bandwidth alerts: bandwidth.py).

State changes are published over Channels (the ``noc`` group and ``company-<id>`` groups) after the
transaction commits, never before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dcim.models import Device, Interface
from monitoring import ingest
from monitoring.choices import EventKind, EventSeverity
from monitoring.models import BandwidthNotice, CollectorToken, InterfaceState, MonitoringEvent

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
    # Encoded once here, so the sockets of every ASGI process only join the text (monitoring.consumers).
    _group_send(send, NOC_GROUP, {"type": "monitoring.events", "events_json": json.dumps(messages)})
    by_company: dict[int, list[dict]] = {}
    for message in messages:
        if message["company"]:
            by_company.setdefault(message["company"], []).append(message)
    for company_id, items in by_company.items():
        _group_send(send, company_group(company_id), {"type": "monitoring.events", "events_json": json.dumps(items)})


def _group_send(send, group: str, message: dict) -> None:
    """Send once more if the layer's connection broke: after a Redis restart the first command on each pooled
    connection fails. Runs after the commit, so a failure must not fail the request: the collector would send
    the batch again, the events are found already recorded and would then never reach the sockets."""
    try:
        from redis.exceptions import RedisError
    except ImportError:  # the in-memory layer of a development machine
        RedisError = OSError  # noqa: N806
    for attempt in (1, 2):
        try:
            send(group, message)
            return
        except (RedisError, OSError) as error:
            if attempt == 2:
                log.error("events not sent to the %s sockets (channel layer: %s); they are stored", group, error)


def _publish_on_commit(events: list[MonitoringEvent]) -> None:
    transaction.on_commit(lambda: _publish(events))


# Ingest ---------------------------------------------------------------------------------------------
#
# Cost: a constant number of statements per batch (per CHUNK rows of each kind), whatever the number of
# interfaces; Python touches each item once, to check it and build the statements' parameters
# (monitoring/ingest.py). Events and bandwidth thresholds concern only what changed or arrived.

# Refused above this many items in one batch: collectors send far fewer (collector/runner.py splits).
MAX_BATCH_ITEMS = 200_000


@dataclass
class IngestResult:
    """What one ingest batch changed (``events``: state changes; ``bandwidth_notices``: levels newly reached)."""

    events: list[MonitoringEvent] = field(default_factory=list)
    rates: int = 0
    interfaces_created: int = 0
    ignored: int = 0
    bandwidth_notices: list[BandwidthNotice] = field(default_factory=list)


def _when(value) -> datetime:
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)


def _device_id(item, key: str) -> int:
    """The item's numeric ``device``; a ValidationError (HTTP 400) for anything else."""
    value = item.get("device") if isinstance(item, dict) else None
    text = str(value) if not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        raise ValidationError({key: "Every item needs a numeric 'device'."})
    return int(text)


def _rate(value, key: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise ValidationError({"rates": f"'{key}' must be a number or null."}) from error
    return number if math.isfinite(number) else None


def _event_record(
    *, device, kind: str, status: str, at: datetime, interface=None, previous: str = ""
) -> MonitoringEvent:
    """An unsaved event (saved in bulk by the ingest)."""
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
        received_at=timezone.now(),
    )
    event.clean_fields(exclude=["device", "interface"])
    return event


def _discovered_sync(items: list[tuple[int, list]]) -> int:
    """Keep DCIM's interfaces of each (device id, IF-MIB interfaces) in step with what the agent reports;
    returns how many were created.

    Missing interfaces are created (by ``ifName``) with their speed, speeds are updated (both with their
    change history); the ifIndex and alias are kept on the interface's :class:`InterfaceState`, and the link
    state when none is known. Interfaces the agent no longer reports are left alone: removing them is a
    decision for staff.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    device_ids = sorted({device_id for device_id, _interfaces in items})
    existing = {(row.device_id, row.name): row for row in Interface.objects.filter(device_id__in=device_ids)}
    created, changed, states = [], {}, {}
    for device_id, discovered in items:
        for entry in discovered if isinstance(discovered, list) else []:
            if not isinstance(entry, dict):
                continue
            name = str(entry.get("name", ""))[:64]
            if not name:
                continue
            speed = entry.get("speed_mbps") or None
            speed = speed if isinstance(speed, int) and not isinstance(speed, bool) and 0 < speed < 2**31 else None
            interface = existing.get((device_id, name))
            if interface is None:
                interface = Interface(
                    device_id=device_id, name=name, speed=speed, description=str(entry.get("descr", ""))[:200]
                )
                existing[(device_id, name)] = interface
                created.append(interface)
            elif speed and interface.speed != speed:
                interface.speed = speed
                changed[interface.pk] = interface
            if_index = entry.get("if_index")
            if_index = (
                if_index
                if isinstance(if_index, int) and not isinstance(if_index, bool) and 0 <= if_index < 2**31
                else None
            )
            states[(device_id, name)] = (
                if_index,
                str(entry.get("alias", ""))[:255],
                str(entry.get("oper_status", ""))[:20],
            )
    if created:
        bulk_create_with_history(created, Interface, batch_size=ingest.CHUNK)
    if changed:
        bulk_update_with_history(list(changed.values()), Interface, ["speed"], batch_size=ingest.CHUNK)
    ingest.discovered_states_store([(existing[key].pk, *values) for key, values in states.items()])
    return len(created)


def _events_apply(items: list[dict], polled: dict[int, bool | None]) -> tuple[list[MonitoringEvent], int]:
    """Record the state changes among ``items`` (device reachability, link state), in their order; a change
    already recorded (a batch re-sent from a collector's backlog) is not recorded twice. Returns the events
    and how many items were ignored."""
    ignored = 0
    links = [item for item in items if item.get("type") == "link"]
    names = {str(item.get("interface")) for item in links}
    devices = (
        Device.objects.filter(pk__in=sorted({int(item["device"]) for item in items}))
        .only("id", "name", "company_id")
        .in_bulk()
    )
    interfaces = {}
    states = {}
    if links:
        for interface in Interface.objects.filter(
            device_id__in=sorted({int(item["device"]) for item in links}), name__in=sorted(names)
        ).only("id", "name", "device_id"):
            interface.device = devices[interface.device_id]
            interfaces[(interface.device_id, interface.name)] = interface
        states = {
            interface_id: [status, changed_at]
            for interface_id, status, changed_at in InterfaceState.objects.filter(
                interface_id__in=[interface.pk for interface in interfaces.values()]
            ).values_list("interface_id", "oper_status", "status_changed_at")
        }
    reachability = dict(polled)
    reachability_changes: dict[int, tuple[bool, datetime]] = {}
    link_changes: dict[int, tuple[str, datetime]] = {}
    events = []
    for item in items:
        device = devices[int(item["device"])]
        at = _when(item.get("at"))
        status = str(item.get("status", ""))[:30]
        if item.get("type") == "device":
            reachable = status == "reachable"
            if reachability[device.pk] == reachable:
                continue  # a re-sent batch (backlog) must not record the change twice
            reachability[device.pk] = reachable
            reachability_changes[device.pk] = (reachable, at)
            events.append(_event_record(device=device, kind=EventKind.DEVICE, status=status, at=at))
        elif item.get("type") == "link":
            interface = interfaces.get((device.pk, str(item.get("interface"))))
            if interface is None:
                ignored += 1
                continue
            state = states.setdefault(interface.pk, ["", None])
            if state[0] == status and state[1] and state[1] >= at:
                continue
            previous = str(item.get("previous") or state[0])[:30]
            state[:] = [status, at]
            link_changes[interface.pk] = (status, at)
            events.append(
                _event_record(
                    device=device, kind=EventKind.LINK, status=status, previous=previous, at=at, interface=interface
                )
            )
    ingest.devices_reachability_store([(pk, *change) for pk, change in reachability_changes.items()])
    ingest.link_states_store([(pk, *change) for pk, change in link_changes.items()])
    MonitoringEvent.objects.bulk_create(events, batch_size=ingest.CHUNK)
    return events, ignored


def _rate_rows(items: list) -> dict[tuple[int, str], tuple]:
    """The rows of ``ingest.rates_store`` from the batch's rates, one per interface (the last one wins)."""
    times: dict = {}
    rows = {}
    for item in items:
        device_id = _device_id(item, "rates")
        get = item.get
        name = get("interface")
        if not isinstance(name, str):
            name = ""  # matches no interface: counted as ignored
        at = get("at")
        when = times.get(at) if isinstance(at, str) else None
        if when is None:
            when = ingest.db_time(_when(at))
            if isinstance(at, str):
                times[at] = when
        status = get("oper_status")
        rows[(device_id, name)] = (
            device_id,
            name,
            str(status)[:20] if status else "",
            _rate(get("in_bps"), "in_bps"),
            _rate(get("out_bps"), "out_bps"),
            _rate(get("in_errors_ps"), "in_errors_ps"),
            _rate(get("out_errors_ps"), "out_errors_ps"),
            _rate(get("in_discards_ps"), "in_discards_ps"),
            _rate(get("out_discards_ps"), "out_discards_ps"),
            when,
        )
    return rows


@transaction.atomic
def ingest_batch(*, batch: dict, token: CollectorToken | None = None) -> IngestResult:
    """Store a collector's batch: discovered interfaces, state changes (as events) and the latest rates, then
    evaluate the bandwidth thresholds of the interfaces whose rates arrived.

    Devices that are not SNMP-polled are ignored. Raises ValidationError for a malformed batch (nothing is
    stored). Events are published after the commit. See the section comment for the cost.
    """
    from monitoring import bandwidth

    result = IngestResult()
    lists = {key: batch.get(key) or [] for key in ("events", "rates", "discovered")}
    for key, items in lists.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValidationError({key: f"'{key}' must be a list of objects."})
    if sum(len(items) for items in lists.values()) > MAX_BATCH_ITEMS:
        raise ValidationError({"rates": f"At most {MAX_BATCH_ITEMS} items per batch: send smaller batches."})
    rows = _rate_rows(lists["rates"])
    events = [(_device_id(item, "events"), item) for item in lists["events"]]
    discovered = [(_device_id(item, "discovered"), item.get("interfaces", [])) for item in lists["discovered"]]

    polled = ingest.devices_lock(
        device_ids=[*{key[0] for key in rows}, *(pk for pk, _item in events), *(pk for pk, _item in discovered)],
        seen_ids={key[0] for key in rows},
        seen_at=timezone.now(),
    )
    wanted = [(pk, interfaces) for pk, interfaces in discovered if pk in polled]
    result.ignored += len(discovered) - len(wanted)
    if wanted:
        result.interfaces_created = _discovered_sync(wanted)
    wanted = [item for pk, item in events if pk in polled]
    result.ignored += len(events) - len(wanted)
    if wanted:
        result.events, ignored = _events_apply(wanted, polled)
        result.ignored += ignored
    stored = ingest.rates_store(sorted(rows.values())) if rows else []
    result.rates = len(stored)
    # Unknown interfaces, devices not polled, rates older than those stored, duplicates in the batch.
    result.ignored += len(lists["rates"]) - len(stored)
    if stored:
        result.bandwidth_notices = bandwidth.thresholds_evaluate(interface_ids=stored)
    _publish_on_commit(result.events)
    return result
