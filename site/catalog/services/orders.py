"""Orders priced from the catalog: placing (with add-on options), approving and rejecting, managed-service
requests; an order reaches the tickets app only through ``ORDER_PLACED_HOOKS`` (tickets.provisioning).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from catalog.choices import OrderKind, OrderStatus, ProductKind, RequestStatus
from catalog.models import ZERO, AdditionalIPRequest, ManagedServiceRequest, Order, OrderLine, Plan, Service
from catalog.services.common import (
    CENT,
    ORDER_PERMISSION,
    _check_options,
    _require_orderer,
    _require_staff,
    _today,
    money,
)
from catalog.services.lifecycle import service_create
from catalog.services.resources import _check_upgrade_plan, service_upgrade
from core.services import instance_save

# --- orders ----------------------------------------------------------------------------------------------

ORDER_PREFIX = "SO"
FIRST_ORDER_NUMBER = 100001
# Far beyond any real order, well inside the columns: a quantity, and a line's or an order's total.
MAX_ORDER_QUANTITY = Decimal("10000")
MAX_ORDER_TOTAL = Decimal("999999999.99")


def order_quantity(value) -> Decimal:
    """A quantity to order: positive, at most two decimals and at most ``MAX_ORDER_QUANTITY`` (else 400)."""
    try:
        quantity = Decimal(str(value).strip()) if value not in (None, "") else Decimal(1)
    except (InvalidOperation, ValueError, TypeError):
        quantity = None
    if quantity is None or not quantity.is_finite():
        raise ValidationError({"quantity": _("Give the quantity as a number, such as 1 or 2.5.")})
    if quantity <= 0 or quantity > MAX_ORDER_QUANTITY or quantity != quantity.quantize(CENT):
        raise ValidationError(
            {
                "quantity": _("Order a positive quantity of at most %(max)s (at most two decimals).")
                % {"max": f"{MAX_ORDER_QUANTITY:,}"}
            }
        )
    return quantity


def _check_total(total: Decimal, currency: str) -> None:
    if total > MAX_ORDER_TOTAL:
        raise ValidationError(
            _("An order may total at most %(max)s %(currency)s; order fewer or split the order.")
            % {"max": f"{MAX_ORDER_TOTAL:,}", "currency": currency}
        )


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


# Called as hook(order=, actor=) once an order is placed, inside its transaction: the tickets app registers
# the provisioning ticket (tickets.provisioning), so catalog never imports tickets.
ORDER_PLACED_HOOKS: list[Callable] = []


def register_order_placed_hook(hook: Callable) -> None:
    if hook not in ORDER_PLACED_HOOKS:
        ORDER_PLACED_HOOKS.append(hook)


def _unit_recurring(plan: Plan, options) -> Decimal:
    return (plan.recurring_amount or ZERO) + sum((o.recurring_amount for o in options), ZERO)


def _unit_one_time(plan: Plan, options) -> Decimal:
    return plan.one_time_amount + sum((o.one_time_amount for o in options), ZERO)


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
        quantity = order_quantity(requested.get("quantity"))
        options = list(dict.fromkeys(requested.get("options") or ()))
        _check_options(plan, options)
        priced.append((plan, quantity, options))
    currencies = {plan.currency for plan, _q, _o in priced}
    if len(currencies) > 1:
        raise ValidationError(_("Order plans of one currency at a time (%(list)s).") % {"list": ", ".join(currencies)})
    # Totals are checked before anything is saved: a total beyond the money columns would break every page
    # that lists the order.
    sums = {"recurring": ZERO, "one_time": ZERO}
    for plan, quantity, options in priced:
        sums["recurring"] += _unit_recurring(plan, options) * quantity
        sums["one_time"] += _unit_one_time(plan, options) * quantity
        for line_total in (_unit_recurring(plan, options) * quantity, _unit_one_time(plan, options) * quantity):
            _check_total(line_total, plan.currency)
    for total in sums.values():
        _check_total(total, next(iter(currencies)))
    if kind == OrderKind.UPGRADE:
        _check_upgrade_plan(service, priced[0][0])
        plan, quantity, options = priced[0]
        if plan.pk == service.plan_id and quantity == service.quantity and set(options) == set(service.options.all()):
            raise ValidationError(_("That is the plan, quantity and options the service has already."))
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
    instance_save(order)
    total_recurring = total_one_time = ZERO
    for plan, quantity, options in priced:
        unit_recurring = _unit_recurring(plan, options)
        unit_one_time = _unit_one_time(plan, options)
        line = instance_save(
            OrderLine(
                order=order,
                plan=plan,
                description=(
                    str(plan) + "".join(f" + {option.name}" for option in sorted(options, key=lambda o: o.name))
                )[:255],
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
    for hook in ORDER_PLACED_HOOKS:
        hook(order=order, actor=placed_by)
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
            options=list(line.options.all()),
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
    return instance_save(
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
