"""Every write of the remote app: power jobs (requested, then run by a task) and console session audits.

Power commands never run inside a request: :func:`power_job_request` checks who may, the rate limit and
the server's BMC settings, writes the audit row and queues :func:`power_job_run` on django-q2 after the
commit; the task talks to the BMC with a hard timeout (``collector.ipmi``) and writes the result.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.models import Device
from remote.choices import ConsoleEnd, JobStatus, PowerAction, RequestSource
from remote.models import BmcStatus, ConsoleSession, PowerJob

log = logging.getLogger(__name__)
CONTROL_PERMISSION = "remote.control_power"
CONSOLE_PERMISSION = "remote.use_console"
CUSTOMER_CAPABILITY = "technical"


def _setting(name: str, default):
    return getattr(settings, name, default)


# Who may --------------------------------------------------------------------------------------------


def _customer_may(*, device: Device, user) -> bool:
    from accounts.services import membership_for

    if device.company_id is None:
        return False
    membership = membership_for(user=user, company=device.company_id)
    return membership is not None and membership.can(CUSTOMER_CAPABILITY)


def may_control_power(*, device: Device, user) -> bool:
    """Staff with ``remote.control_power``; the owning company's owner and technical members."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return user.has_perm(CONTROL_PERMISSION)
    return _customer_may(device=device, user=user)


def may_use_console(*, device: Device, user) -> bool:
    """Staff with ``remote.use_console``; the owning company's owner and technical members."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return user.has_perm(CONSOLE_PERMISSION)
    return _customer_may(device=device, user=user)


def bmc_problems(device: Device) -> list[str]:
    """Why ``device``'s BMC cannot be reached as configured (empty when it can be tried)."""
    problems = []
    if not device.ipmi_address:
        problems.append(_("%(server)s has no IPMI address.") % {"server": device.name})
    if not device.ipmi_username or not device.ipmi_password:
        problems.append(_("%(server)s has no IPMI credentials.") % {"server": device.name})
    return problems


def bmc_target(device: Device):
    """The ``collector.ipmi.BmcTarget`` of a server (the password decrypted, for the BMC only)."""
    from collector.ipmi import BmcTarget

    return BmcTarget(
        host=device.ipmi_address,
        port=device.ipmi_port,
        username=device.ipmi_username,
        password=device.ipmi_password,
        device_id=device.pk,
        name=device.name,
    )


# Power jobs -----------------------------------------------------------------------------------------


def _rate_limit_problem(*, device: Device, action: str) -> str:
    now = timezone.now()
    running = PowerJob.objects.filter(device=device, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    running = running.filter(requested_at__gte=now - timedelta(seconds=_setting("REMOTE_POWER_TIMEOUT", 15) * 4))
    current = running.exclude(action=PowerAction.STATUS).first()
    if current is not None and action != PowerAction.STATUS:
        return _("%(action)s of %(server)s is still running; wait for its result.") % {
            "action": current.get_action_display(),
            "server": device.name,
        }
    limit, window = _setting("REMOTE_POWER_RATE_LIMIT", (6, 300))
    if action == PowerAction.STATUS:
        limit *= 5
    recent = PowerJob.objects.filter(device=device, requested_at__gte=now - timedelta(seconds=window))
    recent = (
        recent.filter(action=PowerAction.STATUS)
        if action == PowerAction.STATUS
        else recent.exclude(action=PowerAction.STATUS)
    )
    if recent.count() >= limit:
        return _("%(server)s has had %(count)d power requests in the last %(minutes)d minutes; try again shortly.") % {
            "server": device.name,
            "count": limit,
            "minutes": window // 60,
        }
    return ""


@transaction.atomic
def power_job_request(
    *,
    device: Device,
    action: str,
    actor,
    source: str = RequestSource.PORTAL,
    ip_address: str | None = None,
    user_agent: str = "",
) -> PowerJob:
    """Record a power request for ``device`` and queue it; PermissionDenied / ValidationError when refused.

    The caller has re-authenticated ``actor`` for destructive actions (``remote.reauth``); this checks
    who may, the BMC settings and the rate limit per server, then queues ``remote.tasks.power_job_run``.
    """
    if action not in PowerAction.values:
        raise ValidationError({"action": _("Choose one of: %(choices)s.") % {"choices": ", ".join(PowerAction.values)}})
    if not may_control_power(device=device, user=actor):
        raise PermissionDenied(_("You may not control the power of %(server)s.") % {"server": device.name})
    device = Device.objects.select_for_update().get(pk=device.pk)  # one request per server at a time
    problems = bmc_problems(device)
    if problems:
        raise ValidationError(" ".join(problems))
    problem = _rate_limit_problem(device=device, action=action)
    if problem:
        raise ValidationError(problem)
    job = PowerJob(
        device=device,
        device_name=device.name,
        company_id=device.company_id,
        user=actor,
        user_email=actor.email,
        as_staff=actor.is_staff,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:200],
        action=action,
        source=source,
        bmc_address=device.ipmi_address,
        bmc_port=device.ipmi_port,
    )
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: PowerJob) -> None:
    from django_q.tasks import async_task

    async_task(
        "remote.tasks.power_job_run",
        job.pk,
        task_name=f"power {job.action} {job.device_name} #{job.pk}",
        timeout=int(_setting("REMOTE_POWER_TIMEOUT", 15)) + 30,
    )


