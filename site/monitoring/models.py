"""Monitoring: collector tokens, the latest state and rates of devices and interfaces, and events."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.choices import EventKind, EventSeverity


class CollectorToken(models.Model):
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


class DeviceHealth(models.Model):
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


class InterfaceState(models.Model):
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


class MonitoringEvent(models.Model):
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
