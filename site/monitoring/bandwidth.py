"""Bandwidth thresholds: what a level means, when it is announced, and to whom.

Entry point (shared with the ingest path, which decides *which* interfaces to evaluate and how cheaply):
``thresholds_evaluate(*, interface_ids)``: the interfaces whose rates just arrived.

* A **service** delivered on switch ports (a bandwidth product with a commit, in force) is measured as the
  sum of its ports' latest rates, the larger of in and out, against its commit (product commit × quantity).
  A port without such a service is measured alone against the commit staff set on it, else its speed, and
  told to the customer it is for (``monitoring.ports.port_companies``: its device's, or the cabled server's).
* **Levels** are percentages of the commit, ``MONITORING_BANDWIDTH_LEVELS`` (default 80, 100, 101); a level
  of 100 or less is reached at that percentage, a level above 100 means "over ``level − 1`` %" (101: over
  the commit).
* **Once per level and period** (the calendar month): a ``BandwidthNotice`` is unique per (service or port,
  month, level). Every level reached is announced, also when usage jumps past several at once (90 % → 120 %
  sends 100 % and 101 %); dropping back does not re-arm a level within the month.
* **Who is told**: the NOC (``MONITORING_NOC_EMAIL``) and the customer's owners, billing and technical
  members, plus whatever the functions in ``RECIPIENT_PROVIDERS`` add (monitoring contacts); the notice shows
  on the customer's dashboard until the month ends (``monitoring.selectors.bandwidth_notices``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from monitoring.choices import EventKind, EventSeverity
from monitoring.models import BandwidthNotice, InterfaceState, MonitoringEvent
from monitoring.ports import port_companies
from monitoring.usage import month_period

log = logging.getLogger(__name__)

# A service measured by thresholds: ordered-only (pending) services commit nothing yet.
COMMITTING_STATUSES = ("provisioning", "active", "suspended", "cancellation_requested")
# Functions company_ids -> {company_id: [e-mail, ...]} adding recipients (e.g. the monitoring contacts).
RECIPIENT_PROVIDERS: list[Callable[[set[int]], dict[int, list[str]]]] = []


def threshold_levels() -> tuple[int, ...]:
    """The configured levels, ascending."""
    return tuple(sorted(getattr(settings, "MONITORING_BANDWIDTH_LEVELS", (80, 100, 101))))


def level_reached(level: int, percent: float) -> bool:
    """Whether ``percent`` of the commit reaches ``level`` (above 100: over ``level − 1`` %)."""
    return percent > level - 1 if level > 100 else percent >= level


def levels_reached(percent: float, levels: Iterable[int] | None = None) -> list[int]:
    """Every level ``percent`` reaches, ascending (90 % → [80], 120 % → [80, 100, 101])."""
    return [level for level in (threshold_levels() if levels is None else levels) if level_reached(level, percent)]


def _service_ports(interface_ids: list[int] | None) -> tuple[dict[int, object], dict[int, list[int]]]:
    """The bandwidth services in force on those interfaces, and every port of each (id lists)."""
    service_model = apps.get_model("catalog", "Service")
    through = service_model.interfaces.through
    committing = through.objects.filter(
        service__status__in=COMMITTING_STATUSES,
        service__plan__product__kind="bandwidth",
        service__plan__product__commit_mbps__isnull=False,
    )
    touched = committing if interface_ids is None else committing.filter(interface_id__in=interface_ids)
    services = service_model.objects.filter(pk__in=touched.values("service_id")).select_related(
        "plan__product", "company"
    )
    services = {service.pk: service for service in services}
    ports: dict[int, list[int]] = defaultdict(list)
    for service_id, interface_id in committing.filter(service_id__in=list(services)).values_list(
        "service_id", "interface_id"
    ):
        ports[service_id].append(interface_id)
    return services, ports


def _monitoring_contacts(company_ids: set[int]) -> dict[int, list[str]]:
    """The companies' monitoring contacts for bandwidth alerts, where that model exists (issue 15's
    ``monitoring.alerts.contact_emails``); nothing otherwise."""
    try:
        from monitoring.alerts import contact_emails
    except ImportError:
        return {}
    return {
        company_id: list(contact_emails(company_id=company_id, alert_kind="bandwidth")) for company_id in company_ids
    }


def _recipients(company_ids: set[int]) -> dict[int | None, list[str]]:
    """E-mail addresses per company (owners, billing, technical members, providers); ``None``: the NOC only."""
    from accounts.choices import CompanyRole
    from accounts.models import Membership

    by_company: dict[int | None, list[str]] = defaultdict(list)
    for company_id, email in Membership.objects.filter(
        company_id__in=company_ids,
        is_active=True,
        user__is_active=True,
        role__in=[CompanyRole.OWNER, CompanyRole.BILLING, CompanyRole.TECHNICAL],
    ).values_list("company_id", "user__email"):
        if email:
            by_company[company_id].append(email)
    for provider in (_monitoring_contacts, *RECIPIENT_PROVIDERS):
        for company_id, emails in provider(company_ids).items():
            by_company[company_id] += [email for email in emails if email not in by_company[company_id]]
    return by_company


def deliver(message: EmailMessage) -> None:
    """Send after the commit's callback; a mail server that is down must not undo what was recorded."""
    try:
        message.send()
    except Exception:  # noqa: BLE001 - logged, the notice stays recorded with its recipients
        log.exception("could not send %r", message.subject)


