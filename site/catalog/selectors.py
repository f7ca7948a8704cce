"""Reads spanning the catalog models; ``billable_lines`` is the interface billing builds invoices from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q

from catalog.choices import ServiceStatus
from catalog.models import Service, ServicePlanPeriod

RECURRING = "recurring"
ONE_TIME = "one_time"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class BillableLine:
    """One thing to invoice for a service inside a billing window.

    * ``kind`` is ``"recurring"`` or ``"one_time"``.
    * ``unit_price`` is the full price of ONE recurring period (of the plan's period: monthly, quarterly or
      annual) for recurring lines, or the one-time amount for one-time lines; billing prorates recurring
      lines itself from ``period_start``/``period_end``.
    * ``period_start`` (inclusive) and ``period_end`` (exclusive) are the dates inside the requested window
      during which the service was billable on this plan. A one-time line covers its single charge day
      (``period_end = period_start + 1 day``).
    """

    service_id: int
    company_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    taxable: bool
    period_start: date
    period_end: date
    kind: str
    # The plan's billing period ("monthly", "quarterly", "annual"; "" for one-time lines), for prorating.
    recurring_period: str = ""
    # What of the service the line bills: "plan" for the plan itself, "option:<option id>" for an add-on
    # option. Part of billing's idempotency key, so a service's plan and each option are billed once per period.
    component: str = "plan"


def service_billing_end(service: Service) -> date | None:
    """The first day ``service`` is no longer billed (exclusive end), or None while it runs on.

    Cancelled and terminated services stop at ``billing_end_date``; a confirmed cancellation request already
    bounds billing at its effective date, so a window that spans the effective date is billed correctly even
    before the scheduled task has cancelled the service.
    """
    if service.billing_end_date:
        return service.billing_end_date
    if service.status == ServiceStatus.CANCELLATION_REQUESTED and service.cancellation_effective_date:
        return service.cancellation_effective_date
    return None


def _clip(start: date, end: date | None, window_start: date, window_end: date) -> tuple[date, date] | None:
    low = max(start, window_start)
    high = min(end, window_end) if end else window_end
    return (low, high) if low < high else None


def billable_lines(*, period_start: date, period_end: date, company_id: int | None = None) -> list[BillableLine]:
    """Everything billable between ``period_start`` (inclusive) and ``period_end`` (exclusive).

    Rules:

    * A service is billable from ``billing_start_date`` (set when staff activate it) until
      :func:`service_billing_end` (cancellation or termination). Pending and provisioning services have no
      billing start yet and yield nothing. **Suspended services are still billed** (suspension restricts
      the customer's use, typically for non-payment; the contract runs on).
    * One recurring line per plan period (``ServicePlanPeriod``) overlapping the billable part of the
      window: an upgrade inside the window gives two lines, each with its own dates, plan price and quantity.
      Plan lines have ``component="plan"``.
    * One one-time line per plan period whose setup fee falls due inside the window (the day the period
      first became billable: the activation for a new service, the effective date for an upgrade that
      carries a fee), quantity as the plan period's.
    * Add-on options: one recurring line per option over the service's billable part of the window, billed
      with the period of the service's current plan, and a one-time line when the service started billing
      inside the window and the option has a one-time price; option lines have ``component="option:<id>"``.
    * Plans without a recurring price (one-off products such as setup fees or remote-hands blocks) only give
      one-time lines.

    Always three queries, whatever the number of services. Lines are ordered by company, service, date.
    """
    if period_end <= period_start:
        raise ValidationError("The billing window must end after it starts.")
    services = Service.objects.filter(billing_start_date__isnull=False, billing_start_date__lt=period_end).filter(
        Q(billing_end_date__isnull=True) | Q(billing_end_date__gt=period_start)
    )
    if company_id is not None:
        services = services.filter(company_id=company_id)
    services = services.select_related("plan__product").prefetch_related(
        Prefetch(
            "plan_periods",
            queryset=ServicePlanPeriod.objects.filter(starts_on__lt=period_end)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=period_start))
            .select_related("plan__product")
            .order_by("starts_on", "pk"),
            to_attr="window_periods",
        ),
        "options",
    )
    lines: list[BillableLine] = []
    for service in services.order_by("company_id", "pk"):
        billed_from, billed_until = service.billing_start_date, service_billing_end(service)
        name = f" ({service.label})" if service.label else ""
        for segment in service.window_periods:
            plan, product = segment.plan, segment.plan.product
            description = f"{product.name}: {plan.name}{name}"
            start = max(segment.starts_on, billed_from)
            end = min(filter(None, (segment.ends_on, billed_until)), default=None)
            if plan.is_recurring and segment.unit_price is not None:
                clipped = _clip(start, end, period_start, period_end)
                if clipped:
                    lines.append(
                        BillableLine(
                            service_id=service.pk,
                            company_id=service.company_id,
                            description=description,
                            quantity=segment.quantity,
                            unit_price=segment.unit_price,
                            currency=plan.currency,
                            taxable=plan.taxable,
                            period_start=clipped[0],
                            period_end=clipped[1],
                            kind=RECURRING,
                            recurring_period=plan.recurring_period,
                        )
                    )
            due = start
            if segment.setup_fee and period_start <= due < period_end and (end is None or due < end):
                lines.append(
                    BillableLine(
                        service_id=service.pk,
                        company_id=service.company_id,
                        description=f"{description}: setup",
                        quantity=segment.quantity,
                        unit_price=segment.setup_fee,
                        currency=plan.currency,
                        taxable=plan.taxable,
                        period_start=due,
                        period_end=due + ONE_DAY,
                        kind=ONE_TIME,
                    )
                )
        clipped = _clip(billed_from, billed_until, period_start, period_end)
        for option in service.options.all():
            description = f"{service.plan.product.name}: {option.name}{name}"
            if option.recurring_amount and clipped and service.plan.is_recurring:
                lines.append(
                    BillableLine(
                        service_id=service.pk,
                        company_id=service.company_id,
                        description=description,
                        quantity=Decimal("1"),
                        unit_price=option.recurring_amount,
                        currency=option.currency,
                        taxable=option.taxable,
                        period_start=clipped[0],
                        period_end=clipped[1],
                        kind=RECURRING,
                        recurring_period=service.plan.recurring_period,
                        component=f"option:{option.pk}",
                    )
                )
            if option.one_time_amount and period_start <= billed_from < period_end:
                lines.append(
                    BillableLine(
                        service_id=service.pk,
                        company_id=service.company_id,
                        description=f"{description}: setup",
                        quantity=Decimal("1"),
                        unit_price=option.one_time_amount,
                        currency=option.currency,
                        taxable=option.taxable,
                        period_start=billed_from,
                        period_end=billed_from + ONE_DAY,
                        kind=ONE_TIME,
                        component=f"option:{option.pk}",
                    )
                )
    return lines


def company_services(queryset):
    """The portal's service list: relations selected, resources counted in constant queries.

    A circuit is named by its panel (selected with it: a query per circuit otherwise); of a device the list
    shows only its name (a whole row would decrypt its five secrets).
    """
    from dcim.models import Device, PowerCircuit

    return queryset.select_related("plan__product").prefetch_related(
        "racks",
        "rack_reservations__rack",
        Prefetch("power_circuits", queryset=PowerCircuit.objects.select_related("panel")),
        "cross_connects",
        Prefetch("devices", queryset=Device.objects.only("name")),
        "ip_assignments",
    )


def service_resources(service: Service) -> dict[str, list]:
    """What a service uses, by kind, for its detail page."""
    return {
        "racks": list(service.racks.all()),
        "rack_reservations": list(service.rack_reservations.select_related("rack")),
        "power_circuits": list(service.power_circuits.all()),
        "cross_connects": list(service.cross_connects.all()),
        "devices": list(service.devices.all()),
        "interfaces": list(service.interfaces.select_related("device")),
        "ip_assignments": list(service.ip_assignments.all()),
    }


def dashboard_cards(request) -> list[dict]:
    """Admin dashboard figures: orders waiting for approval, active services, cancellations pending."""
    from django.db.models import Count
    from django.urls import reverse

    from catalog.choices import OrderStatus
    from catalog.models import Order

    cards = []
    if request.user.has_perm("catalog.view_order"):
        waiting = Order.objects.filter(status=OrderStatus.SUBMITTED).count()
        cards.append(
            {
                "title": "Orders to approve",
                "value": waiting,
                "link": reverse("admin:catalog_order_changelist") + "?status__exact=submitted",
                "footer": "priced from the catalog, each with a provisioning ticket",
            }
        )
    if request.user.has_perm("catalog.view_service"):
        counts = Service.objects.aggregate(
            active=Count("pk", filter=Q(status=ServiceStatus.ACTIVE)),
            cancelling=Count("pk", filter=Q(status=ServiceStatus.CANCELLATION_REQUESTED)),
            suspended=Count("pk", filter=Q(status=ServiceStatus.SUSPENDED)),
        )
        cards.append(
            {
                "title": "Active services",
                "value": counts["active"],
                "link": reverse("admin:catalog_service_changelist") + "?status__exact=active",
                "footer": f"{counts['cancelling']} cancellations pending · {counts['suspended']} suspended",
            }
        )
    return cards
