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
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, NullIf
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


def _level_expression():
    """The level of :func:`threshold_level` as SQL, for the prefilter (the exact level is computed in Python)."""
    whens = []
    for threshold in sorted(BANDWIDTH_THRESHOLDS, reverse=True):
        if threshold == 101:
            condition = Q(_peak__gt=F("_commit") * 1e6)
        else:
            condition = Q(_peak__gte=F("_commit") * (threshold * 1e4))
        whens.append(When(condition, then=Value(threshold)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


def candidate_states(*, interface_ids: list[int], catalog_commits: dict[int, int]):
    """The states among ``interface_ids`` whose level may have changed, in one query: the level of the latest
    rate against the commit staff set (else the speed) differs from the one announced, or the interface has
    a catalog commit (few do: those are always looked at)."""
    base = Coalesce(NullIf(F("commit_mbps"), 0), NullIf(F("interface__speed"), 0))
    peak = Greatest(Coalesce(F("in_bps"), Value(0.0)), Coalesce(F("out_bps"), Value(0.0)))
    states = (
        InterfaceState.objects.filter(interface_id__in=interface_ids, rates_at__isnull=False)
        .annotate(_peak=peak, _commit=base)
        .annotate(_level=_level_expression())
    )
    changed = Q(_commit__isnull=False) & ~Q(_level=F("threshold_level"))
    if catalog_commits:
        changed |= Q(interface_id__in=list(catalog_commits))
    return states.filter(changed).select_related("interface__device").order_by("interface_id")


@transaction.atomic
def thresholds_evaluate(*, interface_ids: Iterable[int]) -> list[MonitoringEvent]:
    """Compare the latest rate of each of ``interface_ids`` with its commit; notify customer and NOC when a
    level is crossed. Returns the events recorded.

    The commit is the catalog's bandwidth service on the interface, else the one staff set, else the speed.
    Each level (80 %, 100 %, over 100 %) is announced once on the way up; falling below 80 % re-arms it.

    Cost: two queries whatever the number of interfaces (the catalog's commits of these interfaces, the
    candidates of :func:`candidate_states`); when levels changed, one update and one insert for all of them and
    one query per company to be told.
    """
    from monitoring.selectors import interface_commits_mbps
    from monitoring.services import _publish_on_commit

    interface_ids = sorted(set(interface_ids))
    events = []
    if not interface_ids:
        return events
    catalog_commits = interface_commits_mbps(interface_ids=interface_ids)
    changed, mails = [], []
    recipients_of: dict[int | None, list[str]] = {}  # by company: one query per company, not per interface
    for state in candidate_states(interface_ids=interface_ids, catalog_commits=catalog_commits):
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
        changed.append(state)
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
        events.append(event)
        if device.company_id not in recipients_of:
            recipients_of[device.company_id] = _threshold_recipients(device)
        if recipients_of[device.company_id]:
            mails.append((event.message, recipients_of[device.company_id], f"{state.rates_at:%Y-%m-%d %H:%M} UTC"))
    if changed:
        InterfaceState.objects.bulk_update(changed, ["threshold_level"])
        MonitoringEvent.objects.bulk_create(events)
    for message, recipients, measured in mails:
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