def _noc() -> list[str]:
    return [settings.MONITORING_NOC_EMAIL] if settings.MONITORING_NOC_EMAIL else []


def _send(notice: BandwidthNotice, recipients: list[str], measured_at) -> None:
    body = (
        f"{notice.message}.\n\nMeasured at {measured_at:%Y-%m-%d %H:%M} UTC. "
        f"This is the {notice.level} % notice for {notice.period_start:%B %Y}; each level is sent once a month.\n"
    )
    if notice.company_id:
        body += "\nYour portal's Bandwidth page shows the graphs and the month's 95th percentile.\n"
    deliver(EmailMessage(f"[ServerStock] Bandwidth: {notice.message}"[:300], body, None, recipients))


@transaction.atomic
def thresholds_evaluate(*, interface_ids: Iterable[int] | None) -> list[BandwidthNotice]:
    """Announce every level newly reached by the services on ``interface_ids`` and by those ports themselves
    (``None``: every port with rates). Returns the notices made (none twice a month per level).

    A constant number of queries for any number of interfaces, plus two inserts per new notice.
    """
    ids = None if interface_ids is None else sorted({int(pk) for pk in interface_ids})
    if ids == []:
        return []
    levels = threshold_levels()
    today = timezone.localdate()
    period_start, period_end = month_period(today)
    services, ports = _service_ports(ids)
    wanted = set(ids or ()) | {pk for service_ports in ports.values() for pk in service_ports}
    states_qs = InterfaceState.objects.select_related("interface__device").filter(rates_at__isnull=False)
    states_qs = states_qs if ids is None else states_qs.filter(interface_id__in=wanted)
    states = {state.interface_id: state for state in states_qs}
    if ids is None:
        ids = sorted(states)

    # (key, company_id, service, state, rate, commit): what to measure.
    subjects = []
    served = set()
    for service in services.values():
        service_states = [states[pk] for pk in ports[service.pk] if pk in states]
        served.update(ports[service.pk])
        if not service_states:
            continue
        rate = max(
            sum(state.in_bps or 0 for state in service_states), sum(state.out_bps or 0 for state in service_states)
        )
        commit = int(service.plan.product.commit_mbps * (service.quantity or 1))
        subjects.append((("service", service.pk), service.company_id, service, service_states[0], rate, commit))
    alone = [pk for pk in ids if pk in states and pk not in served]
    companies = port_companies(alone) if alone else {}
    for pk in alone:
        state = states[pk]
        rate = max(state.in_bps or 0, state.out_bps or 0)
        subjects.append((("port", pk), companies.get(pk), None, state, rate, state.commit))

    sent = defaultdict(set)
    already = BandwidthNotice.objects.filter(period_start=period_start).filter(
        Q(service_id__in=list(services)) | Q(service__isnull=True, interface_id__in=ids)
    )
    for service_id, interface_id, level in already.values_list("service_id", "interface_id", "level"):
        sent[("service", service_id) if service_id else ("port", interface_id)].add(level)

    notices: list[tuple[BandwidthNotice, InterfaceState]] = []
    changed_states = []
    for key, company_id, service, state, rate, commit in subjects:
        if not commit:
            continue
        percent = rate / (commit * 1e6) * 100
        reached = levels_reached(percent, levels)
        current = reached[-1] if reached else 0
        if key[0] == "port" and state.threshold_level != current:
            state.threshold_level = current
            changed_states.append(state)
        for level in reached:
            if level in sent[key]:
                continue
            notice = BandwidthNotice(
                company_id=company_id,
                service=service,
                interface=state.interface,
                level=level,
                percent=round(percent, 1),
                measured_bps=rate,
                commit_mbps=commit,
                period_start=period_start,
                period_end=period_end,
            )
            try:
                with transaction.atomic():
                    notice.save()
            except IntegrityError:  # another worker announced it a moment ago
                continue
            sent[key].add(level)
            notices.append((notice, state))
    if changed_states:
        InterfaceState.objects.bulk_update(changed_states, ["threshold_level"])
    if not notices:
        return []

    recipients = _recipients({notice.company_id for notice, _state in notices if notice.company_id})
    events = []
    for notice, state in notices:
        interface = state.interface
        events.append(
            MonitoringEvent(
                device=interface.device,
                interface=interface,
                kind=EventKind.BANDWIDTH,
                severity=EventSeverity.CRITICAL if notice.level >= 100 else EventSeverity.WARNING,
                status=f"{notice.level}%",
                message=notice.message[:255],
                occurred_at=timezone.now(),
            )
        )
        to = _noc() + [email for email in recipients.get(notice.company_id, []) if notice.company_id]
        notice.emailed_to = ", ".join(to)
        if to:
            measured = state.rates_at or timezone.now()
            transaction.on_commit(lambda notice=notice, to=to, measured=measured: _send(notice, to, measured))
    BandwidthNotice.objects.bulk_update([notice for notice, _state in notices], ["emailed_to"])
    MonitoringEvent.objects.bulk_create(events)
    from monitoring.services import _publish_on_commit

    _publish_on_commit(events)
    return [notice for notice, _state in notices]


def thresholds_evaluate_all() -> list[BandwidthNotice]:
    """Evaluate every port with rates (tests, manual runs)."""
    return thresholds_evaluate(interface_ids=None)
