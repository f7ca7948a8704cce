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
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, NullIf
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
# pg_advisory_xact_lock key of the notice writers (any constant of the product's own).
NOTICE_LOCK = 0x5353_4257


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
    if not services:
        return services, ports
    for service_id, interface_id in committing.filter(service_id__in=list(services)).values_list(
        "service_id", "interface_id"
    ):
        ports[service_id].append(interface_id)
    return services, ports


def _monitoring_contacts(company_ids: set[int]) -> dict[int, list[str]]:
    """The companies' monitoring contacts who chose bandwidth alerts and are not in their quiet hours, in one
    query (companies without contacts get their members from :func:`_recipients`)."""
    from monitoring.check_models import MonitoringContact

    emails: dict[int, list[str]] = defaultdict(list)
    for contact in MonitoringContact.objects.filter(company_id__in=company_ids).order_by("company_id", "email"):
        if contact.wants("bandwidth") and contact.email not in emails[contact.company_id]:
            emails[contact.company_id].append(contact.email)
    return emails


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


def _level_expression(levels: tuple[int, ...]):
    """:func:`levels_reached`'s highest level as SQL over ``_peak`` (bit/s) and ``_commit`` (Mbit/s), for the
    prefilter of the ports measured alone (the level announced is computed again in Python)."""
    whens = []
    for level in sorted(levels, reverse=True):
        if level > 100:
            condition = Q(_peak__gt=F("_commit") * ((level - 1) * 1e4))
        else:
            condition = Q(_peak__gte=F("_commit") * (level * 1e4))
        whens.append(When(condition, then=Value(level)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _ports_alone(ids: list[int] | None, served: set[int], levels: tuple[int, ...]):
    """The states of ports measured alone (no bandwidth service on them) that may have something to say: at
    a level now, or back from one. Ports quietly under every level, the great majority, stay in the
    database: one query whatever the batch."""
    commit = Coalesce(NullIf(F("commit_mbps"), 0), NullIf(F("interface__speed"), 0))
    peak = Greatest(Coalesce(F("in_bps"), Value(0.0)), Coalesce(F("out_bps"), Value(0.0)))
    states = InterfaceState.objects.filter(rates_at__isnull=False)
    if ids is not None:
        states = states.filter(interface_id__in=ids)
    if served:
        states = states.exclude(interface_id__in=served)
    states = states.annotate(_peak=peak, _commit=commit).annotate(_level=_level_expression(levels))
    states = states.filter(_commit__isnull=False).filter(Q(_level__gt=0) | ~Q(threshold_level=0))
    return list(states.select_related("interface__device").order_by("interface_id"))


def _lock_notices() -> None:
    """Serialise the writers of new notices until the transaction ends (PostgreSQL; SQLite writes one at a
    time already), so that two ingest workers never announce the same level twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NOTICE_LOCK])


def _sent(period_start, service_ids, interface_ids) -> dict[tuple[str, int], set[int]]:
    sent: dict[tuple[str, int], set[int]] = defaultdict(set)
    already = BandwidthNotice.objects.filter(period_start=period_start).filter(
        Q(service_id__in=list(service_ids)) | Q(service__isnull=True, interface_id__in=list(interface_ids))
    )
    for service_id, interface_id, level in already.values_list("service_id", "interface_id", "level"):
        sent[("service", service_id) if service_id else ("port", interface_id)].add(level)
    return sent


@transaction.atomic
def thresholds_evaluate(*, interface_ids: Iterable[int] | None) -> list[BandwidthNotice]:
    """Announce every level newly reached by the services on ``interface_ids`` and by those ports themselves
    (``None``: every port with rates). Returns the notices made (none twice a month per level).

    A constant number of queries whatever the number of interfaces and of levels crossed: the services on
    these ports and their ports' states, the ports measured alone that are at a level (SQL prefilter), the
    notices already sent; when something is new, one lock, one re-read, one insert of every notice, one
    query of recipients per kind and one insert of the events.
    """
    ids = None if interface_ids is None else sorted({int(pk) for pk in interface_ids})
    if ids == []:
        return []
    levels = threshold_levels()
    today = timezone.localdate()
    period_start, period_end = month_period(today)
    services, ports = _service_ports(ids)
    served = {pk for service_ports in ports.values() for pk in service_ports}
    states = (
        {
            state.interface_id: state
            for state in InterfaceState.objects.select_related("interface__device").filter(
                rates_at__isnull=False, interface_id__in=served
            )
        }
        if served
        else {}
    )
    alone = _ports_alone(ids, served, levels)

    # (key, company_id, service, state, rate, commit): what to measure.
    subjects = []
    for service in services.values():
        service_states = [states[pk] for pk in ports[service.pk] if pk in states]
        if not service_states:
            continue
        rate = max(
            sum(state.in_bps or 0 for state in service_states), sum(state.out_bps or 0 for state in service_states)
        )
        commit = int(service.plan.product.commit_mbps * (service.quantity or 1))
        subjects.append((("service", service.pk), service.company_id, service, service_states[0], rate, commit))
    companies = port_companies([state.interface_id for state in alone]) if alone else {}
    for state in alone:
        rate = max(state.in_bps or 0, state.out_bps or 0)
        subjects.append(
            (("port", state.interface_id), companies.get(state.interface_id), None, state, rate, state.commit)
        )

    pending: list[tuple[tuple[str, int], BandwidthNotice, InterfaceState]] = []
    changed_states = []
    sent = _sent(period_start, services, [state.interface_id for state in alone])
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
            pending.append((key, notice, state))
    if changed_states:
        InterfaceState.objects.bulk_update(changed_states, ["threshold_level"])
    if not pending:
        return []

    # Another worker may have announced some of them since: look again under the lock.
    _lock_notices()
    sent = _sent(
        period_start,
        {notice.service_id for _key, notice, _state in pending if notice.service_id},
        {notice.interface_id for _key, notice, _state in pending if not notice.service_id},
    )
    pending = [(key, notice, state) for key, notice, state in pending if notice.level not in sent[key]]
    if not pending:
        return []
    recipients = _recipients({notice.company_id for _key, notice, _state in pending if notice.company_id})
    mails = []
    for _key, notice, state in pending:
        to = _noc() + (recipients.get(notice.company_id, []) if notice.company_id else [])
        notice.emailed_to = ", ".join(to)
        if to:
            mails.append((notice, to, state.rates_at or timezone.now()))
    notices = BandwidthNotice.objects.bulk_create([notice for _key, notice, _state in pending])
    events = [
        MonitoringEvent(
            device=state.interface.device,
            interface=state.interface,
            kind=EventKind.BANDWIDTH,
            severity=EventSeverity.CRITICAL if notice.level >= 100 else EventSeverity.WARNING,
            status=f"{notice.level}%",
            message=notice.message[:255],
            occurred_at=timezone.now(),
        )
        for _key, notice, state in pending
    ]
    MonitoringEvent.objects.bulk_create(events)
    for notice, to, measured in mails:
        transaction.on_commit(lambda notice=notice, to=to, measured=measured: _send(notice, to, measured))
    from monitoring.services import _publish_on_commit

    _publish_on_commit(events)
    return notices


def thresholds_evaluate_all() -> list[BandwidthNotice]:
    """Evaluate every port with rates (tests, manual runs)."""
    return thresholds_evaluate(interface_ids=None)
