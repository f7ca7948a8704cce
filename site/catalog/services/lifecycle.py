"""Every write of the catalog app: the service lifecycle, orders and upgrades, customer requests, cancellations.

Each function is keyword-only and atomic; bad input raises ``ValidationError`` (or ``PermissionDenied``) in the
user's terms and changes nothing. Lifecycle transitions follow ``choices.SERVICE_TRANSITIONS``; each one
stamps its time, records who did it in ``ServiceEvent`` and, through django-simple-history, in the service's
history.

The one place where an order reaches the tickets app is :func:`_open_provisioning_ticket`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from catalog.choices import (
    SERVICE_TRANSITIONS,
    CancellationStatus,
    OrderKind,
    OrderStatus,
    ProductKind,
    RequestStatus,
    ServiceEventKind,
    ServiceStatus,
)
from catalog.dates import add_months, period_end_after
from catalog.models import (
    ZERO,
    AdditionalIPRequest,
    CancellationRequest,
    ManagedServiceRequest,
    Order,
    OrderLine,
    Plan,
    ProductOption,
    Service,
    ServiceEvent,
    ServicePlanPeriod,
)

CENT = Decimal("0.01")
ORDER_PREFIX = "SO"
FIRST_ORDER_NUMBER = 100001
CANCELLATION_SALT = "serverstock.catalog.cancellation"
CANCELLATION_LINK_LIFETIME = timedelta(hours=48)
# Who may change a service's lifecycle, plan or resources (staff) and place orders for customers.
CHANGE_PERMISSION = "catalog.change_service"
ORDER_PERMISSION = "catalog.change_order"

# The verb of each target status, for refusals ("… cannot be suspended").
TRANSITION_VERBS = {
    ServiceStatus.PROVISIONING: "provisioned",
    ServiceStatus.ACTIVE: "activated",
    ServiceStatus.SUSPENDED: "suspended",
    ServiceStatus.CANCELLATION_REQUESTED: "put up for cancellation",
    ServiceStatus.CANCELLED: "cancelled",
    ServiceStatus.TERMINATED: "terminated",
}


def money(amount: Decimal) -> Decimal:
    """Round to the cent, half up (the convention for prices and totals)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def _today() -> date:
    return timezone.localdate()


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


# --- permissions -----------------------------------------------------------------------------------------


def _require_staff(actor, permission: str = CHANGE_PERMISSION) -> None:
    """Staff with ``permission``; ``None`` is the system itself (scheduled tasks, demo data)."""
    if actor is None:
        return
    if not actor.is_staff or not actor.has_perm(permission):
        raise PermissionDenied(_("Only staff who manage services may do this."))


def _membership(user, company) -> Membership | None:
    return Membership.objects.active().filter(user=user, company=company).first()


def _require_orderer(user, company: Company) -> None:
    """A member whose role may order (owner, billing), or staff allowed to take orders."""
    if user is not None and user.is_staff and user.has_perm(ORDER_PERMISSION):
        return
    membership = _membership(user, company) if user is not None else None
    if membership is None or not membership.can("order"):
        raise PermissionDenied(
            _("Your role at %(company)s does not allow ordering or cancelling services; ask an owner.")
            % {"company": company}
        )


# --- lifecycle -------------------------------------------------------------------------------------------


def _locked(service: Service) -> Service:
    return Service.objects.select_for_update(of=("self",)).select_related("plan__product", "company").get(pk=service.pk)


def _log(
    service: Service,
    *,
    kind: str = ServiceEventKind.TRANSITION,
    from_status: str = "",
    to_status: str = "",
    actor=None,
    reason: str = "",
    at: datetime | None = None,
) -> ServiceEvent:
    return ServiceEvent.objects.create(
        service=service,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        at=at or timezone.now(),
    )