def power_job_run(*, job: PowerJob) -> PowerJob:
    """Run a queued job against the BMC (with the timeout) and record the answer; idempotent."""
    from collector.ipmi import BmcError, BmcTimeout, power_command

    with transaction.atomic():
        job = PowerJob.objects.select_for_update(of=("self",)).select_related("device").get(pk=job.pk)
        if job.status != JobStatus.QUEUED:
            return job
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    device = job.device
    timeout = float(_setting("REMOTE_POWER_TIMEOUT", 15))
    fields = {}
    if device is None or bmc_problems(device):
        fields = {
            "status": JobStatus.FAILED,
            "error": " ".join(bmc_problems(device)) if device else _("The server is gone."),
        }
    else:
        try:
            answer = power_command(bmc_target(device), job.action, timeout=timeout)
        except BmcTimeout:
            fields = {
                "status": JobStatus.TIMED_OUT,
                "error": _("The BMC at %(address)s did not answer within %(seconds)d seconds.")
                % {"address": job.bmc_address, "seconds": timeout},
            }
        except BmcError as error:
            fields = {"status": JobStatus.FAILED, "error": _("The BMC refused: %(error)s") % {"error": error}}
        else:
            fields = {
                "status": JobStatus.SUCCEEDED,
                "power_state": answer.get("powerstate", ""),
                "bmc_answer": ", ".join(f"{key}={value}" for key, value in answer.items()),
            }
    with transaction.atomic():
        job = PowerJob.objects.select_for_update().get(pk=job.pk)
        for name, value in fields.items():
            setattr(job, name, value)
        job.finished_at = timezone.now()
        job.full_clean()
        job.save()
    log.info("power job %s (%s %s): %s", job.pk, job.action, job.device_name, job.status)
    return job


# Console sessions -----------------------------------------------------------------------------------


@transaction.atomic
def console_session_open(
    *, device: Device, actor, ip_address: str | None = None, user_agent: str = ""
) -> ConsoleSession:
    """Audit the opening of a console; PermissionDenied when ``actor`` may not, ValidationError without a BMC."""
    if not may_use_console(device=device, user=actor):
        raise PermissionDenied(_("You may not open the console of %(server)s.") % {"server": device.name})
    problems = bmc_problems(device)
    if problems:
        raise ValidationError(" ".join(problems))
    session = ConsoleSession(
        device=device,
        device_name=device.name,
        company_id=device.company_id,
        user=actor,
        user_email=actor.email,
        as_staff=actor.is_staff,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:200],
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def console_session_close(
    *,
    console_session: ConsoleSession,
    reason: str,
    bytes_to_host: int = 0,
    bytes_from_host: int = 0,
    transcript: str = "",
) -> ConsoleSession:
    """Record how a console session ended (once); the transcript only when REMOTE_CONSOLE_TRANSCRIPTS is on."""
    if reason not in ConsoleEnd.values:
        raise ValidationError({"end_reason": _("Unknown reason.")})
    session = ConsoleSession.objects.select_for_update().get(pk=console_session.pk)
    if session.closed_at is not None:
        return session
    session.closed_at = timezone.now()
    session.end_reason = reason
    session.bytes_to_host = bytes_to_host
    session.bytes_from_host = bytes_from_host
    if _setting("REMOTE_CONSOLE_TRANSCRIPTS", False):
        session.transcript = transcript[-_setting("REMOTE_CONSOLE_TRANSCRIPT_LIMIT", 200_000) :]
    session.full_clean()
    session.save()
    return session


# The IPMI collector's batches --------------------------------------------------------------------------

SENSOR_SEVERITY = {"ok": "info", "warning": "warning", "critical": "critical"}


