"""The catalog and what customers hold of it.

* ``ProductCategory`` / ``Product`` / ``Plan`` / ``ProductOption``: what a provider publishes and at what
  price (Decimal amounts, a currency, a recurring period and/or a one-time amount, a taxable flag).
* ``Service``: one instance per company, with its lifecycle status, contract dates, and the infrastructure it
  uses (racks, U reservations, power circuits, cross-connects, servers, switch ports, IP assignments).
* ``ServicePlanPeriod``: the plan, quantity and price a service had from one date to another; an upgrade
  closes one and opens the next, which is what billing prorates on (``catalog.selectors.billable_lines``).
* ``ServiceEvent``: the lifecycle log (from, to, when, who, why).
* ``Order`` / ``OrderLine``: customer orders priced from the catalog; ``AdditionalIPRequest``,
  ``ManagedServiceRequest`` and ``CancellationRequest`` are the customer's other requests.
* ``ServerReturn``: a rented server of a cancelled service on its way back to stock (the wipe checklist of
  ``dcim.services.WIPE_CHECKLIST``, completed through ``dcim.services.server_return_to_stock``).

Every write goes through ``catalog.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.choices import (
    BandwidthBilling,
    BandwidthMeasure,
    BillingPeriod,
    CancellationStatus,
    HandsUnit,
    ManagedServiceKind,
    OrderKind,
    OrderStatus,
    PowerPhase,
    ProductKind,
    RequestStatus,
    ServerReturnStatus,
    ServiceEventKind,
    ServiceStatus,
)
from catalog.querysets import PlanQuerySet, ProductQuerySet, ServiceQuerySet
from core.models import Model, PrimaryModel, TimestampedModel
from core.money import DEFAULT_CURRENCY

COMPANY = "accounts.Company"
ZERO = Decimal("0.00")


def default_currency() -> str:
    """``CATALOG_CURRENCY`` from settings, USD when unset."""
    return getattr(settings, "CATALOG_CURRENCY", DEFAULT_CURRENCY)


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 2)
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0"))])
    return models.DecimalField(verbose_name, **kwargs)


# --- catalog ---------------------------------------------------------------------------------------------


class ProductCategory(PrimaryModel):
    """A shelf of the catalog (Colocation, Power, Network, Dedicated servers, Services)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order in the catalog."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


# Technical fields each kind must state, so a product says exactly what it sells.
REQUIRED_BY_KIND = {
    ProductKind.U_SPACE: ("rack_units",),
    ProductKind.POWER: ("power_voltage",),
    ProductKind.IP_BLOCK: ("ip_prefix_length",),
    ProductKind.BANDWIDTH: ("bandwidth_billing",),
    ProductKind.DEDICATED_SERVER: ("hardware_configuration",),
    ProductKind.MANAGED_SERVICE: ("managed_service_kind",),
    ProductKind.REMOTE_HANDS: ("hands_unit",),
}


