"""The service lifecycle: create, provision, activate, suspend, request and withdraw a cancellation, cancel,
terminate; billing's next-billing-date marks and the scheduled cancellation of due services.

Each transition follows ``choices.SERVICE_TRANSITIONS``, stamps its time and records who did it in
``ServiceEvent`` and, through django-simple-history, in the service's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from catalog.choices import CancellationStatus, ServiceStatus
from catalog.dates import add_months, period_end_after
from catalog.models import CancellationRequest, Order, Plan, ProductOption, Service, ServicePlanPeriod
from catalog.services.common import (
    _check_options,
    _locked,
    _log,
    _require_orderer,
    _require_staff,
    _store,
    _today,
    _transition,
    money,
)
from catalog.services.resources import _release_resources
from core.services import instance_save


@transaction.atomic
def service_create(
    *,
    company: Company,
    plan: Plan,
    quantity: Decimal | int = 1,
    label: str = "",
    price_override: Decimal | None = None,
    options: Iterable[ProductOption] = (),
    contract_start: date | None = None,
    term_months: int | None = None,
    notes: str = "",
    order: Order | None = None,
    actor=None,
    starts_on: date | None = None,
) -> Service:
    """Create a pending service of ``company`` on ``plan`` with its first plan period (and setup fee)."""
    _require_staff(actor)
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    options = list(options)
    _check_options(plan, options)
    service = Service(
        company=company,
        plan=plan,
        quantity=quantity,
        label=label.strip(),
        price_override=money(price_override) if price_override is not None else None,
        contract_start=contract_start,
        term_months=plan.term_months if term_months is None else term_months,
        notes=notes,
        order=order,
        status=ServiceStatus.PENDING,
    )
    _store(service)
    if options:
        service.options.set(options)
    instance_save(
        ServicePlanPeriod(
            service=service,
            plan=plan,
            quantity=quantity,
            unit_price=service.unit_price,
            setup_fee=plan.one_time_amount,
            starts_on=starts_on or contract_start or _today(),
        )
    )
    _log(service, to_status=ServiceStatus.PENDING, actor=actor, reason=_("Service created."))
    return service


@transaction.atomic
def service_provision(*, service: Service, actor, reason: str = "") -> Service:
    """Pending → provisioning: staff start building it (linking racks, circuits, servers, IPs)."""
    _require_staff(actor)
    service, now = _transition(service, ServiceStatus.PROVISIONING, actor=actor, reason=reason)
    service.provisioning_at = now
    return _store(service)


@transaction.atomic
def service_activate(*, service: Service, actor, on: date | None = None, reason: str = "") -> Service:
    """Provisioning → active: billing starts ``on`` (default today); contract, renewal and next billing dates set.

    The first plan period is moved to start on the billing start when that comes earlier (a backdated
    activation), so billing covers the whole service.
    """
    _require_staff(actor)
    service, now = _transition(service, ServiceStatus.ACTIVE, actor=actor, reason=reason)
    start = on or timezone.localdate(now)
    service.activated_at = now
    service.billing_start_date = start
    service.contract_start = service.contract_start or start
    service.renewal_date = add_months(service.contract_start, service.term_months) if service.term_months else None
    service.next_billing_date = start
    first = service.plan_periods.order_by("starts_on", "pk").first()
    if first is not None and first.starts_on > start:
        first.starts_on = start
        instance_save(first)
    return _store(service)


@transaction.atomic
def service_suspend(*, service: Service, actor, reason: str) -> Service:
    """Active → suspended (for example for non-payment or abuse); the reason is required. Billing continues."""
    _require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the service is suspended; the customer will ask.")})
    service, now = _transition(service, ServiceStatus.SUSPENDED, actor=actor, reason=reason.strip())
    service.suspended_at = now
    return _store(service)


@transaction.atomic
def service_unsuspend(*, service: Service, actor, reason: str = "") -> Service:
    """Suspended → active again."""
    _require_staff(actor)
    service = _locked(service)
    if service.status != ServiceStatus.SUSPENDED:
        raise ValidationError(
            _("%(service)s is %(status)s, not suspended, so there is nothing to lift.")
            % {"service": service, "status": service.get_status_display().lower()}
        )
    service, _now = _transition(service, ServiceStatus.ACTIVE, actor=actor, reason=reason)
    service.suspended_at = None
    return _store(service)


def cancellation_effective_date_for(*, service: Service, requested: date | None = None) -> date:
    """When a cancellation takes effect (the first day no longer billed), from the contract terms.

    By default the end of the current billing period; a later requested date moves it to the end of the
    period containing that date; never before the minimum term is over.
    """
    today = _today()
    day = max(requested or today, today)
    if not service.billing_start_date or not service.plan.is_recurring:
        effective = day
    else:
        effective = period_end_after(
            anchor=service.billing_start_date, period=service.plan.recurring_period, day=day - timedelta(days=1)
        )
        effective = max(effective, service.billing_start_date)
    contract_end = service.contract_end
    if contract_end and effective < contract_end:
        effective = contract_end
    return effective


@transaction.atomic
def service_request_cancellation(
    *, service: Service, actor, effective_date: date | None = None, reason: str = ""
) -> Service:
    """Active or suspended → cancellation requested, effective on ``effective_date`` (default from the terms).

    Customers reach this only through :func:`cancellation_confirm` (the e-mailed link); staff may call it
    directly, for example after a phone call.
    """
    if actor is not None and not actor.is_staff:
        _require_orderer(actor, service.company)
    else:
        _require_staff(actor)
    service, now = _transition(service, ServiceStatus.CANCELLATION_REQUESTED, actor=actor, reason=reason)
    effective = effective_date or cancellation_effective_date_for(service=service)
    if effective < _today():
        raise ValidationError(_("A cancellation cannot take effect in the past."))
    if service.billing_start_date and effective < service.billing_start_date:
        raise ValidationError(_("A cancellation cannot take effect before the service was first billed."))
    service.cancellation_requested_at = now
    service.cancellation_effective_date = effective
    return _store(service)


@transaction.atomic
def service_withdraw_cancellation(*, service: Service, actor, reason: str = "") -> Service:
    """Cancellation requested → active: the customer changed their mind before the effective date.

    Staff may withdraw until the scheduled task has cancelled the service. Customers may withdraw their own
    company's pending cancellation while the effective date is still ahead, if their role may order and cancel
    (owner, billing). A confirmed cancellation request left with no service to cancel is marked withdrawn.
    """
    customer = actor is not None and not actor.is_staff
    if customer:
        _require_orderer(actor, service.company)
    else:
        _require_staff(actor)
    service = _locked(service)
    if service.status != ServiceStatus.CANCELLATION_REQUESTED:
        raise ValidationError(_("%(service)s has no pending cancellation to withdraw.") % {"service": service})
    effective = service.cancellation_effective_date
    if customer and effective is not None and effective <= _today():
        raise ValidationError(
            _(
                "The cancellation of %(service)s took effect on %(date)s, so it can no longer be withdrawn; "
                "order the service again or open a ticket."
            )
            % {"service": service, "date": effective.isoformat()}
        )
    service, _now = _transition(
        service, ServiceStatus.ACTIVE, actor=actor, reason=reason or _("Cancellation withdrawn.")
    )
    service.cancellation_requested_at = None
    service.cancellation_effective_date = None
    _store(service)
    CancellationRequest.objects.filter(status=CancellationStatus.CONFIRMED, services=service).exclude(
        services__status__in=(ServiceStatus.CANCELLATION_REQUESTED, ServiceStatus.CANCELLED)
    ).update(status=CancellationStatus.WITHDRAWN, last_updated=timezone.now())
    return service


@transaction.atomic
def service_cancel(*, service: Service, actor, on: date | None = None, reason: str = "") -> Service:
    """→ cancelled: billing stops and resources are released (IPs back to free with history, U reservations
    and circuits freed, cross-connects decommissioned; each rented server gets a ``ServerReturn`` and goes
    back to stock through DCIM's wipe checklist, see ``catalog.services.resale``).

    Billing stops on ``on``, else on the confirmed cancellation's effective date, else today.
    """
    _require_staff(actor)
    service, now = _transition(service, ServiceStatus.CANCELLED, actor=actor, reason=reason)
    end = on or service.cancellation_effective_date or timezone.localdate(now)
    service.cancelled_at = now
    if service.billing_start_date:
        service.billing_end_date = max(end, service.billing_start_date)
    service.cancellation_effective_date = service.cancellation_effective_date or end
    _store(service)
    _release_resources(service, actor=actor, reason=reason or _("Service cancelled."))
    return service


@transaction.atomic
def service_terminate(*, service: Service, actor, reason: str = "") -> Service:
    """Cancelled (or suspended, for abuse) → terminated/decommissioned: final; anything still held is released."""
    _require_staff(actor)
    service, now = _transition(service, ServiceStatus.TERMINATED, actor=actor, reason=reason)
    service.terminated_at = now
    if service.billing_start_date and not service.billing_end_date:
        service.billing_end_date = max(timezone.localdate(now), service.billing_start_date)
    _store(service)
    _release_resources(service, actor=actor, reason=reason or _("Service terminated."))
    return service


@transaction.atomic
def service_set_next_billing_date(*, service: Service, next_billing_date: date) -> Service:
    """Billing records how far a service has been invoiced (the start of the next period not yet billed)."""
    service = _locked(service)
    if service.billing_start_date is None:
        raise ValidationError(_("%(service)s is not billed yet: activate it first.") % {"service": service})
    if next_billing_date < service.billing_start_date:
        raise ValidationError(_("The next billing date cannot come before the service was first billed."))
    service.next_billing_date = next_billing_date
    service._change_reason = "billing run"
    service.save(update_fields=["next_billing_date", "last_updated"])
    return service


@transaction.atomic
def service_set_next_billing_dates(*, service_dates: Mapping[int, date]) -> int:
    """The bulk form of :func:`service_set_next_billing_date` for a billing run: ``{service id: date}``.

    Only ever forwards: a service whose next billing date is already on or after its date, one not billed yet,
    or one whose date would come before its billing start is left alone (ids the catalog does not know too).
    A constant number of queries whatever the number of services: one read of the services that move, one
    UPDATE per distinct date and one insert of their history rows ("billing run"). Returns how many moved.
    """
    if not service_dates:
        return 0
    by_date: dict[date, list[int]] = {}
    for service_id, until in service_dates.items():
        by_date.setdefault(until, []).append(service_id)
    moving = Q()
    for until, ids in by_date.items():
        moving |= Q(pk__in=ids, billing_start_date__lte=until) & (
            Q(next_billing_date__isnull=True) | Q(next_billing_date__lt=until)
        )
    services = list(
        Service.objects.select_for_update().filter(billing_start_date__isnull=False).filter(moving).order_by("pk")
    )
    if not services:
        return 0
    now = timezone.now()
    moved: dict[date, list[int]] = {}
    for service in services:
        until = service_dates[service.pk]
        service.next_billing_date = until
        service.last_updated = now
        moved.setdefault(until, []).append(service.pk)
    for until, ids in sorted(moved.items()):
        # The rows were selected (and locked) above with the forwards-only condition, so plain UPDATEs are safe.
        Service.objects.filter(pk__in=ids).update(next_billing_date=until, last_updated=now)
    Service.history.bulk_history_create(services, update=True, default_change_reason="billing run", default_date=now)
    return len(services)


def service_cancel_due(*, today: date | None = None) -> int:
    """Cancel every service whose confirmed cancellation takes effect by ``today``; the scheduled task runs it."""
    today = today or _today()
    due = Service.objects.filter(
        status=ServiceStatus.CANCELLATION_REQUESTED, cancellation_effective_date__lte=today
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        service_cancel(service=Service(pk=pk), actor=None, reason=_("Cancellation took effect."))
        count += 1
    return count