def _transition(service: Service, to: str, *, actor, reason: str = "") -> tuple[Service, datetime]:
    """Lock ``service``, refuse a move the lifecycle does not allow, and log the move; the caller stamps dates."""
    service = _locked(service)
    current = service.status
    if to not in SERVICE_TRANSITIONS[current]:
        allowed = sorted(str(ServiceStatus(status).label).lower() for status in SERVICE_TRANSITIONS[current])
        nxt = ", ".join(allowed) if allowed else _("nothing: it is final")
        raise ValidationError(
            _("%(service)s is %(status)s, so it cannot be %(verb)s. From %(status)s it can only become: %(next)s.")
            % {
                "service": service,
                "status": service.get_status_display().lower(),
                "verb": _(TRANSITION_VERBS[to]),
                "next": nxt,
            }
        )
    now = timezone.now()
    service.status = to
    service._change_reason = reason or f"{current} → {to}"
    _log(service, from_status=current, to_status=to, actor=actor, reason=reason, at=now)
    return service, now


def _store(service: Service) -> Service:
    service.full_clean()
    service.save()
    return service


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
    _save(
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
        _save(first)
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
    """Cancellation requested → active: the customer changed their mind before the effective date."""
    _require_staff(actor)
    service = _locked(service)
    if service.status != ServiceStatus.CANCELLATION_REQUESTED:
        raise ValidationError(
            _("%(service)s has no pending cancellation to withdraw.") % {"service": service},
        )
    service, _now = _transition(service, ServiceStatus.ACTIVE, actor=actor, reason=reason)
    service.cancellation_requested_at = None
    service.cancellation_effective_date = None
    return _store(service)


@transaction.atomic
def service_cancel(*, service: Service, actor, on: date | None = None, reason: str = "") -> Service:
    """→ cancelled: billing stops and resources are released (IPs back to free with history, U reservations
    and circuits freed, cross-connects decommissioned; rented servers wait for the DCIM resale flow).

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


def _release_resources(service: Service, *, actor, reason: str) -> None:
    """Give back what the service held; one RELEASE event lists it. Each release keeps its own history."""
    from dcim.choices import CrossConnectStatus
    from ipam import services as ipam_services

    released: list[str] = []
    company = service.company
    when = timezone.now()
    for assignment in service.ip_assignments.filter(ended_at__isnull=True).select_related("prefix", "address"):
        try:
            if assignment.prefix_id:
                ipam_services.block_release(
                    prefix=assignment.prefix, actor=actor, reason=reason, company=company, when=when
                )
            elif assignment.address_id:
                ipam_services.ip_release(
                    address=assignment.address, actor=actor, reason=reason, company=company, when=when
                )
            else:
                continue
        except ValidationError:
            continue  # released already (by staff in IPAM): nothing left to give back
        released.append(assignment.network)
    for reservation in service.rack_reservations.select_related("rack"):
        released.append(str(reservation))
        reservation._change_reason = reason
        reservation.delete()
    for circuit in service.power_circuits.filter(company=company):
        circuit.company = None
        circuit.allocated_kw = ZERO
        circuit._change_reason = reason
        circuit.save()
        released.append(str(circuit))
    for rack in service.racks.filter(company=company):
        rack.company = None
        rack._change_reason = reason
        rack.save()
        released.append(str(rack))
    for cross_connect in service.cross_connects.exclude(status=CrossConnectStatus.DECOMMISSIONED):
        cross_connect.status = CrossConnectStatus.DECOMMISSIONED
        cross_connect._change_reason = reason
        cross_connect.save()
        released.append(str(cross_connect))
    servers = [str(device) for device in service.devices.filter(company=company, ownership="datacenter")]
    if not released and not servers:
        return
    text = _("Released: %(items)s.") % {"items": ", ".join(released)} if released else ""
    if servers:
        text += " " + _("Waiting for wipe and return to stock: %(servers)s.") % {"servers": ", ".join(servers)}
    _log(service, kind=ServiceEventKind.RELEASE, actor=actor, reason=text.strip())


# --- resources and plan changes --------------------------------------------------------------------------


RESOURCE_FIELDS = (
    "racks",
    "rack_reservations",
    "power_circuits",
    "cross_connects",
    "devices",
    "interfaces",
    "ip_assignments",
)


def _resource_problems(service: Service, resources: dict) -> list[str]:
    problems = []
    for name, objects in resources.items():
        for obj in objects or ():
            if name == "interfaces":
                ok = obj.device.company_id in (None, service.company_id)
            elif name == "racks":
                ok = obj.company_id in (None, service.company_id)
            else:
                ok = obj.company_id == service.company_id
            if not ok:
                problems.append(
                    _("%(object)s belongs to another customer, not %(company)s.")
                    % {"object": obj, "company": service.company}
                )
    return problems


@transaction.atomic
def service_set_resources(*, service: Service, actor, **resources: Sequence) -> Service:
    """Make the named resource lists exactly these (the admin's form); additions are checked as in
    :func:`service_link_resources`, and the change is logged."""
    _require_staff(actor)
    unknown = set(resources) - set(RESOURCE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown resources: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    service = _locked(service)
    added = {
        name: [o for o in objects if o not in set(getattr(service, name).all())] for name, objects in resources.items()
    }
    problems = _resource_problems(service, added)
    if problems:
        raise ValidationError(problems)
    changed = []
    for name, objects in resources.items():
        current = set(getattr(service, name).all())
        if current != set(objects):
            getattr(service, name).set(objects)
            changed.append(str(Service._meta.get_field(name).verbose_name))
    if changed:
        _log(
            service,
            kind=ServiceEventKind.RESOURCES,
            actor=actor,
            reason=_("Changed: %(items)s.") % {"items": ", ".join(changed)},
        )
    return service


@transaction.atomic
def service_link_resources(*, service: Service, actor, **resources: Sequence) -> Service:
    """Link what the service uses (``racks=``, ``rack_reservations=``, ``power_circuits=``, ``cross_connects=``,
    ``devices=``, ``interfaces=``, ``ip_assignments=``); each must belong to the service's company (switch
    ports: the provider's switches, or the customer's own devices)."""
    _require_staff(actor)
    unknown = set(resources) - set(RESOURCE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown resources: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    service = _locked(service)
    if service.status in (ServiceStatus.CANCELLED, ServiceStatus.TERMINATED):
        raise ValidationError(
            _("%(service)s is %(status)s; resources cannot be linked to it.")
            % {"service": service, "status": service.get_status_display().lower()}
        )
    linked = [str(obj) for objects in resources.values() for obj in objects or ()]
    problems = _resource_problems(service, resources)
    if problems:
        raise ValidationError(problems)
    for name, objects in resources.items():
        if objects:
            getattr(service, name).add(*objects)
    if linked:
        _log(
            service,
            kind=ServiceEventKind.RESOURCES,
            actor=actor,
            reason=_("Linked: %(items)s.") % {"items": ", ".join(linked)},
        )
    return service


@transaction.atomic
def service_upgrade(
    *,
    service: Service,
    plan: Plan,
    actor,
    effective_date: date | None = None,
    quantity: Decimal | int | None = None,
    price_override: Decimal | None = None,
    setup_fee: Decimal | None = None,
    reason: str = "",
) -> Service:
    """Change a service's plan (or quantity) from ``effective_date``: the current plan period ends that day and
    a new one starts, so billing prorates each part. ``setup_fee`` (default none) is charged on that date."""
    _require_staff(actor)
    service = _locked(service)
    effective = effective_date or _today()
    if service.status not in (
        ServiceStatus.PENDING,
        ServiceStatus.PROVISIONING,
        ServiceStatus.ACTIVE,
        ServiceStatus.SUSPENDED,
    ):
        raise ValidationError(
            _("%(service)s is %(status)s; only a running service can change plan.")
            % {"service": service, "status": service.get_status_display().lower()}
        )
    _check_upgrade_plan(service, plan)
    quantity = Decimal(service.quantity if quantity is None else quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    if plan.pk == service.plan_id and quantity == service.quantity and price_override is None:
        raise ValidationError(_("That is the plan and quantity the service has already."))
    periods = list(service.plan_periods.order_by("starts_on", "pk"))
    current = periods[-1] if periods else None
    if current is not None and effective < current.starts_on:
        raise ValidationError(
            _("The change cannot take effect before %(date)s, when the current plan started.")
            % {"date": current.starts_on.isoformat()}
        )
    before = f"{service.plan} × {service.quantity.normalize()}"
    service.plan = plan
    service.quantity = quantity
    service.price_override = money(price_override) if price_override is not None else None
    unit_price = service.unit_price
    if current is not None and current.starts_on == effective:
        current.plan, current.quantity, current.unit_price = plan, quantity, unit_price
        current.setup_fee = current.setup_fee + (setup_fee or ZERO)
        _save(current)
    else:
        if current is not None:
            current.ends_on = effective
            _save(current)
        _save(
            ServicePlanPeriod(
                service=service,
                plan=plan,
                quantity=quantity,
                unit_price=unit_price,
                setup_fee=money(setup_fee or ZERO),
                starts_on=effective,
            )
        )
    service._change_reason = reason or _("Plan change")
    _store(service)
    _log(
        service,
        kind=ServiceEventKind.PLAN_CHANGE,
        actor=actor,
        reason=(
            _("%(before)s → %(after)s from %(date)s. %(reason)s")
            % {
                "before": before,
                "after": f"{plan} × {quantity.normalize()}",
                "date": effective.isoformat(),
                "reason": reason,
            }
        ).strip(),
    )
    return service


def _check_upgrade_plan(service: Service, plan: Plan) -> None:
    if not plan.is_active or not plan.product.is_active:
        raise ValidationError(_("%(plan)s is not offered any more.") % {"plan": plan})
    if plan.product.category_id != service.plan.product.category_id:
        raise ValidationError(
            _("%(plan)s is a %(kind)s; %(service)s can only move to another plan of %(category)s.")
            % {
                "plan": plan,
                "kind": plan.product.get_kind_display().lower(),
                "service": service,
                "category": service.plan.product.category,
            }
        )
    if plan.currency != service.plan.currency:
        raise ValidationError(
            _("%(plan)s is priced in %(currency)s; the service is billed in %(current)s.")
            % {"plan": plan, "currency": plan.currency, "current": service.plan.currency}
        )


def _check_options(plan: Plan, options: Sequence[ProductOption]) -> None:
    for option in options:
        if option.product_id != plan.product_id or not option.is_active:
            raise ValidationError(
                {
                    "options": _("%(option)s is not an option of %(product)s.")
                    % {"option": option, "product": plan.product}
                }
            )


# --- orders ----------------------------------------------------------------------------------------------


def _next_order_number() -> str:
    last = Order.objects.select_for_update().order_by("-pk").values_list("number", flat=True).first()
    digits = last[len(ORDER_PREFIX) :] if last else ""
    return f"{ORDER_PREFIX}{int(digits) + 1 if digits.isdigit() else FIRST_ORDER_NUMBER}"


def _offered_plan(plan: Plan, *, staff: bool) -> Plan:
    """The plan as offered now; customers may order only what the catalog offers them."""
    plans = Plan.objects.select_related("product__category")
    plans = plans.filter(is_active=True, product__is_active=True) if staff else plans.offered()
    found = plans.filter(pk=getattr(plan, "pk", plan)).first()
    if found is None:
        raise ValidationError(_("%(plan)s is not offered; choose a plan from the catalog.") % {"plan": plan})
    return found


def _open_provisioning_ticket(*, order: Order, actor) -> None:
    """THE hook from orders to tickets: one ticket per order in the provisioning queue, listing its lines.

    The requester is the customer who ordered; when staff order on a customer's behalf, the company's first
    owner (or billing contact) is the requester and staff the actor.
    """
    from tickets import services as ticket_services
    from tickets.choices import TicketCategory
    from tickets.models import Queue

    requester = actor
    if actor is None or actor.is_staff or _membership(actor, order.company) is None:
        membership = (
            Membership.objects.active()
            .filter(company=order.company, role__in=("owner", "billing", "technical"))
            .select_related("user")
            .order_by("role", "pk")
            .first()
        )
        if membership is None:
            return  # a company without members: staff follow the order in the admin
        requester = membership.user
    lines = "\n".join(
        f"- {line.description} × {line.quantity.normalize()}: {line.unit_recurring} {order.currency}"
        f" / {line.recurring_period or 'one-time'}, setup {line.unit_one_time}"
        for line in order.lines.all()
    )
    body = _(
        "Order %(number)s (%(kind)s) from %(company)s.\n\n%(lines)s\n\n"
        "Recurring total: %(recurring)s %(currency)s. One-time total: %(one_time)s %(currency)s.\n\n%(note)s"
    ) % {
        "number": order.number,
        "kind": order.get_kind_display(),
        "company": order.company,
        "lines": lines,
        "recurring": order.total_recurring,
        "one_time": order.total_one_time,
        "currency": order.currency,
        "note": order.customer_note,
    }
    ticket = ticket_services.ticket_open(
        company=order.company,
        requester=requester,
        actor=actor if actor is not None and actor.is_staff else requester,
        subject=_("Order %(number)s: %(kind)s") % {"number": order.number, "kind": order.get_kind_display()},
        body=body.strip(),
        category=TicketCategory.PROVISIONING,
        queue=Queue.objects.filter(slug="provisioning", is_active=True).first(),
    )
    order.ticket = ticket
    order.save(update_fields=["ticket", "last_updated"])


@transaction.atomic
def order_place(
    *,
    company: Company,
    placed_by,
    lines: Sequence[dict],
    kind: str = OrderKind.NEW,
    service: Service | None = None,
    effective_date: date | None = None,
    customer_note: str = "",
) -> Order:
    """Record an order priced from the catalog and open its provisioning ticket.

    ``lines`` are dicts with ``plan``, optional ``quantity`` (default 1) and ``options``. An upgrade names
    the ``service`` (one of the company's) and has exactly one line; ``effective_date`` defaults to today.
    """
    _require_orderer(placed_by, company)
    staff = placed_by is not None and placed_by.is_staff
    if not lines:
        raise ValidationError(_("Choose at least one plan to order."))
    if kind == OrderKind.UPGRADE:
        if service is None or service.company_id != company.pk:
            raise ValidationError(_("Choose one of %(company)s's services to upgrade.") % {"company": company})
        if len(lines) != 1:
            raise ValidationError(_("An upgrade changes one service to one plan."))
        effective_date = effective_date or _today()
        if effective_date < _today() and not staff:
            raise ValidationError({"effective_date": _("An upgrade cannot start in the past.")})
    elif service is not None and service.company_id != company.pk:
        raise ValidationError(_("That service is not one of %(company)s's services.") % {"company": company})
    priced = []
    for requested in lines:
        plan = _offered_plan(requested["plan"], staff=staff)
        quantity = Decimal(requested.get("quantity") or 1)
        if quantity <= 0 or quantity != quantity.quantize(CENT):
            raise ValidationError({"quantity": _("Order a positive quantity (at most two decimals).")})
        options = list(requested.get("options") or ())
        _check_options(plan, options)
        priced.append((plan, quantity, options))
    currencies = {plan.currency for plan, _q, _o in priced}
    if len(currencies) > 1:
        raise ValidationError(_("Order plans of one currency at a time (%(list)s).") % {"list": ", ".join(currencies)})
    if kind == OrderKind.UPGRADE:
        _check_upgrade_plan(service, priced[0][0])
        if priced[0][0].pk == service.plan_id and priced[0][1] == service.quantity:
            raise ValidationError(_("That is the plan and quantity the service has already."))
    order = Order(
        number=_next_order_number(),
        company=company,
        kind=kind,
        placed_by=placed_by,
        service=service if kind == OrderKind.UPGRADE else None,
        effective_date=effective_date if kind == OrderKind.UPGRADE else None,
        currency=currencies.pop(),
        customer_note=(customer_note or "").strip(),
    )
    _save(order)
    total_recurring = total_one_time = ZERO
    for plan, quantity, options in priced:
        unit_recurring = (plan.recurring_amount or ZERO) + sum((o.recurring_amount for o in options), ZERO)
        unit_one_time = plan.one_time_amount + sum((o.one_time_amount for o in options), ZERO)
        line = _save(
            OrderLine(
                order=order,
                plan=plan,
                description=str(plan),
                quantity=quantity,
                unit_recurring=money(unit_recurring),
                unit_one_time=money(unit_one_time),
                recurring_period=plan.recurring_period,
            )
        )
        if options:
            line.options.set(options)
        total_recurring += line.total_recurring
        total_one_time += line.total_one_time
    order.total_recurring = money(total_recurring)
    order.total_one_time = money(total_one_time)
    order.save(update_fields=["total_recurring", "total_one_time", "last_updated"])
    _open_provisioning_ticket(order=order, actor=placed_by)
    return order


@transaction.atomic
def order_approve(*, order: Order, actor, reason: str = "") -> Order:
    """Staff accept an order: new services are created (pending, to provision and activate); an upgrade
    changes the service's plan from the order's effective date."""
    _require_staff(actor, ORDER_PERMISSION)
    order = Order.objects.select_for_update(of=("self",)).select_related("company", "service").get(pk=order.pk)
    if order.status != OrderStatus.SUBMITTED:
        raise ValidationError(
            _("Order %(number)s is %(status)s already.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    lines = list(order.lines.select_related("plan__product").prefetch_related("options"))
    if order.kind == OrderKind.UPGRADE:
        line = lines[0]
        service_upgrade(
            service=order.service,
            plan=line.plan,
            quantity=line.quantity,
            effective_date=order.effective_date or _today(),
            actor=actor,
            reason=_("Order %(number)s") % {"number": order.number},
        )
        line.service = order.service
        line.save(update_fields=["service", "last_updated"])
    else:
        for line in lines:
            line.service = service_create(
                company=order.company,
                plan=line.plan,
                quantity=line.quantity,
                options=line.options.all(),
                order=order,
                actor=actor,
            )
            line.save(update_fields=["service", "last_updated"])
        if order.kind == OrderKind.ADDITIONAL_IPS:
            AdditionalIPRequest.objects.filter(order=order, service__isnull=True).update(service=lines[0].service)
    order.status = OrderStatus.APPROVED
    order.decided_by = actor
    order.decided_at = timezone.now()
    order.decision_reason = reason
    order.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "last_updated"])
    return order


@transaction.atomic
def order_reject(*, order: Order, actor, reason: str) -> Order:
    """Staff decline an order, saying why (the customer sees the reason)."""
    _require_staff(actor, ORDER_PERMISSION)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the order is declined; the customer will see it.")})
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.SUBMITTED:
        raise ValidationError(
            _("Order %(number)s is %(status)s already.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    order.status = OrderStatus.REJECTED
    order.decided_by = actor
    order.decided_at = timezone.now()
    order.decision_reason = reason.strip()
    order.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "last_updated"])
    AdditionalIPRequest.objects.filter(order=order).update(status=RequestStatus.REJECTED)
    ManagedServiceRequest.objects.filter(order=order).update(status=RequestStatus.REJECTED)
    return order


# --- customer requests -----------------------------------------------------------------------------------


@transaction.atomic
def additional_ip_request_create(
    *,
    company: Company,
    requested_by,
    plan: Plan,
    purpose: str,
    hosts_now: int,
    hosts_in_6_months: int = 0,
    hosts_in_12_months: int = 0,
    utilisation_plan: str = "",
    network_name: str = "",
    service: Service | None = None,
    customer_note: str = "",
) -> AdditionalIPRequest:
    """A customer asks for an IP block: the ARIN justification is recorded in IPAM as "submitted" (the pending
    assignment request), and the block is ordered (priced from ``plan``, an IP block plan)."""
    from ipam import services as ipam_services
    from ipam.choices import JustificationStatus

    _require_orderer(requested_by, company)
    if plan.product.kind != ProductKind.IP_BLOCK:
        raise ValidationError({"plan": _("%(plan)s is not an IP block.") % {"plan": plan}})
    if service is not None and service.company_id != company.pk:
        raise ValidationError({"service": _("That service is not one of %(company)s's.") % {"company": company}})
    product = plan.product
    justification = ipam_services.justification_create(
        company=company,
        purpose=purpose,
        hosts_now=hosts_now,
        hosts_in_6_months=hosts_in_6_months,
        hosts_in_12_months=hosts_in_12_months,
        utilisation_plan=utilisation_plan,
        network_name=network_name,
        requested_family=product.ip_family,
        requested_prefix_length=product.ip_prefix_length,
        status=JustificationStatus.SUBMITTED,
        actor=requested_by,
    )
    size = 2 ** ((32 if product.ip_family == 4 else 128) - (product.ip_prefix_length or 32))
    if product.ip_family == 4 and hosts_in_12_months > size:
        raise ValidationError(
            {
                "hosts_in_12_months": _(
                    "A /%(length)s holds %(size)s addresses; choose a larger block for %(hosts)s hosts."
                )
                % {"length": product.ip_prefix_length, "size": size, "hosts": hosts_in_12_months}
            }
        )
    order = order_place(
        company=company,
        placed_by=requested_by,
        lines=[{"plan": plan}],
        kind=OrderKind.ADDITIONAL_IPS,
        customer_note="\n".join(filter(None, [_("Purpose: %(purpose)s") % {"purpose": purpose}, customer_note])),
    )
    return _save(
        AdditionalIPRequest(
            company=company,
            service=service,
            order=order,
            justification=justification,
            requested_prefix_length=product.ip_prefix_length,
            requested_family=product.ip_family,
            requested_by=requested_by,
        )
    )


@transaction.atomic
def additional_ip_request_fulfil(*, request: AdditionalIPRequest, prefix, actor) -> AdditionalIPRequest:
    """Staff assign a block for an approved request: IPAM records the assignment with the (now approved)
    justification, and it is linked to the request's service."""
    from ipam import services as ipam_services
    from ipam.choices import JustificationStatus

    _require_staff(actor)
    request = (
        AdditionalIPRequest.objects.select_for_update(of=("self",))
        .select_related("justification", "order")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.SUBMITTED:
        raise ValidationError(_("This request is %(status)s already.") % {"status": request.get_status_display()})
    if request.order and request.order.status != OrderStatus.APPROVED:
        raise ValidationError(_("Approve order %(number)s first.") % {"number": request.order.number})
    justification = request.justification
    justification.status = JustificationStatus.APPROVED
    ipam_services.record_save(instance=justification)
    target = request.service
    assignment = ipam_services.block_assign(
        prefix=prefix,
        company=request.company,
        justification=justification,
        service=target,
        reason=_("Additional IP request #%(number)s") % {"number": request.pk},
        actor=actor,
    )
    if target is not None:
        service_link_resources(service=target, actor=actor, ip_assignments=[assignment])
    request.assignment = assignment
    request.status = RequestStatus.FULFILLED
    return _save(request)


@transaction.atomic
def managed_service_request_create(
    *, company: Company, requested_by, plan: Plan, for_service: Service | None = None, details: str = ""
) -> ManagedServiceRequest:
    """A customer asks for a managed service (monitoring, backups, OS management, patching); it becomes an
    order of ``plan`` with its provisioning ticket."""
    _require_orderer(requested_by, company)
    if plan.product.kind != ProductKind.MANAGED_SERVICE:
        raise ValidationError({"plan": _("%(plan)s is not a managed service.") % {"plan": plan}})
    if for_service is not None and for_service.company_id != company.pk:
        raise ValidationError({"for_service": _("That service is not one of %(company)s's.") % {"company": company}})
    note = details.strip()
    if for_service is not None:
        note = _("For %(service)s. %(details)s") % {"service": for_service, "details": note}
    order = order_place(
        company=company,
        placed_by=requested_by,
        lines=[{"plan": plan}],
        kind=OrderKind.MANAGED_SERVICE,
        customer_note=note.strip(),
    )
    return _save(
        ManagedServiceRequest(
            company=company,
            service_kind=plan.product.managed_service_kind,
            plan=plan,
            for_service=for_service,
            details=details.strip(),
            order=order,
            requested_by=requested_by,
        )
    )


# --- cancellation by e-mail confirmation -----------------------------------------------------------------


def cancellation_token(request: CancellationRequest, service_ids: Iterable[int] | None = None) -> str:
    """The signed link payload: the request, the user it was sent to, the services and the single-use nonce."""
    ids = sorted(service_ids if service_ids is not None else request.services.values_list("pk", flat=True))
    return signing.dumps(
        {"c": request.pk, "u": request.requested_by_id, "s": ids, "n": request.nonce}, salt=CANCELLATION_SALT
    )


@transaction.atomic
def cancellation_request_create(
    *,
    company: Company,
    requested_by,
    services: Sequence[Service],
    reason: str = "",
    requested_end_date: date | None = None,
    base_url: str = "",
) -> CancellationRequest:
    """Record a customer's wish to cancel ``services`` and e-mail them a link to confirm it (after commit).

    Nothing changes on the services until the link is opened by the same user (:func:`cancellation_confirm`).
    """
    _require_orderer(requested_by, company)
    services = list(services)
    if not services:
        raise ValidationError(_("Choose the services to cancel."))
    for service in services:
        if service.company_id != company.pk:
            raise ValidationError(_("That service is not one of %(company)s's.") % {"company": company})
        if service.status not in (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED):
            raise ValidationError(
                _("%(service)s is %(status)s; only active or suspended services can be cancelled.")
                % {"service": service, "status": service.get_status_display().lower()}
            )
    if requested_end_date and requested_end_date < _today():
        raise ValidationError({"requested_end_date": _("The end date cannot be in the past.")})
    request = _save(
        CancellationRequest(
            company=company,
            requested_by=requested_by,
            reason=(reason or "").strip(),
            requested_end_date=requested_end_date,
            nonce=secrets.token_hex(16),
            expires_at=timezone.now() + CANCELLATION_LINK_LIFETIME,
        )
    )
    request.services.set(services)
    link = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + reverse(
        "portal:service_cancel_confirm", args=[cancellation_token(request, [s.pk for s in services])]
    )
    context = {
        "cancellation": request,
        "services": [(s, cancellation_effective_date_for(service=s, requested=requested_end_date)) for s in services],
        "link": link,
        "hours": int(CANCELLATION_LINK_LIFETIME.total_seconds() // 3600),
    }
    body = render_to_string("catalog/email/cancellation_confirm.txt", context)
    subject = _("Confirm the cancellation of your services at %(company)s") % {"company": company}
    recipient = requested_by.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
    return request


def cancellation_from_token(token: str, *, user) -> CancellationRequest:
    """The pending request a link names; a clear error when it is forged, expired, used, or not this user's."""
    try:
        payload = signing.loads(token, salt=CANCELLATION_SALT, max_age=CANCELLATION_LINK_LIFETIME)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This confirmation link has expired. Request the cancellation again.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This confirmation link is not valid. Check that you copied all of it.")) from error
    request = CancellationRequest.objects.select_related("company").filter(pk=payload.get("c")).first()
    if request is None or request.nonce != payload.get("n"):
        raise ValidationError(_("This confirmation link is not valid. Check that you copied all of it."))
    if user is None or not user.is_authenticated or user.pk != payload.get("u") or request.requested_by_id != user.pk:
        raise PermissionDenied(_("This link was sent to another user; only they can confirm this cancellation."))
    if sorted(request.services.values_list("pk", flat=True)) != payload.get("s"):
        raise ValidationError(_("This confirmation link is not valid. Check that you copied all of it."))
    if request.status == CancellationStatus.CONFIRMED:
        raise ValidationError(
            _("This cancellation was already confirmed on %(date)s.")
            % {"date": timezone.localtime(request.confirmed_at).date().isoformat()}
        )
    if request.status != CancellationStatus.AWAITING_CONFIRMATION:
        raise ValidationError(_("This cancellation request was withdrawn."))
    if request.expires_at <= timezone.now():
        raise ValidationError(_("This confirmation link has expired. Request the cancellation again."))
    return request


@transaction.atomic
def cancellation_confirm(*, token: str, user) -> CancellationRequest:
    """Confirm a cancellation once: each service becomes "cancellation requested" with its effective date
    from the contract terms (the requested end date, at the end of its billing period, after the minimum term)."""
    request = cancellation_from_token(token, user=user)
    request = CancellationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != CancellationStatus.AWAITING_CONFIRMATION:
        raise ValidationError(_("This cancellation was already confirmed."))
    _require_orderer(user, request.company)
    for service in request.services.select_related("plan").order_by("pk"):
        effective = cancellation_effective_date_for(service=service, requested=request.requested_end_date)
        service_request_cancellation(
            service=service,
            actor=user,
            effective_date=effective,
            reason=request.reason or _("Confirmed by e-mail (request #%(number)s).") % {"number": request.pk},
        )
    request.status = CancellationStatus.CONFIRMED
    request.confirmed_at = timezone.now()
    request.save(update_fields=["status", "confirmed_at", "last_updated"])
    return request
