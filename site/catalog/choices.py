"""Choices of the catalog app, with the badge colours the admin shows beside them (maps kept outside)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    """What a product sells; decides which of the product's technical fields must be filled in."""

    COLOCATION_FULL = "colocation_full", _("Colocation: full cabinet")
    COLOCATION_HALF = "colocation_half", _("Colocation: half cabinet")
    U_SPACE = "u_space", _("Colocation: U-space")
    POWER = "power", _("Power circuit")
    CROSS_CONNECT = "cross_connect", _("Cross-connect")
    IP_BLOCK = "ip_block", _("IP block")
    BANDWIDTH = "bandwidth", _("Bandwidth")
    DEDICATED_SERVER = "dedicated_server", _("Dedicated server")
    MANAGED_SERVICE = "managed_service", _("Managed service")
    REMOTE_HANDS = "remote_hands", _("Remote / smart hands")
    SETUP_FEE = "setup_fee", _("One-off setup fee")


PRODUCT_KIND_COLOURS = {
    ProductKind.COLOCATION_FULL: "primary",
    ProductKind.COLOCATION_HALF: "primary",
    ProductKind.U_SPACE: "primary",
    ProductKind.POWER: "warning",
    ProductKind.CROSS_CONNECT: "info",
    ProductKind.IP_BLOCK: "info",
    ProductKind.BANDWIDTH: "info",
    ProductKind.DEDICATED_SERVER: "success",
    ProductKind.MANAGED_SERVICE: "success",
    ProductKind.REMOTE_HANDS: "warning",
    ProductKind.SETUP_FEE: "danger",
}


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")


PERIOD_MONTHS = {BillingPeriod.MONTHLY: 1, BillingPeriod.QUARTERLY: 3, BillingPeriod.ANNUAL: 12}


class PowerPhase(models.TextChoices):
    SINGLE = "single", _("Single phase")
    THREE = "three", _("Three phase")


class BandwidthBilling(models.TextChoices):
    PERCENTILE_95 = "percentile_95", _("Commit, billed at the 95th percentile")
    TRANSFER = "transfer", _("Transfer quota (GB)")


class BandwidthMeasure(models.TextChoices):
    """Which figure of a 95th-percentile service is billed (``Product.bandwidth_measure``)."""

    LARGER = "larger", _("The larger of in and out")
    IN = "in", _("Inbound only")
    OUT = "out", _("Outbound only")
    SUM = "sum", _("In and out added per sample")


class HandsUnit(models.TextChoices):
    HOUR = "hour", _("Per hour")
    BLOCK = "block", _("Block of hours")


class ManagedServiceKind(models.TextChoices):
    MONITORING = "monitoring", _("Monitoring")
    BACKUPS = "backups", _("Backups")
    OS_MANAGEMENT = "os_management", _("OS management")
    PATCHING = "patching", _("Patching")
    OTHER = "other", _("Other")


class ServiceStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLATION_REQUESTED = "cancellation_requested", _("Cancellation requested")
    CANCELLED = "cancelled", _("Cancelled")
    TERMINATED = "terminated", _("Terminated")


SERVICE_STATUS_COLOURS = {
    ServiceStatus.PENDING: "info",
    ServiceStatus.PROVISIONING: "primary",
    ServiceStatus.ACTIVE: "success",
    ServiceStatus.SUSPENDED: "warning",
    ServiceStatus.CANCELLATION_REQUESTED: "warning",
    ServiceStatus.CANCELLED: "danger",
    ServiceStatus.TERMINATED: "danger",
}

# The lifecycle: which status may follow which. ``catalog.services`` refuses anything else.
SERVICE_TRANSITIONS: dict[str, frozenset[str]] = {
    ServiceStatus.PENDING: frozenset({ServiceStatus.PROVISIONING, ServiceStatus.CANCELLED}),
    ServiceStatus.PROVISIONING: frozenset({ServiceStatus.ACTIVE, ServiceStatus.CANCELLED}),
    ServiceStatus.ACTIVE: frozenset(
        {ServiceStatus.SUSPENDED, ServiceStatus.CANCELLATION_REQUESTED, ServiceStatus.CANCELLED}
    ),
    ServiceStatus.SUSPENDED: frozenset(
        {
            ServiceStatus.ACTIVE,
            ServiceStatus.CANCELLATION_REQUESTED,
            ServiceStatus.CANCELLED,
            ServiceStatus.TERMINATED,
        }
    ),
    ServiceStatus.CANCELLATION_REQUESTED: frozenset({ServiceStatus.ACTIVE, ServiceStatus.CANCELLED}),
    ServiceStatus.CANCELLED: frozenset({ServiceStatus.TERMINATED}),
    ServiceStatus.TERMINATED: frozenset(),
}

# Services a customer still has (shown as "current" in the portal).
CURRENT_STATUSES = (
    ServiceStatus.PENDING,
    ServiceStatus.PROVISIONING,
    ServiceStatus.ACTIVE,
    ServiceStatus.SUSPENDED,
    ServiceStatus.CANCELLATION_REQUESTED,
)


class OrderKind(models.TextChoices):
    NEW = "new", _("New service")
    UPGRADE = "upgrade", _("Upgrade")
    ADDITIONAL_IPS = "additional_ips", _("Additional IP addresses")
    MANAGED_SERVICE = "managed_service", _("Managed service")


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


ORDER_STATUS_COLOURS = {
    OrderStatus.SUBMITTED: "info",
    OrderStatus.APPROVED: "success",
    OrderStatus.REJECTED: "danger",
}


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    FULFILLED = "fulfilled", _("Fulfilled")
    REJECTED = "rejected", _("Rejected")


REQUEST_STATUS_COLOURS = {
    RequestStatus.SUBMITTED: "info",
    RequestStatus.FULFILLED: "success",
    RequestStatus.REJECTED: "danger",
}


class CancellationStatus(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting e-mail confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CANCELLATION_STATUS_COLOURS = {
    CancellationStatus.AWAITING_CONFIRMATION: "info",
    CancellationStatus.CONFIRMED: "warning",
    CancellationStatus.WITHDRAWN: "danger",
}


class ServiceEventKind(models.TextChoices):
    TRANSITION = "transition", _("Status change")
    PLAN_CHANGE = "plan_change", _("Plan change")
    RESOURCES = "resources", _("Resources linked")
    RELEASE = "release", _("Resources released")


class ServerReturnStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for wipe")
    RETURNED = "returned", _("Back in stock")


SERVER_RETURN_STATUS_COLOURS = {
    ServerReturnStatus.WAITING: "warning",
    ServerReturnStatus.RETURNED: "success",
}
