"""What a service uses and what it is on: linking and setting resources, releasing them when the service ends,
and plan changes (upgrades) that billing prorates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import ServiceEventKind, ServiceStatus
from catalog.models import ZERO, Plan, ProductOption, Service, ServicePlanPeriod
from catalog.services.common import _check_options, _locked, _log, _require_staff, _store, _today, money
from catalog.services.resale import _open_server_returns
from core.services import instance_save


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
    servers, kept = _open_server_returns(service, reason=reason)
    if not released and not servers and not kept:
        return
    text = _("Released: %(items)s.") % {"items": ", ".join(released)} if released else ""
    if servers:
        text += " " + _("Waiting for wipe and return to stock: %(servers)s.") % {"servers": ", ".join(servers)}
    if kept:
        text += " " + _("Kept for other services: %(servers)s.") % {"servers": ", ".join(kept)}
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
    options: Iterable[ProductOption] | None = None,
    reason: str = "",
) -> Service:
    """Change a service's plan (or quantity, or add-on options) from ``effective_date``: the current plan period
    ends that day and a new one starts, so billing prorates each part. ``setup_fee`` (default none) is charged
    on that date.

    ``options`` (each offered with ``plan``) become the service's add-ons; ``None`` keeps those still offered
    with the new plan. A change of options alone changes no plan period.
    """
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
    current_options = set(service.options.all())
    if options is None:
        options = [option for option in current_options if option.product_id == plan.product_id and option.is_active]
    options = list(dict.fromkeys(options))
    _check_options(plan, options)
    options_change = set(options) != current_options
    if plan.pk == service.plan_id and quantity == service.quantity and price_override is None:
        if not options_change:
            raise ValidationError(_("That is the plan, quantity and options the service has already."))
        service.options.set(options)
        _log(
            service,
            kind=ServiceEventKind.PLAN_CHANGE,
            actor=actor,
            reason=(
                _("Options from %(date)s: %(options)s. %(reason)s")
                % {
                    "date": effective.isoformat(),
                    "options": ", ".join(sorted(o.name for o in options)) or _("none"),
                    "reason": reason,
                }
            ).strip(),
        )
        return service
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
        instance_save(current)
    else:
        if current is not None:
            current.ends_on = effective
            instance_save(current)
        instance_save(
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
    if options_change:
        service.options.set(options)
    _log(
        service,
        kind=ServiceEventKind.PLAN_CHANGE,
        actor=actor,
        reason=(
            _("%(before)s → %(after)s from %(date)s. %(reason)s")
            % {
                "before": before,
                "after": f"{plan} × {quantity.normalize()}"
                + (f" + {', '.join(sorted(o.name for o in options))}" if options else ""),
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


# The fields of a service that change only through a lifecycle step or an upgrade (plan changes are billed).
UPGRADE_FIELDS = ("company", "plan", "quantity", "price_override", "order")


@transaction.atomic
def service_open(*, actor=None, **fields) -> Service:
    """The admin's and API's "add service": :func:`service_create` with the form's fields, then the resources
    it names through :func:`service_set_resources` (checked to be the customer's, and logged)."""
    from catalog.services.lifecycle import service_create
    from core.writes import call_service

    resources = {name: list(fields.pop(name)) for name in RESOURCE_FIELDS if name in fields}
    service = call_service(service_create, actor=actor, **fields)
    if any(resources.values()):
        service_set_resources(service=service, actor=actor, **resources)
    return service


@transaction.atomic
def service_update(*, service: Service, actor=None, **fields) -> Service:
    """Change a service's label, notes, term, add-ons and resources; its plan, quantity, price and company
    change only through "Change plan" (:func:`service_upgrade`), its status only through the lifecycle."""
    _require_staff(actor)
    refused = sorted(set(fields) & {*UPGRADE_FIELDS, "status"})
    if refused:
        raise ValidationError(
            _("%(fields)s change through Change plan or a lifecycle step.") % {"fields": ", ".join(refused)}
        )
    resources = {name: list(fields.pop(name)) for name in RESOURCE_FIELDS if name in fields}
    options = fields.pop("options", None)
    service = _locked(service)
    if options is not None:
        options = list(options)
        _check_options(service.plan, options)
        service.options.set(options)
    if fields:
        for name, value in fields.items():
            setattr(service, name, value)
        _store(service)
    if resources:
        service_set_resources(service=service, actor=actor, **resources)
    return service
