"""Bandwidth thresholds: the latest rate of an interface against its commit, announced once per level.

Two owners (see /work/coord/NOTES.md): what a level *means* (80/100/over 100 %, when it is announced, who
is told) belongs to the bandwidth work; *which* interfaces are evaluated and how cheaply belongs to the
ingest: :func:`thresholds_evaluate` is called with the interfaces whose rates have just arrived, never
with every interface.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from dcim.models import Device
from monitoring.choices import BANDWIDTH_THRESHOLDS, EventKind, EventSeverity
from monitoring.models import InterfaceState, MonitoringEvent


def threshold_level(*, utilisation_percent: float) -> int:
    """The highest of 80/100/101 reached (101 = over the commit), or 0."""
    level = 0
    for threshold in BANDWIDTH_THRESHOLDS:
        if (threshold == 101 and utilisation_percent > 100) or (threshold < 101 and utilisation_percent >= threshold):
            level = threshold
    return level


def _threshold_recipients(device: Device) -> list[str]:
    from accounts.choices import CompanyRole
    from accounts.models import Membership

    recipients = [settings.MONITORING_NOC_EMAIL] if settings.MONITORING_NOC_EMAIL else []
    if device.company_id:
        recipients += list(
            Membership.objects.filter(
                company_id=device.company_id,
                is_active=True,
                role__in=[CompanyRole.OWNER, CompanyRole.TECHNICAL],
            ).values_list("user__email", flat=True)
        )
    return recipients


@transaction.atomic
def thresholds_evaluate(*, interface_ids: Iterable[int]) -> list[MonitoringEvent]:
    """Compare the latest rate of each of ``interface_ids`` with its commit; notify customer and NOC when a
    level is crossed. Returns the events recorded.

    The commit is the catalog's bandwidth service on the interface, else the one staff set, else the speed.
    Each level (80 %, 100 %, over 100 %) is announced once on the way up; falling below 80 % re-arms it.
    """
    from monitoring.selectors import interface_commits_mbps
    from monitoring.services import _publish_on_commit

    interface_ids = list(interface_ids)
    events = []
    states = InterfaceState.objects.select_related("interface__device").filter(
        interface_id__in=interface_ids, rates_at__isnull=False
    )
    catalog_commits = interface_commits_mbps(interface_ids=interface_ids)
    for state in states:
        commit = state.commit_with(catalog_commits)
        if not commit:
            continue
        peak = max(state.in_bps or 0, state.out_bps or 0)
        percent = peak / (commit * 1e6) * 100
        level = threshold_level(utilisation_percent=percent)
        if level == state.threshold_level:
            continue
        raised = level > state.threshold_level
        state.threshold_level = level
        state.save(update_fields=["threshold_level"])
        if not raised:
            continue
        interface = state.interface
        device = interface.device
        label = "over" if level == 101 else f"at {level} % of"
        event = MonitoringEvent(
            device=device,
            interface=interface,
            kind=EventKind.BANDWIDTH,
            severity=EventSeverity.CRITICAL if level >= 100 else EventSeverity.WARNING,
            status=f"{level}%",
            message=(f"{device.name} {interface.name} is {label} its {commit} Mbit/s commit ({percent:.0f} %)")[:255],
            occurred_at=timezone.now(),
        )
        event.save()
        events.append(event)
        recipients = _threshold_recipients(device)
        if recipients:
            message = event.message
            measured = f"{state.rates_at:%Y-%m-%d %H:%M} UTC"
            transaction.on_commit(
                lambda message=message, recipients=recipients, measured=measured: send_mail(
                    subject=f"[ServerStock] Bandwidth: {message}",
                    message=f"{message}\n\nMeasured at {measured}.",
                    from_email=None,
                    recipient_list=recipients,
                    fail_silently=True,
                )
            )
    _publish_on_commit(events)
    return events


def thresholds_evaluate_all() -> list[MonitoringEvent]:
    """:func:`thresholds_evaluate` over every interface with rates (staff's manual re-check, tests)."""
    return thresholds_evaluate(
        interface_ids=InterfaceState.objects.filter(rates_at__isnull=False).values_list("interface_id", flat=True)
    )
