"""Catalog objects for tests; the customer-visible models are registered for the generic suites."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog import services
from catalog.choices import BillingPeriod, ManagedServiceKind, ProductKind
from catalog.models import (
    AdditionalIPRequest,
    CancellationRequest,
    ManagedServiceRequest,
    Order,
    OrderLine,
    Plan,
    Product,
    ProductCategory,
    ProductOption,
    ServerReturn,
    Service,
    ServiceEvent,
    ServicePlanPeriod,
)
from tests.accounts.factories import UserFactory
from tests.factories import register_factory, register_foreign_portal_object

_numbers = itertools.count(1)

KIND_FIELDS = {
    ProductKind.U_SPACE: {"rack_units": 1},
    ProductKind.COLOCATION_FULL: {"rack_units": 42},
    ProductKind.POWER: {"power_amps": 16, "power_voltage": 230, "power_phase": "single"},
    ProductKind.IP_BLOCK: {"ip_prefix_length": 29},
    ProductKind.BANDWIDTH: {"bandwidth_billing": "percentile_95", "commit_mbps": 100, "burst_mbps": 1000},
    ProductKind.DEDICATED_SERVER: {"hardware_configuration": "2× Xeon Silver, 128 GB, 2× 960 GB SSD"},
    ProductKind.MANAGED_SERVICE: {"managed_service_kind": ManagedServiceKind.BACKUPS},
    ProductKind.REMOTE_HANDS: {"hands_unit": "hour"},
}


def category(name: str = "Colocation") -> ProductCategory:
    return ProductCategory.objects.get_or_create(slug=name.lower(), defaults={"name": name})[0]


def product(kind: str = ProductKind.COLOCATION_FULL, *, name: str | None = None, **fields) -> Product:
    number = next(_numbers)
    instance = Product(
        category=fields.pop("category", None) or category(),
        kind=kind,
        name=name or f"Product {number}",
        slug=f"product-{number}",
        **{**KIND_FIELDS.get(kind, {}), **fields},
    )
    instance.full_clean()
    instance.save()
    return instance


def plan(
    kind: str = ProductKind.COLOCATION_FULL,
    *,
    monthly: str | None = "100.00",
    setup: str = "0",
    period: str = BillingPeriod.MONTHLY,
    of: Product | None = None,
    **fields,
) -> Plan:
    instance = Plan(
        product=of or product(kind),
        name=fields.pop("name", f"Plan {next(_numbers)}"),
        recurring_period=period if monthly is not None else "",
        recurring_amount=Decimal(monthly) if monthly is not None else None,
        one_time_amount=Decimal(setup),
        **fields,
    )
    instance.full_clean()
    instance.save()
    return instance


def option(of: Product, *, monthly: str = "10.00", setup: str = "0", name: str = "Remote reboot") -> ProductOption:
    return ProductOption.objects.create(
        product=of, name=name, recurring_amount=Decimal(monthly), one_time_amount=Decimal(setup)
    )


def active_service(company, *, on=None, plan_=None, **fields) -> Service:
    """A service through the whole lifecycle up to active, billed from ``on`` (default today)."""
    service = services.service_create(company=company, plan=plan_ or plan(), actor=None, starts_on=on, **fields)
    services.service_provision(service=service, actor=None)
    return services.service_activate(service=service, actor=None, on=on)


@register_factory(Service)
def service_for(company) -> Service:
    return active_service(company, label=f"Cabinet {next(_numbers)}")


@register_factory(ServicePlanPeriod)
def plan_period_for(company) -> ServicePlanPeriod:
    return service_for(company).plan_periods.get()


@register_factory(ServiceEvent)
def event_for(company) -> ServiceEvent:
    return service_for(company).events.first()


@register_factory(Order)
def order_for(company) -> Order:
    return Order.objects.create(number=f"SOT{next(_numbers)}", company=company, total_recurring=Decimal("100.00"))


@register_factory(OrderLine)
def order_line_for(company) -> OrderLine:
    chosen = plan()
    return OrderLine.objects.create(
        order=order_for(company),
        plan=chosen,
        description=str(chosen),
        unit_recurring=chosen.recurring_amount,
        recurring_period=chosen.recurring_period,
    )


@register_factory(AdditionalIPRequest)
def ip_request_for(company) -> AdditionalIPRequest:
    from tests.ipam.factories import justification_for

    return AdditionalIPRequest.objects.create(
        company=company, justification=justification_for(company), requested_prefix_length=29
    )


@register_factory(ManagedServiceRequest)
def managed_request_for(company) -> ManagedServiceRequest:
    return ManagedServiceRequest.objects.create(
        company=company, service_kind=ManagedServiceKind.MONITORING, details="Ping and HTTP checks"
    )


@register_factory(CancellationRequest)
def cancellation_for(company) -> CancellationRequest:
    request = CancellationRequest.objects.create(
        company=company,
        requested_by=UserFactory(),
        nonce="0" * 32,
        expires_at=timezone.now() + timedelta(days=2),
    )
    request.services.add(service_for(company))
    return request


@register_factory(ServerReturn)
def server_return_for(company) -> ServerReturn:
    """A rented server whose service was cancelled: waiting for its wipe."""
    from dcim import services as dcim_services
    from tests.dcim.factories import make_device

    server = dcim_services.device_assign(device=make_device(None), company=company)
    service = active_service(company, plan_=plan(ProductKind.DEDICATED_SERVER))
    services.service_link_resources(service=service, actor=None, devices=[server])
    services.service_cancel(service=service, actor=None)
    return ServerReturn.objects.get(device=server)


@register_foreign_portal_object("service_detail", "service_upgrade")
def _globex_service(globex, bob):
    return [service_for(globex).pk]


@register_foreign_portal_object("service_withdraw_cancellation")
def _globex_service_being_cancelled(globex, bob):
    service = service_for(globex)
    services.service_request_cancellation(
        service=service, actor=None, effective_date=timezone.localdate() + timedelta(days=20)
    )
    return [service.pk]


@register_foreign_portal_object("order_detail")
def _globex_order(globex, bob):
    return [services.order_place(company=globex, placed_by=bob, lines=[{"plan": plan()}]).pk]


@register_foreign_portal_object("service_cancel_confirm")
def _bobs_cancellation_link(globex, bob):
    service = service_for(globex)
    request = services.cancellation_request_create(company=globex, requested_by=bob, services=[service])
    return [services.cancellation_token(request)]


# --- the catalog's reference data, through the services ---------------------------------------------------


@register_factory(ProductCategory)
def category_for(company) -> ProductCategory:
    number = next(_numbers)
    return services.productcategory_create(name=f"Category {number}", slug=f"category-{number}")


@register_factory(Product)
def product_for(company) -> Product:
    number = next(_numbers)
    return services.product_create(
        category=category(),
        kind=ProductKind.COLOCATION_FULL,
        name=f"Product {number}",
        slug=f"product-{number}",
        **KIND_FIELDS.get(ProductKind.COLOCATION_FULL, {}),
    )


@register_factory(Plan)
def plan_for(company) -> Plan:
    return services.plan_create(
        product=product_for(company),
        name=f"Plan {next(_numbers)}",
        recurring_period=BillingPeriod.MONTHLY,
        recurring_amount=Decimal("100.00"),
        one_time_amount=Decimal("0"),
    )


@register_factory(ProductOption)
def option_for(company) -> ProductOption:
    return services.productoption_create(
        product=product_for(company),
        name=f"Option {next(_numbers)}",
        recurring_amount=Decimal("10.00"),
        one_time_amount=Decimal("0"),
    )