class Product(PrimaryModel):
    """Something a provider sells: a cabinet, a power circuit, a /29, a 100 Mbit/s commit, a server model…

    The technical fields that apply depend on ``kind`` (``clean`` says which are missing).
    """

    category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ProductKind)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive products are not sold."))
    is_orderable = models.BooleanField(
        _("orderable by customers"), default=True, help_text=_("Shown in the portal's order form.")
    )
    # colocation
    rack_units = models.PositiveSmallIntegerField(_("rack units"), null=True, blank=True)
    # power: by amps, voltage and phase, or by kW
    power_amps = models.PositiveSmallIntegerField(_("breaker (A)"), null=True, blank=True)
    power_voltage = models.PositiveSmallIntegerField(_("voltage (V)"), null=True, blank=True)
    power_phase = models.CharField(_("phase"), max_length=10, choices=PowerPhase, blank=True)
    power_kw = models.DecimalField(_("power (kW)"), max_digits=7, decimal_places=2, null=True, blank=True)
    # IP block
    ip_prefix_length = models.PositiveSmallIntegerField(_("prefix length"), null=True, blank=True)
    ip_family = models.PositiveSmallIntegerField(_("IP family"), default=4, choices=[(4, "IPv4"), (6, "IPv6")])
    # bandwidth
    bandwidth_billing = models.CharField(_("bandwidth billing"), max_length=20, choices=BandwidthBilling, blank=True)
    commit_mbps = models.PositiveIntegerField(_("commit (Mbit/s)"), null=True, blank=True)
    burst_mbps = models.PositiveIntegerField(_("burst (Mbit/s)"), null=True, blank=True)
    transfer_quota_gb = models.PositiveIntegerField(_("transfer quota (GB)"), null=True, blank=True)
    bandwidth_measure = models.CharField(
        _("billed on"),
        max_length=10,
        choices=BandwidthMeasure,
        default=BandwidthMeasure.LARGER,
        help_text=_("Which 95th percentile is billed: the larger of in and out (usual), one direction, or both."),
    )
    # dedicated servers
    device_type = models.ForeignKey(
        "dcim.DeviceType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hardware model"),
    )
    hardware_configuration = models.CharField(
        _("hardware configuration"), max_length=255, blank=True, help_text=_("CPU, memory, disks, NICs.")
    )
    # managed services and remote hands
    managed_service_kind = models.CharField(_("managed service"), max_length=20, choices=ManagedServiceKind, blank=True)
    hands_unit = models.CharField(_("remote hands unit"), max_length=10, choices=HandsUnit, blank=True)
    hands_hours = models.DecimalField(
        _("hours per unit"), max_digits=6, decimal_places=2, null=True, blank=True, help_text=_("For blocks.")
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category__position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        missing = {
            name: gettext("A %(kind)s product needs this.") % {"kind": self.get_kind_display().lower()}
            for name in REQUIRED_BY_KIND.get(self.kind, ())
            if getattr(self, name) in (None, "")
        }
        if self.kind == ProductKind.POWER and not (self.power_amps or self.power_kw):
            missing["power_amps"] = gettext("Give the breaker size in amps, or the power in kW.")
        if self.kind == ProductKind.BANDWIDTH:
            if self.bandwidth_billing == BandwidthBilling.PERCENTILE_95 and not self.commit_mbps:
                missing["commit_mbps"] = gettext("A 95th-percentile product needs its commit in Mbit/s.")
            if self.bandwidth_billing == BandwidthBilling.TRANSFER and not self.transfer_quota_gb:
                missing["transfer_quota_gb"] = gettext("A transfer product needs its quota in GB.")
        if self.burst_mbps and self.commit_mbps and self.burst_mbps < self.commit_mbps:
            missing["burst_mbps"] = gettext("The burst cannot be lower than the commit.")
        if missing:
            raise ValidationError(missing)

    @property
    def specification(self) -> str:
        """The technical summary shown in the catalog ("16 A 230 V single phase", "100 Mbit/s 95th")."""
        kind = self.kind
        if kind in (ProductKind.U_SPACE, ProductKind.COLOCATION_FULL, ProductKind.COLOCATION_HALF) and self.rack_units:
            return gettext("%(units)s U") % {"units": self.rack_units}
        if kind == ProductKind.POWER:
            if self.power_kw:
                return gettext("%(kw)s kW") % {"kw": self.power_kw}
            return f"{self.power_amps} A {self.power_voltage} V {self.get_power_phase_display().lower()}".strip()
        if kind == ProductKind.IP_BLOCK and self.ip_prefix_length:
            return f"/{self.ip_prefix_length} ({self.get_ip_family_display()})"
        if kind == ProductKind.BANDWIDTH:
            if self.bandwidth_billing == BandwidthBilling.TRANSFER:
                return gettext("%(gb)s GB transfer") % {"gb": self.transfer_quota_gb}
            burst = gettext(", burst %(burst)s Mbit/s") % {"burst": self.burst_mbps} if self.burst_mbps else ""
            return gettext("%(commit)s Mbit/s commit (95th percentile)%(burst)s") % {
                "commit": self.commit_mbps,
                "burst": burst,
            }
        if kind == ProductKind.DEDICATED_SERVER:
            return self.hardware_configuration
        if kind == ProductKind.MANAGED_SERVICE:
            return self.get_managed_service_kind_display()
        if kind == ProductKind.REMOTE_HANDS:
            if self.hands_unit == HandsUnit.BLOCK and self.hands_hours:
                return gettext("block of %(hours)s hours") % {"hours": self.hands_hours.normalize()}
            return self.get_hands_unit_display()
        return ""


class Plan(PrimaryModel):
    """A price of a product: a recurring amount per period and/or a one-time (setup) amount.

    ``term_months`` is the minimum contract term; a cancellation takes effect at the end of the billing
    period, and never before the term is over.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="plans", verbose_name=_("product"))
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency, help_text=_("ISO 4217."))
    recurring_period = models.CharField(_("billed"), max_length=10, choices=BillingPeriod, blank=True)
    recurring_amount = money_field(_("recurring price"), null=True, blank=True, help_text=_("Per period."))
    one_time_amount = money_field(_("one-time price"), default=ZERO, help_text=_("Setup fee, charged once."))
    overage_price = money_field(
        _("overage price per Mbit/s"),
        null=True,
        blank=True,
        help_text=_("Bandwidth plans: billed per Mbit/s of the period's 95th percentile over the commit."),
    )
    taxable = models.BooleanField(_("taxable"), default=True)
    term_months = models.PositiveSmallIntegerField(_("minimum term (months)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["product__name", "recurring_amount", "name"]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.name}" if self.product_id else self.name

    def clean(self):
        super().clean()
        self.currency = (self.currency or "").upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": gettext("Use a three-letter currency code such as USD or EUR.")})
        if self.recurring_amount is not None and not self.recurring_period:
            raise ValidationError({"recurring_period": gettext("Say how often the recurring price is billed.")})
        if self.recurring_period and self.recurring_amount is None:
            raise ValidationError({"recurring_amount": gettext("Give the price per period.")})
        if self.recurring_amount is None and not self.one_time_amount:
            raise ValidationError(gettext("A plan needs a recurring price, a one-time price, or both."))

    @property
    def is_recurring(self) -> bool:
        return self.recurring_amount is not None and bool(self.recurring_period)


class ProductOption(PrimaryModel):
    """An add-on to a product (remote reboot, extra RAM, a second power feed), billed with the service's period."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options", verbose_name=_("product"))
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    recurring_amount = money_field(_("recurring price"), default=ZERO, help_text=_("Per period of the service."))
    one_time_amount = money_field(_("one-time price"), default=ZERO)
    taxable = models.BooleanField(_("taxable"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["product__name", "name"]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.name}" if self.product_id else self.name


# --- orders ----------------------------------------------------------------------------------------------


class Order(PrimaryModel):
    """A customer's order (a new service, an upgrade, more IPs, a managed service), priced from the catalog.

    Placing it opens a ticket in the provisioning queue; staff approve it, which creates or changes services.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    company = models.ForeignKey(COMPANY, on_delete=models.PROTECT, related_name="orders", verbose_name=_("company"))
    kind = models.CharField(_("kind"), max_length=20, choices=OrderKind, default=OrderKind.NEW)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus, default=OrderStatus.SUBMITTED)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upgrade_orders",
        verbose_name=_("service upgraded"),
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True, help_text=_("For upgrades."))
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    total_recurring = money_field(_("recurring total"), default=ZERO, editable=False)
    total_one_time = money_field(_("one-time total"), default=ZERO, editable=False)
    customer_note = models.TextField(_("note from the customer"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.number or gettext("new order")


class OrderLine(TimestampedModel):
    """One priced line of an order: a plan (or an option of a plan's product) times a quantity."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
    options = models.ManyToManyField(ProductOption, blank=True, related_name="+", verbose_name=_("options"))
    description = models.CharField(_("description"), max_length=255)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=Decimal("1"))
    unit_recurring = money_field(_("recurring unit price"), default=ZERO)
    unit_one_time = money_field(_("one-time unit price"), default=ZERO)
    recurring_period = models.CharField(_("billed"), max_length=10, choices=BillingPeriod, blank=True)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def total_recurring(self) -> Decimal:
        return (self.unit_recurring * self.quantity).quantize(Decimal("0.01"))

    @property
    def total_one_time(self) -> Decimal:
        return (self.unit_one_time * self.quantity).quantize(Decimal("0.01"))


# --- services --------------------------------------------------------------------------------------------


class Service(PrimaryModel):
    """What a company holds: a plan, a quantity, its lifecycle status and contract dates, and what it uses.

    ``billing_start_date`` is set on activation and ``billing_end_date`` on cancellation or termination
    (exclusive: the first day no longer billed). Billing reads them through ``catalog.selectors``.
    """

    company = models.ForeignKey(COMPANY, on_delete=models.PROTECT, related_name="services", verbose_name=_("company"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="services", verbose_name=_("plan"))
    label = models.CharField(
        _("label"), max_length=120, blank=True, help_text=_("How the customer knows it, e.g. 'Cabinet B04'.")
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    price_override = money_field(
        _("price override"), null=True, blank=True, help_text=_("Recurring price per period instead of the plan's.")
    )
    options = models.ManyToManyField(ProductOption, blank=True, related_name="services", verbose_name=_("options"))
    status = models.CharField(_("status"), max_length=30, choices=ServiceStatus, default=ServiceStatus.PENDING)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="services", verbose_name=_("order")
    )
    # contract
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=0)
    renewal_date = models.DateField(_("renewal date"), null=True, blank=True)
    next_billing_date = models.DateField(_("next billing date"), null=True, blank=True)
    billing_start_date = models.DateField(_("billed from"), null=True, blank=True)
    billing_end_date = models.DateField(_("billed until"), null=True, blank=True, help_text=_("Exclusive."))
    # lifecycle stamps
    provisioning_at = models.DateTimeField(_("provisioning since"), null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True, editable=False)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True, editable=False)
    cancellation_requested_at = models.DateTimeField(
        _("cancellation requested at"), null=True, blank=True, editable=False
    )
    cancellation_effective_date = models.DateField(_("cancellation effective"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Shown to the customer."))
    # what it uses
    racks = models.ManyToManyField("dcim.Rack", blank=True, related_name="services", verbose_name=_("racks"))
    rack_reservations = models.ManyToManyField(
        "dcim.RackReservation", blank=True, related_name="services", verbose_name=_("U reservations")
    )
    power_circuits = models.ManyToManyField(
        "dcim.PowerCircuit", blank=True, related_name="services", verbose_name=_("power circuits")
    )
    cross_connects = models.ManyToManyField(
        "dcim.CrossConnect", blank=True, related_name="services", verbose_name=_("cross-connects")
    )
    devices = models.ManyToManyField("dcim.Device", blank=True, related_name="services", verbose_name=_("servers"))
    interfaces = models.ManyToManyField(
        "dcim.Interface", blank=True, related_name="services", verbose_name=_("switch ports")
    )
    ip_assignments = models.ManyToManyField(
        "ipam.Assignment", blank=True, related_name="catalog_services", verbose_name=_("IP assignments")
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["company__name", "pk"]
        indexes = [models.Index(fields=["status", "cancellation_effective_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(billing_end_date__isnull=True)
                | Q(billing_start_date__isnull=True)
                | Q(billing_end_date__gte=models.F("billing_start_date")),
                name="catalog_service_billing_period",
            )
        ]

    def __str__(self) -> str:
        name = self.label or (self.plan.product.name if self.plan_id else gettext("service"))
        return f"#{self.pk} {name}" if self.pk else name

    @property
    def unit_price(self) -> Decimal | None:
        """The recurring price per period: the override when set, else the plan's."""
        return self.price_override if self.price_override is not None else self.plan.recurring_amount

    @property
    def contract_end(self):
        """The end of the minimum term (exclusive), or None without a term."""
        from catalog.dates import add_months

        if not self.contract_start or not self.term_months:
            return None
        return add_months(self.contract_start, self.term_months)


class ServicePlanPeriod(TimestampedModel):
    """The plan, quantity and price of a service from ``starts_on`` (inclusive) to ``ends_on`` (exclusive).

    The open-ended row is the current one; an upgrade closes it on its effective date and opens the next.
    ``setup_fee`` is the one-time amount charged when the period begins being billed.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="plan_periods")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=Decimal("1"))
    unit_price = money_field(_("recurring price"), null=True, blank=True, help_text=_("Per period."))
    setup_fee = money_field(_("one-time price"), default=ZERO)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Exclusive."))

    class Meta:
        verbose_name = _("plan period")
        verbose_name_plural = _("plan periods")
        ordering = ["service", "starts_on", "pk"]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="catalog_planperiod_dates",
            )
        ]

    def __str__(self) -> str:
        until = self.ends_on.isoformat() if self.ends_on else "…"
        return f"{self.plan} ({self.starts_on.isoformat()} – {until})"


class ServiceEvent(Model):
    """One entry of a service's lifecycle log: a status change, a plan change, resources linked or released."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="events", verbose_name=_("service"))
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceEventKind, default=ServiceEventKind.TRANSITION)
    from_status = models.CharField(_("from"), max_length=30, choices=ServiceStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=30, choices=ServiceStatus, blank=True)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("service event")
        verbose_name_plural = _("service events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        if self.kind == ServiceEventKind.TRANSITION:
            return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
        return self.get_kind_display()


# --- customer requests -----------------------------------------------------------------------------------


class AdditionalIPRequest(PrimaryModel):
    """A customer's request for more addresses, with its ARIN justification (an IPAM ``IPJustification``
    in status "submitted": the pending assignment request staff work from)."""

    company = models.ForeignKey(COMPANY, on_delete=models.PROTECT, related_name="ip_requests")
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ip_requests",
        verbose_name=_("for service"),
    )
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="ip_requests")
    justification = models.ForeignKey(
        "ipam.IPJustification", on_delete=models.PROTECT, related_name="+", verbose_name=_("justification")
    )
    requested_prefix_length = models.PositiveSmallIntegerField(_("block size (prefix length)"))
    requested_family = models.PositiveSmallIntegerField(_("family"), default=4, choices=[(4, "IPv4"), (6, "IPv6")])
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus, default=RequestStatus.SUBMITTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(
        "ipam.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("additional IP request")
        verbose_name_plural = _("additional IP requests")
        ordering = ["-created"]

    def __str__(self) -> str:
        family = "IPv6" if self.requested_family == 6 else "IPv4"
        return f"/{self.requested_prefix_length} {family} for {self.company}" if self.company_id else "IP request"


class ManagedServiceRequest(PrimaryModel):
    """A customer's request for a managed service (monitoring, backups, OS management, patching)."""

    company = models.ForeignKey(COMPANY, on_delete=models.PROTECT, related_name="managed_service_requests")
    service_kind = models.CharField(_("managed service"), max_length=20, choices=ManagedServiceKind)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    for_service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_requests",
        verbose_name=_("for service"),
    )
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus, default=RequestStatus.SUBMITTED)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_requests", editable=False
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("managed service request")
        verbose_name_plural = _("managed service requests")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_service_kind_display()} for {self.company}" if self.company_id else "managed service"


class CancellationRequest(PrimaryModel):
    """A customer's request to cancel one or more services, confirmed once through a signed, expiring link.

    The link names this request, the user it was sent to and the services; ``nonce`` makes it single-use.
    """

    company = models.ForeignKey(COMPANY, on_delete=models.PROTECT, related_name="cancellation_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    services = models.ManyToManyField(Service, related_name="cancellation_requests", verbose_name=_("services"))
    reason = models.TextField(_("reason"), blank=True)
    requested_end_date = models.DateField(
        _("requested end date"), null=True, blank=True, help_text=_("Empty: the end of the current period.")
    )
    status = models.CharField(
        _("status"), max_length=30, choices=CancellationStatus, default=CancellationStatus.AWAITING_CONFIRMATION
    )
    nonce = models.CharField(max_length=32, editable=False)
    expires_at = models.DateTimeField(_("link expires at"), editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("cancellation request")
        verbose_name_plural = _("cancellation requests")
        ordering = ["-created"]

    def __str__(self) -> str:
        return gettext("Cancellation #%(number)s") % {"number": self.pk}


class ServerReturn(PrimaryModel):
    """A datacenter-owned server that a cancelled service used, waiting for its wipe before it is sold again.

    Opened when the service is cancelled; ``checklist`` holds the ticked items of
    ``dcim.services.WIPE_CHECKLIST``. Once every item is ticked, ``dcim.services.server_return_to_stock``
    puts the server back into inventory (its history keeps who had it) and the return is closed.
    """

    device = models.ForeignKey(
        "dcim.Device", on_delete=models.PROTECT, related_name="catalog_returns", verbose_name=_("server")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="server_returns", verbose_name=_("cancelled service")
    )
    company = models.ForeignKey(
        COMPANY, on_delete=models.PROTECT, related_name="+", verbose_name=_("returned by"), help_text=_("Who had it.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ServerReturnStatus, default=ServerReturnStatus.WAITING
    )
    checklist = models.JSONField(_("wipe checklist"), default=dict, blank=True, help_text=_("Item → ticked."))
    returned_at = models.DateTimeField(_("back in stock at"), null=True, blank=True, editable=False)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("server return")
        verbose_name_plural = _("server returns")
        ordering = ["status", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(status="waiting"),
                name="catalog_serverreturn_one_waiting_per_device",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(device)s from %(service)s") % {"device": self.device, "service": self.service}
