"""Check results from the collectors, and the incidents they open and close.

``check_results_ingest`` stores a batch of results with a constant number of statements (plus a few per
state change), decides the check states (down after ``down_after`` failures in a row, up after one success,
``maintenance`` inside a window) and opens or closes incidents:

* an incident opens once when a check goes down (down alert to the company's contacts and the NOC);
* it closes once when the check is up again (recovery alert); a check that is flapping (``FLAP_CHANGES``
  state changes within ``FLAP_WINDOW``) keeps its incident open until it has stayed up for
  ``FLAP_STABLE_INTERVALS`` intervals, and its intermediate downs alert nobody.

Alerts are e-mailed and changes are published over Channels after the transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from monitoring.check_models import Check, Incident, MaintenanceWindow
from monitoring.choices import CheckState

log = logging.getLogger(__name__)
NOC_GROUP = "noc"
FLAP_WINDOW = timedelta(minutes=30)
FLAP_CHANGES = 4
FLAP_STABLE_INTERVALS = 5
RECENT_CHANGES_KEPT = 20
RESULT_FIELDS = [
    "state",
    "state_changed_at",
    "consecutive_failures",
    "last_checked_at",
    "last_ok",
    "last_response_ms",
    "last_message",
    "cert_expires_at",
    "recent_changes",
]


@dataclass
class CheckIngestResult:
    """What one batch of results changed."""

    stored: int = 0
    ignored: int = 0
    changes: list[dict] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


def _when(value) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)


def _float_or_none(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # NaN and negatives are nonsense


def check_message(check: Check, *, previous: str = "", incident: Incident | None = None) -> dict:
    """The JSON form of a check on the WebSockets and the board's refill."""
    return {
        "check": check.pk,
        "name": check.name,
        "kind": check.kind,
        "company": check.company_id,
        "company_name": check.company.name,
        "target": check.target_label,
        "state": check.state,
        "previous": previous,
        "message": check.last_message,
        "response_ms": check.last_response_ms,
        "since": check.state_changed_at.isoformat() if check.state_changed_at else None,
        "checked_at": check.last_checked_at.isoformat() if check.last_checked_at else None,
        "incident": incident_message(incident) if incident is not None else None,
    }


def incident_message(incident: Incident) -> dict:
    return {
        "id": incident.pk,
        "opened_at": incident.opened_at.isoformat(),
        "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
        "flapping": incident.flapping,
        "acknowledged_by": str(incident.acknowledged_by) if incident.acknowledged_by_id else "",
        "acknowledged_at": incident.acknowledged_at.isoformat() if incident.acknowledged_at else None,
    }


def publish_checks(messages: list[dict]) -> None:
    """Send check changes to the NOC board and to each owning company (call after the commit)."""
    if not messages:
        return
    from channels.layers import get_channel_layer

    from monitoring.services import company_group

    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    send(NOC_GROUP, {"type": "monitoring.checks", "checks": messages})
    by_company: dict[int, list[dict]] = {}
    for message in messages:
        by_company.setdefault(message["company"], []).append(message)
    for company_id, items in by_company.items():
        send(company_group(company_id), {"type": "monitoring.checks", "checks": items})


def _flapping(check: Check, at: datetime) -> bool:
    recent = [_when(text) for text in check.recent_changes]
    return sum(1 for moment in recent if at - moment <= FLAP_WINDOW) >= FLAP_CHANGES


def _open_incident(check: Check, at: datetime) -> Incident:
    incident = Incident(
        service_check=check,
        company_id=check.company_id,
        opened_at=at,
        cause=(check.last_message or gettext("no answer"))[:255],
        down_notified_at=timezone.now(),
    )
    incident.save()
    from monitoring.alerts import incident_notify

    transaction.on_commit(lambda: incident_notify(incident_id=incident.pk, alert_kind="down"))
    return incident


def _close_incident(incident: Incident, at: datetime, *, notify: bool = True) -> None:
    incident.closed_at = max(at, incident.opened_at)
    if notify:
        incident.up_notified_at = timezone.now()
    incident.save(update_fields=["closed_at", "up_notified_at", "flapping"])
    if notify:
        from monitoring.alerts import incident_notify

        transaction.on_commit(lambda: incident_notify(incident_id=incident.pk, alert_kind="up"))


