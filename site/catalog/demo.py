"""Demo catalog (what a colocation provider would publish) and services for Acme and Globex in several states,
linked to the demo racks, circuits, cross-connects, servers and IP blocks where those exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Company, Membership
from catalog import services
from catalog.choices import BandwidthBilling, BillingPeriod, HandsUnit, ManagedServiceKind, OrderKind, ProductKind
from catalog.models import Plan, Product, ProductCategory, ProductOption, Service
from core.demo import demo_step

M, Q, A = BillingPeriod.MONTHLY, BillingPeriod.QUARTERLY, BillingPeriod.ANNUAL

CATEGORIES = [
    ("colocation", "Colocation", 10),
    ("power", "Power", 20),
    ("network", "Network and IP", 30),
    ("servers", "Dedicated servers", 40),
    ("managed", "Managed services", 50),
    ("hands", "Remote hands", 60),
    ("fees", "One-off fees", 70),
]

# slug, category, kind, name, technical fields, plans [(name, period, recurring, one-time, term months)]
PRODUCTS = [
    ("full-cabinet", "colocation", ProductKind.COLOCATION_FULL, "Full cabinet (42U)", {"rack_units": 42},
     [("Monthly", M, "1200.00", "500.00", 12), ("Annual prepaid", A, "13200.00", "0.00", 12)]),
    ("half-cabinet", "colocation", ProductKind.COLOCATION_HALF, "Half cabinet (21U)", {"rack_units": 21},
     [("Monthly", M, "700.00", "300.00", 12)]),
    ("u-space", "colocation", ProductKind.U_SPACE, "Rack unit (1U)", {"rack_units": 1},
     [("Monthly", M, "79.00", "49.00", 1), ("Quarterly", Q, "225.00", "49.00", 3)]),
    ("power-20a-208", "power", ProductKind.POWER, "Power 20 A 208 V single phase",
     {"power_amps": 20, "power_voltage": 208, "power_phase": "single"}, [("Monthly", M, "350.00", "150.00", 12)]),
    ("power-30a-208-3p", "power", ProductKind.POWER, "Power 30 A 208 V three phase",
     {"power_amps": 30, "power_voltage": 208, "power_phase": "three"}, [("Monthly", M, "950.00", "250.00", 12)]),
    ("power-kw", "power", ProductKind.POWER, "Committed power per kW", {"power_kw": Decimal("1.00"),
     "power_voltage": 230}, [("Monthly", M, "180.00", "0.00", 1)]),
    ("cross-connect-smf", "network", ProductKind.CROSS_CONNECT, "Cross-connect, single-mode fibre", {},
     [("Monthly", M, "150.00", "250.00", 1)]),
    ("ipv4-29", "network", ProductKind.IP_BLOCK, "IPv4 /29 (5 usable)", {"ip_prefix_length": 29},
     [("Monthly", M, "20.00", "0.00", 1)]),
    ("ipv4-28", "network", ProductKind.IP_BLOCK, "IPv4 /28 (13 usable)", {"ip_prefix_length": 28},
     [("Monthly", M, "40.00", "0.00", 1)]),
    ("bw-100-95th", "network", ProductKind.BANDWIDTH, "100 Mbit/s commit, 1 Gbit/s burst",
     {"bandwidth_billing": BandwidthBilling.PERCENTILE_95, "commit_mbps": 100, "burst_mbps": 1000},
     [("Monthly", M, "150.00", "0.00", 1)]),
    ("bw-10tb", "network", ProductKind.BANDWIDTH, "10 TB transfer", {"bandwidth_billing": BandwidthBilling.TRANSFER,
     "transfer_quota_gb": 10000}, [("Monthly", M, "60.00", "0.00", 1)]),
    ("ds-e2", "servers", ProductKind.DEDICATED_SERVER, "Dedicated E-2388G",
     {"hardware_configuration": "Xeon E-2388G, 64 GB, 2× 960 GB NVMe, 1 Gbit/s"},
     [("Monthly", M, "189.00", "0.00", 1), ("Annual", A, "1990.00", "0.00", 12)]),
    ("ds-epyc", "servers", ProductKind.DEDICATED_SERVER, "Dedicated EPYC 7443P",
     {"hardware_configuration": "EPYC 7443P, 256 GB, 2× 3.84 TB NVMe, 10 Gbit/s"},
     [("Monthly", M, "449.00", "99.00", 1)]),
    ("managed-monitoring", "managed", ProductKind.MANAGED_SERVICE, "Monitoring and alerting",
     {"managed_service_kind": ManagedServiceKind.MONITORING}, [("Monthly", M, "29.00", "0.00", 1)]),
    ("managed-backups", "managed", ProductKind.MANAGED_SERVICE, "Backups (500 GB)",
     {"managed_service_kind": ManagedServiceKind.BACKUPS}, [("Monthly", M, "49.00", "0.00", 1)]),
    ("managed-os", "managed", ProductKind.MANAGED_SERVICE, "OS management and patching",
     {"managed_service_kind": ManagedServiceKind.OS_MANAGEMENT}, [("Monthly", M, "89.00", "0.00", 1)]),
    ("hands-hour", "hands", ProductKind.REMOTE_HANDS, "Remote hands, per hour", {"hands_unit": HandsUnit.HOUR},
     [("Per hour", "", None, "95.00", 0)]),
    ("hands-block-5", "hands", ProductKind.REMOTE_HANDS, "Smart hands, block of 5 hours",
     {"hands_unit": HandsUnit.BLOCK, "hands_hours": Decimal("5")}, [("Monthly block", M, "400.00", "0.00", 3)]),
    ("setup-fee", "fees", ProductKind.SETUP_FEE, "Installation and cabling", {}, [("One-off", "", None, "150.00", 0)]),
]  # fmt: skip

OPTIONS = [("ds-e2", "Extra 64 GB memory", "25.00", "0.00"), ("ds-epyc", "IPMI over VPN", "10.00", "0.00")]


def _catalog() -> dict[str, Plan]:
    categories = {}
    for slug, name, position in CATEGORIES:
        categories[slug] = ProductCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )[0]
    plans = {}
    for slug, category, kind, name, fields, product_plans in PRODUCTS:
        product = Product.objects.filter(slug=slug).first()
        if product is None:
            product = Product(slug=slug, category=categories[category], kind=kind, name=name, **fields)
            product.full_clean()
            product.save()
        for plan_name, period, recurring, one_time, term in product_plans:
            plan = Plan.objects.filter(product=product, name=plan_name).first()
            if plan is None:
                plan = Plan(
                    product=product,
                    name=plan_name,
                    currency="USD",
                    recurring_period=period,
                    recurring_amount=Decimal(recurring) if recurring else None,
                    one_time_amount=Decimal(one_time),
                    term_months=term,
                )
                plan.full_clean()
                plan.save()
            plans.setdefault(slug, plan)
    for slug, name, recurring, one_time in OPTIONS:
        ProductOption.objects.get_or_create(
            product=Product.objects.get(slug=slug),
            name=name,
            defaults={"recurring_amount": Decimal(recurring), "one_time_amount": Decimal(one_time)},
        )
    return plans


def _active(company, plan, *, label, months_ago=3, **resources) -> Service:
    start = timezone.localdate() - timedelta(days=30 * months_ago)
    service = services.service_create(company=company, plan=plan, label=label, actor=None, starts_on=start)
    services.service_provision(service=service, actor=None)
    resources = {name: objects for name, objects in resources.items() if objects}
    if resources:
        services.service_link_resources(service=service, actor=None, **resources)
    return services.service_activate(service=service, actor=None, on=start)


def _owner(company):
    membership = Membership.objects.active().filter(company=company, role="owner").select_related("user").first()
    return membership.user if membership else None


def _resources(company) -> dict[str, list]:
    """What DCIM and IPAM hold for ``company`` (empty lists where those apps have no demo data)."""
    from dcim.models import CrossConnect, Device, PowerCircuit, Rack, RackReservation
    from ipam.models import Assignment

    return {
        "racks": list(Rack.objects.filter(company=company)[:1]),
        "rack_reservations": list(RackReservation.objects.filter(company=company)[:1]),
        "power_circuits": list(PowerCircuit.objects.filter(company=company)[:2]),
        "cross_connects": list(CrossConnect.objects.filter(company=company)[:1]),
        "devices": list(Device.objects.filter(company=company, ownership="datacenter")[:1]),
        "ip_assignments": list(
            Assignment.objects.filter(company=company, ended_at__isnull=True, prefix__isnull=False).order_by("family")[
                :1
            ]
        ),
    }


@demo_step("Services", order=40)
def load_services() -> str:
    """The catalog, and services for Acme (active, provisioning, cancellation requested, an open order) and
    Globex (active, suspended, a managed service being set up)."""
    plans = _catalog()
    created = 0
    acme = Company.objects.filter(name="Acme Hosting").first()
    if acme is not None and not Service.objects.filter(company=acme).exists():
        held = _resources(acme)
        _active(acme, plans["full-cabinet"], label="Cabinet", months_ago=8, racks=held["racks"])
        _active(
            acme, plans["power-20a-208"], label="Primary power", months_ago=8, power_circuits=held["power_circuits"]
        )
        _active(acme, plans["ds-e2"], label="web1", months_ago=4, devices=held["devices"])
        _active(acme, plans["ipv4-29"], label="Public addresses", ip_assignments=held["ip_assignments"])
        bandwidth = _active(acme, plans["bw-100-95th"], label="Transit", months_ago=6)
        services.service_request_cancellation(service=bandwidth, actor=None, reason="Moving to the 10 TB plan")
        pending = services.service_create(
            company=acme, plan=plans["managed-monitoring"], label="Monitoring", actor=None
        )
        services.service_provision(service=pending, actor=None)
        owner = _owner(acme)
        if owner is not None:
            services.order_place(
                company=acme,
                placed_by=owner,
                lines=[{"plan": plans["cross-connect-smf"]}],
                customer_note="To Equinix-style meet-me room, panel MMR-2",
            )
        created += 7
    globex = Company.objects.filter(name="Globex").first()
    if globex is not None and not Service.objects.filter(company=globex).exists():
        held = _resources(globex)
        _active(
            globex,
            plans["half-cabinet"],
            label="Half cabinet",
            months_ago=5,
            racks=held["racks"],
            rack_reservations=held["rack_reservations"],
        )
        _active(globex, plans["cross-connect-smf"], label="XC to carrier", cross_connects=held["cross_connects"])
        server = _active(globex, plans["ds-epyc"], label="db1", months_ago=2, devices=held["devices"])
        services.service_suspend(service=server, actor=None, reason="Invoice 30 days overdue")
        owner = _owner(globex)
        if owner is not None:
            order = services.order_place(
                company=globex,
                placed_by=owner,
                kind=OrderKind.MANAGED_SERVICE,
                lines=[{"plan": plans["managed-backups"]}],
                customer_note="Nightly backups of db1",
            )
            services.order_approve(order=order, actor=None)
        created += 4
    return f"{Product.objects.count()} products, {Plan.objects.count()} plans, {created} services and orders added"