def _event_time(value):
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)


@transaction.atomic
def bmc_batch_ingest(*, batch: dict) -> dict:
    """Store the IPMI collector's latest readings and turn its events into NOC-board events.

    ``events``: ``{"type": "bmc", "device", "status": "unreachable"|"reachable"}`` and
    ``{"type": "sensor", "device", "sensor", "status": "ok"|"warning"|"critical", "previous", "value", "unit"}``;
    ``readings``: ``{"device", "power", "watts", "sensors": [...], "at"}``. Unknown devices are ignored.
    A constant number of queries per batch besides one insert per event.
    """
    from monitoring.choices import EventKind, EventSeverity
    from monitoring.models import MonitoringEvent
    from monitoring.services import _publish_on_commit

    events, readings = batch.get("events", []), batch.get("readings", [])
    ids = {int(item["device"]) for item in [*events, *readings]}
    devices = Device.objects.in_bulk(ids)
    statuses = {status.device_id: status for status in BmcStatus.objects.filter(device_id__in=ids)}
    created, changed = [], {}

    def status_of(device_id):
        if device_id not in statuses:
            statuses[device_id] = BmcStatus(device_id=device_id)
        changed[device_id] = statuses[device_id]
        return statuses[device_id]

    for item in events:
        device = devices.get(int(item["device"]))
        if device is None:
            continue
        at = _event_time(item.get("at"))
        if item.get("type") == "bmc":
            status = str(item.get("status", ""))
            reachable = status != "unreachable"
            record = status_of(device.pk)
            record.reachable, record.changed_at = reachable, at
            message = _("BMC of %(server)s is %(status)s") % {"server": device.name, "status": status}
            if item.get("message"):
                message += f" ({item['message']})"
            event = MonitoringEvent(
                device=device,
                kind=EventKind.BMC,
                status=status[:30],
                message=message[:255],
                occurred_at=at,
                severity=EventSeverity.INFO if reachable else EventSeverity.CRITICAL,
            )
        elif item.get("type") == "sensor":
            health = str(item.get("status", "ok"))
            value, unit = item.get("value"), item.get("unit", "")
            reading = "" if value is None else f" at {value:g} {unit}".rstrip()
            message = _("%(sensor)s of %(server)s is %(health)s%(reading)s") % {
                "sensor": item.get("sensor", "?"),
                "server": device.name,
                "health": health,
                "reading": reading,
            }
            event = MonitoringEvent(
                device=device,
                kind=EventKind.SENSOR,
                status=health[:30],
                previous=str(item.get("previous", ""))[:30],
                message=message[:255],
                occurred_at=at,
                severity=SENSOR_SEVERITY.get(health, EventSeverity.WARNING),
            )
        else:
            continue
        event.full_clean()
        event.save()
        created.append(event)
    for item in readings:
        device_id = int(item["device"])
        if device_id not in devices:
            continue
        record = status_of(device_id)
        if record.reachable is not True:
            record.changed_at = record.changed_at if record.reachable is None else timezone.now()
        record.reachable = True
        record.power_state = str(item.get("power", ""))[:10]
        watts = item.get("watts")
        record.watts = float(watts) if isinstance(watts, int | float) else None
        record.sensors = [dict(sensor) for sensor in item.get("sensors", []) if isinstance(sensor, dict)][:64]
        record.read_at = _event_time(item.get("at"))
    new = [record for record in changed.values() if record.pk is None]
    old = [record for record in changed.values() if record.pk is not None]
    BmcStatus.objects.bulk_create(new)
    BmcStatus.objects.bulk_update(old, ["reachable", "power_state", "watts", "sensors", "read_at", "changed_at"])
    _publish_on_commit(created)
    return {"events": len(created), "readings": len(readings)}


@transaction.atomic
def server_bmc_configure(*, device: Device, address: str, port: int = 623, username: str, password: str) -> Device:
    """Point ``device`` at its BMC: address, port and user here, the password through DCIM's secret service.

    (DCIM has no general device update service yet; when it has, this should call it.)
    """
    from dcim.services import device_secret_set

    device = Device.objects.select_for_update().get(pk=device.pk)
    device.ipmi_address, device.ipmi_port, device.ipmi_username = address, port, username
    device.full_clean()
    device._change_reason = "IPMI settings changed"
    device.save(update_fields=["ipmi_address", "ipmi_port", "ipmi_username", "last_updated"])
    if device.ipmi_password != password:
        device = device_secret_set(device=device, field="ipmi_password", value=password)
    return device