@transaction.atomic
def check_results_ingest(*, results: list[dict]) -> CheckIngestResult:
    """Store the collectors' results ``[{"check", "ok", "at", "response_ms", "message", "cert_expires_at"}]``.

    Results of unknown or paused checks, and results not newer than the check's last one (a re-sent
    batch), are ignored.
    """
    outcome = CheckIngestResult()
    ids = set()
    for item in results:
        try:
            ids.add(int(item["check"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError(gettext("Every result needs a numeric 'check'.")) from error
    checks = Check.objects.filter(pk__in=ids).select_related("company", "device", "ip_address").in_bulk()
    now = timezone.now()
    in_window = set(
        MaintenanceWindow.objects.filter(service_check_id__in=ids, starts_at__lte=now, ends_at__gt=now).values_list(
            "service_check_id", flat=True
        )
    )
    open_incidents = {
        incident.service_check_id: incident
        for incident in Incident.objects.filter(service_check_id__in=ids, closed_at__isnull=True)
    }
    changed: dict[int, Check] = {}
    announce: dict[int, tuple[Check, str, Incident | None]] = {}
    for item in sorted(results, key=lambda item: str(item.get("at") or "")):
        check = checks.get(int(item["check"]))
        at = _when(item.get("at"))
        if check is None or check.paused or (check.last_checked_at and at <= check.last_checked_at):
            outcome.ignored += 1
            continue
        ok = bool(item.get("ok"))
        check.last_checked_at = at
        check.last_ok = ok
        check.last_response_ms = _float_or_none(item.get("response_ms"))
        check.last_message = str(item.get("message") or ("OK" if ok else gettext("failed")))[:255]
        if item.get("cert_expires_at"):
            check.cert_expires_at = _when(item["cert_expires_at"])
        check.consecutive_failures = 0 if ok else check.consecutive_failures + 1
        previous = check.state
        if check.pk in in_window:
            state = CheckState.MAINTENANCE
        elif ok:
            state = CheckState.UP
        elif check.consecutive_failures >= check.down_after:
            state = CheckState.DOWN
        elif previous in (CheckState.MAINTENANCE, CheckState.PAUSED):
            state = CheckState.UNKNOWN
        else:
            state = previous
        if state != previous:
            check.state = state
            check.state_changed_at = at
            if state in (CheckState.UP, CheckState.DOWN):
                check.recent_changes = [*check.recent_changes, at.isoformat()][-RECENT_CHANGES_KEPT:]
        incident = open_incidents.get(check.pk)
        if state == CheckState.DOWN and previous != CheckState.DOWN:
            if incident is None:
                incident = open_incidents[check.pk] = _open_incident(check, at)
                outcome.opened.append(incident.pk)
            elif not incident.flapping:
                incident.flapping = True  # down again before the incident could close: no second alert
                incident.save(update_fields=["flapping"])
        elif state == CheckState.UP and incident is not None:
            stable = at - check.state_changed_at >= timedelta(seconds=FLAP_STABLE_INTERVALS * check.interval_seconds)
            if incident.flapping or _flapping(check, at):
                if not incident.flapping:
                    incident.flapping = True
                    incident.save(update_fields=["flapping"])
                if stable:
                    _close_incident(incident, at)
            else:
                _close_incident(incident, at)
            if incident.closed_at is not None:
                outcome.closed.append(incident.pk)
                del open_incidents[check.pk]
        changed[check.pk] = check
        outcome.stored += 1
        if state != previous or (incident is not None and incident.pk in outcome.closed):
            announce[check.pk] = (check, previous, incident)
    if changed:
        Check.objects.bulk_update(list(changed.values()), RESULT_FIELDS, batch_size=500)
    messages = [
        check_message(check, previous=previous, incident=incident) for check, previous, incident in announce.values()
    ]
    outcome.changes = messages
    transaction.on_commit(lambda: publish_checks(messages))
    return outcome


@transaction.atomic
def incident_close_for(*, service_check: Check, reason: str = "") -> Incident | None:
    """Close the check's open incident without a recovery alert (the check was paused, changed or moved)."""
    incident = Incident.objects.filter(service_check=service_check, closed_at__isnull=True).first()
    if incident is None:
        return None
    _close_incident(incident, timezone.now(), notify=False)
    message = check_message(service_check, previous=service_check.state, incident=incident)
    transaction.on_commit(lambda: publish_checks([message]))
    return incident


@transaction.atomic
def incident_acknowledge(*, incident: Incident, actor) -> Incident:
    """A staff member takes the incident: who and when are recorded (once; later calls change nothing)."""
    if not getattr(actor, "is_staff", False):
        raise ValidationError(gettext("Only staff acknowledge incidents."))
    if incident.acknowledged_at is None:
        incident.acknowledged_by = actor
        incident.acknowledged_at = timezone.now()
        incident.full_clean()
        incident.save(update_fields=["acknowledged_by", "acknowledged_at"])
        check = Check.objects.select_related("company", "device", "ip_address").get(pk=incident.service_check_id)
        message = check_message(check, previous=check.state, incident=incident)
        transaction.on_commit(lambda: publish_checks([message]))
    return incident
