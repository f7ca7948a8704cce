"""Monitoring: collector tokens, the latest state and rates of devices and interfaces, and events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Model, PrimaryModel
from monitoring.choices import AbuseKind, AbuseStatus, EventKind, EventSeverity

AMOUNT = {"max_digits": 12, "decimal_places": 2}


class CollectorToken(Model):
    """A credential for collector daemons: reads targets and posts ingest batches, nothing else.

    Only a hash of the secret is kept; the raw token (``ssc_<prefix>_<secret>``) is shown once.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("collector token")
        verbose_name_plural = _("collector tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class DeviceHealth(Model):
    """Whether a polled device answers, as the collectors last reported."""

    device = models.OneToOneField(
        "dcim.Device", on_delete=models.CASCADE, related_name="monitoring_health", verbose_name=_("device")
    )
    reachable = models.BooleanField(_("reachable"), null=True)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("device health")
        verbose_name_plural = _("device health")
        ordering = ["device__name"]

    def __str__(self) -> str:
        return str(self.device)


class InterfaceState(Model):
    """The latest link state and traffic of a DCIM interface (rates in bits per second).

    The commit that bandwidth alerts measure against is the catalog's (a bandwidth service on the interface,
    ``selectors.interface_commits_mbps``); without one, ``commit_mbps`` set by staff; else the interface speed.
    """

    interface = models.OneToOneField(
        "dcim.Interface", on_delete=models.CASCADE, related_name="monitoring_state", verbose_name=_("interface")
    )
    if_index = models.PositiveIntegerField(_("ifIndex"), null=True, blank=True)
    alias = models.CharField(_("alias"), max_length=255, blank=True)
    oper_status = models.CharField(_("link"), max_length=20, blank=True)
    status_changed_at = models.DateTimeField(_("link changed"), null=True, blank=True)
    in_bps = models.FloatField(_("in (bit/s)"), null=True, blank=True)
    out_bps = models.FloatField(_("out (bit/s)"), null=True, blank=True)
    in_errors_ps = models.FloatField(_("in errors/s"), null=True, blank=True)
    out_errors_ps = models.FloatField(_("out errors/s"), null=True, blank=True)
    in_discards_ps = models.FloatField(_("in discards/s"), null=True, blank=True)
    out_discards_ps = models.FloatField(_("out discards/s"), null=True, blank=True)
    rates_at = models.DateTimeField(_("rates measured"), null=True, blank=True)
    commit_mbps = models.PositiveIntegerField(
        _("bandwidth commit (Mbit/s)"),
        null=True,
        blank=True,
        help_text=_("Alerts at 80, 100 and over 100 % of this; empty uses the interface speed."),
    )
    threshold_level = models.PositiveSmallIntegerField(_("alerted level (%)"), default=0, editable=False)

    class Meta:
        verbose_name = _("interface state")
        verbose_name_plural = _("interface states")
        ordering = ["interface__device__name", "interface__name"]

    def __str__(self) -> str:
        return str(self.interface)

    @property
    def in_mbps(self) -> float | None:
        return None if self.in_bps is None else round(self.in_bps / 1e6, 2)

    @property
    def out_mbps(self) -> float | None:
        return None if self.out_bps is None else round(self.out_bps / 1e6, 2)

    @property
    def commit(self) -> int | None:
        """The commit in Mbit/s without the catalog's: ``commit_mbps``, else the interface speed."""
        return self.commit_mbps or self.interface.speed or None

    def commit_with(self, catalog_commits: dict[int, int]) -> int | None:
        """The commit in Mbit/s the thresholds are measured against: the catalog's first (see the class)."""
        return catalog_commits.get(self.interface_id) or self.commit


class MonitoringEvent(Model):
    """Something the NOC and the customer should know: a link or device changed state, a threshold crossed."""

    device = models.ForeignKey(
        "dcim.Device", on_delete=models.CASCADE, related_name="monitoring_events", verbose_name=_("device")
    )
    interface = models.ForeignKey(
        "dcim.Interface",
        on_delete=models.CASCADE,
        related_name="monitoring_events",
        null=True,
        blank=True,
        verbose_name=_("interface"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind)
    severity = models.CharField(_("severity"), max_length=20, choices=EventSeverity, default=EventSeverity.INFO)
    status = models.CharField(_("status"), max_length=30)
    previous = models.CharField(_("previous"), max_length=30, blank=True)
    message = models.CharField(_("message"), max_length=255)
    occurred_at = models.DateTimeField(_("occurred"), db_index=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("monitoring event")
        verbose_name_plural = _("monitoring events")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["device", "-occurred_at"])]

    def __str__(self) -> str:
        return self.message


# Service monitoring (checks, contacts, incidents) lives in its own module; imported here so Django registers it.
from monitoring.check_models import Check, Incident, MaintenanceWindow, MonitoringContact  # noqa: E402, F401


class BandwidthUsage(Model):
    """One bandwidth service's usage in one billing period: 95th percentiles, volume, commit and overage.

    Worked out from the 5-minute samples of the RRD files of the service's ports (``monitoring.usage``);
    updated while the period runs and made ``final`` by the month-end report, which bills the overage
    (``charge_id``: the billing charge it became, once).
    """

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="bandwidth_usages", verbose_name=_("service")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("Exclusive."))
    samples = models.PositiveIntegerField(_("5-minute samples"), default=0)
    expected_samples = models.PositiveIntegerField(_("samples in the period"), default=0)
    in_p95_bps = models.FloatField(_("in, 95th percentile (bit/s)"), null=True, blank=True)
    out_p95_bps = models.FloatField(_("out, 95th percentile (bit/s)"), null=True, blank=True)
    billed_p95_bps = models.FloatField(_("billed 95th percentile (bit/s)"), null=True, blank=True)
    in_bytes = models.BigIntegerField(_("in (bytes)"), default=0)
    out_bytes = models.BigIntegerField(_("out (bytes)"), default=0)
    commit_mbps = models.PositiveIntegerField(_("commit (Mbit/s)"))
    burst_mbps = models.PositiveIntegerField(_("burst ceiling (Mbit/s)"), null=True, blank=True)
    overage_mbps = models.DecimalField(_("overage (Mbit/s)"), max_digits=12, decimal_places=2, default=0)
    overage_price = models.DecimalField(_("price per Mbit/s"), **AMOUNT, null=True, blank=True)
    overage_amount = models.DecimalField(_("overage amount"), **AMOUNT, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    computed_at = models.DateTimeField(_("computed"), auto_now=True)
    final = models.BooleanField(_("final"), default=False, help_text=_("The period is over and was reported."))
    charge_id = models.PositiveBigIntegerField(_("billing charge"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("bandwidth usage")
        verbose_name_plural = _("bandwidth usage")
        ordering = ["-period_start", "service__company__name", "service_id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "period_start"], name="monitoring_bandwidthusage_period")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.period_start:%Y-%m}"

    @property
    def billed_p95_mbps(self) -> float | None:
        return None if self.billed_p95_bps is None else round(self.billed_p95_bps / 1e6, 2)

    @property
    def utilisation_percent(self) -> float | None:
        if self.billed_p95_bps is None or not self.commit_mbps:
            return None
        return round(self.billed_p95_bps / (self.commit_mbps * 1e6) * 100, 1)

    @property
    def is_over(self) -> bool:
        return self.overage_mbps > 0


class BandwidthReport(Model):
    """The month-end overage report of one period: when it was made and sent, and its totals."""

    period_start = models.DateField(_("period start"), unique=True)
    period_end = models.DateField(_("period end"), help_text=_("Exclusive."))
    services = models.PositiveIntegerField(_("services measured"), default=0)
    services_over = models.PositiveIntegerField(_("services over commit"), default=0)
    charges_recorded = models.PositiveIntegerField(_("charges recorded"), default=0)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("bandwidth overage report")
        verbose_name_plural = _("bandwidth overage reports")
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"{self.period_start:%B %Y}"


class BandwidthNotice(Model):
    """A bandwidth level (80 %, 100 %, 101 % … of the commit) reached once in a period, by a service or a port.

    Unique per (service, period, level), or per (interface, period, level) for a port without a bandwidth
    service, so each level is announced once a period; the customer's dashboard shows it until ``period_end``.
    """

    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bandwidth_notices",
        verbose_name=_("customer"),
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bandwidth_notices",
        verbose_name=_("service"),
    )
    interface = models.ForeignKey(
        "dcim.Interface",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bandwidth_notices",
        verbose_name=_("interface"),
    )
    level = models.PositiveSmallIntegerField(_("level (%)"))
    percent = models.FloatField(_("measured (% of commit)"))
    measured_bps = models.FloatField(_("measured (bit/s)"))
    commit_mbps = models.PositiveIntegerField(_("commit (Mbit/s)"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("shown until"), help_text=_("Exclusive: the end of the period."))
    created_at = models.DateTimeField(_("reached"), auto_now_add=True)
    emailed_to = models.TextField(_("e-mailed to"), blank=True)

    class Meta:
        verbose_name = _("bandwidth notice")
        verbose_name_plural = _("bandwidth notices")
        ordering = ["-created_at", "-level"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "period_start", "level"],
                condition=Q(service__isnull=False),
                name="monitoring_bandwidthnotice_service_level",
            ),
            models.UniqueConstraint(
                fields=["interface", "period_start", "level"],
                condition=Q(service__isnull=True),
                name="monitoring_bandwidthnotice_port_level",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def subject_name(self) -> str:
        if self.service_id:
            return str(self.service)
        return str(self.interface) if self.interface_id else "?"

    @property
    def message(self) -> str:
        reached = f"over {self.level - 1} %" if self.level > 100 else f"at {self.level} %"
        return (
            f"{self.subject_name} is {reached} of its {self.commit_mbps} Mbit/s commit "
            f"({self.measured_bps / 1e6:,.1f} Mbit/s, {self.percent:.0f} %)"
        )


class AbuseReport(PrimaryModel):
    """A complaint staff record against a customer (a company, one of its IP addresses or a service).

    The customer sees it on the dashboard, acknowledges it, and answers in the linked ticket.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="abuse_reports", verbose_name=_("customer")
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="abuse_reports",
        verbose_name=_("service"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AbuseKind, default=AbuseKind.OTHER)
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True, help_text=_("What was reported; shown to the customer."))
    reported_at = models.DateTimeField(_("reported"))
    respond_by = models.DateField(_("answer by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AbuseStatus, default=AbuseStatus.OPEN)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("acknowledged by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="abuse_reports",
        verbose_name=_("ticket"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")
        ordering = ["-reported_at", "-pk"]

    def __str__(self) -> str:
        return self.summary
