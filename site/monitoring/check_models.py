"""Service monitoring: checks run by the collectors, maintenance windows, contacts and incidents.

Imported by ``monitoring.models`` so that Django registers them in the monitoring app. Every write goes
through ``monitoring.checks`` (checks, windows, contacts) and ``monitoring.incidents`` (results, incidents).
"""

from __future__ import annotations

import zoneinfo
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TimestampedModel
from monitoring.choices import CheckKind, CheckState, DnsRecordType

# Kinds that need a port, and the port used when none is given.
DEFAULT_PORTS = {CheckKind.HTTP: 80, CheckKind.HTTPS: 443, CheckKind.DNS: 53, CheckKind.SNMP: 161}


class Check(TimestampedModel):
    """One thing the collectors test on a cadence: a ping, a TCP port, an HTTP(S) page, a DNS answer, SNMP.

    The target is exactly one of a device (its management address), an IP address the company holds, or a
    host name. ``state`` and the ``last_*`` fields are what the collectors last reported; the check is
    ``down`` after ``down_after`` failed results in a row and ``up`` again after one success.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="monitoring_checks", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What you call it, e.g. 'web1 HTTPS'."))
    kind = models.CharField(_("kind"), max_length=10, choices=CheckKind, default=CheckKind.ICMP)
    device = models.ForeignKey(
        "dcim.Device",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monitoring_checks",
        verbose_name=_("device"),
    )
    ip_address = models.ForeignKey(
        "ipam.IPAddress",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monitoring_checks",
        verbose_name=_("IP address"),
    )
    host = models.CharField(_("host name"), max_length=255, blank=True)
    port = models.PositiveIntegerField(
        _("port"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
        help_text=_("TCP checks need one; HTTP 80, HTTPS 443, DNS 53 and SNMP 161 when empty."),
    )
    path = models.CharField(_("path"), max_length=255, default="/", blank=True, help_text=_("HTTP(S): e.g. /health"))
    expected_status = models.PositiveSmallIntegerField(
        _("expected status"),
        null=True,
        blank=True,
        validators=[MinValueValidator(100), MaxValueValidator(599)],
        help_text=_("HTTP(S): empty accepts any 2xx or 3xx answer."),
    )
    keyword = models.CharField(
        _("keyword"), max_length=200, blank=True, help_text=_("HTTP(S): the page must contain this text.")
    )
    verify_tls = models.BooleanField(_("verify the certificate"), default=True)
    cert_warning_days = models.PositiveSmallIntegerField(
        _("certificate warning (days)"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("HTTPS: warn when the certificate expires within this many days."),
    )
    dns_name = models.CharField(_("DNS query"), max_length=255, blank=True, help_text=_("DNS: the name to resolve."))
    dns_record_type = models.CharField(_("record type"), max_length=6, choices=DnsRecordType, default=DnsRecordType.A)
    dns_expected = models.CharField(
        _("expected answer"), max_length=255, blank=True, help_text=_("DNS: e.g. 192.0.2.10; empty accepts any.")
    )
    interval_seconds = models.PositiveIntegerField(
        _("interval (s)"), default=60, validators=[MinValueValidator(10), MaxValueValidator(3600)]
    )
    timeout_seconds = models.FloatField(
        _("timeout (s)"), default=5.0, validators=[MinValueValidator(0.2), MaxValueValidator(60)]
    )
    retries = models.PositiveSmallIntegerField(
        _("retries"), default=1, validators=[MaxValueValidator(5)], help_text=_("Tries within one result.")
    )
    down_after = models.PositiveSmallIntegerField(
        _("down after"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Failed results in a row before the check is down and people are told."),
    )
    paused = models.BooleanField(_("paused"), default=False)

    state = models.CharField(_("state"), max_length=12, choices=CheckState, default=CheckState.UNKNOWN, editable=False)
    state_changed_at = models.DateTimeField(_("state since"), null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    last_ok = models.BooleanField(_("last result OK"), null=True, editable=False)
    last_response_ms = models.FloatField(_("response (ms)"), null=True, blank=True, editable=False)
    last_message = models.CharField(_("last result"), max_length=255, blank=True, editable=False)
    cert_expires_at = models.DateTimeField(_("certificate expires"), null=True, blank=True, editable=False)
    # The times of the latest state changes (ISO strings, newest last, bounded): flap detection.
    recent_changes = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        ordering = ["company__name", "name"]
        indexes = [models.Index(fields=["company", "state"], name="monitoring_check_company_state")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(device__isnull=False, ip_address__isnull=True, host="")
                    | Q(device__isnull=True, ip_address__isnull=False, host="")
                    | (Q(device__isnull=True, ip_address__isnull=True) & ~Q(host=""))
                ),
                name="monitoring_check_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()} {self.target_label})"

    @property
    def address(self) -> str:
        """What the collector connects to: the device's management IP, the IP address, or the host name."""
        if self.device_id:
            return self.device.management_ip or ""
        if self.ip_address_id:
            return self.ip_address.address
        return self.host

    @property
    def effective_port(self) -> int | None:
        return self.port or DEFAULT_PORTS.get(self.kind)

    @property
    def target_label(self) -> str:
        """How people read the target: ``web1 (192.0.2.10)``, ``192.0.2.10:443``, ``www.example.com``."""
        if self.device_id:
            base = f"{self.device.name} ({self.device.management_ip or gettext('no management IP')})"
        else:
            base = self.address
        port = self.effective_port if self.kind in (CheckKind.TCP, CheckKind.HTTP, CheckKind.HTTPS) else None
        return f"{base}:{port}" if port else base

    @property
    def is_problem(self) -> bool:
        return self.state == CheckState.DOWN

    def clean(self):
        super().clean()
        targets = [bool(self.device_id), bool(self.ip_address_id), bool(self.host.strip())]
        if sum(targets) != 1:
            raise ValidationError(gettext("Choose exactly one target: a device, an IP address or a host name."))
        self.host = self.host.strip().lower().rstrip(".")
        errors = {}
        if self.device_id:
            if self.device.company_id != self.company_id:
                errors["device"] = gettext("%(device)s is not a device of %(company)s.") % {
                    "device": self.device,
                    "company": self.company,
                }
            elif not self.device.management_ip:
                errors["device"] = gettext("%(device)s has no management IP to check.") % {"device": self.device}
        if self.ip_address_id and self.ip_address.company_id != self.company_id:
            errors["ip_address"] = gettext("%(address)s is not held by %(company)s.") % {
                "address": self.ip_address,
                "company": self.company,
            }
        if self.kind == CheckKind.TCP and not self.port:
            errors["port"] = gettext("A TCP check needs the port to connect to.")
        if self.kind == CheckKind.DNS and not self.dns_name.strip():
            errors["dns_name"] = gettext("A DNS check needs the name to resolve.")
        if self.kind == CheckKind.SNMP and not (self.device_id and self.device.snmp_enabled):
            errors["device"] = gettext("An SNMP check needs a device that is polled over SNMP.")
        if self.kind in (CheckKind.HTTP, CheckKind.HTTPS) and self.path and not self.path.startswith("/"):
            errors["path"] = gettext("The path starts with /, e.g. /health.")
        if self.timeout_seconds is not None and self.interval_seconds and self.timeout_seconds >= self.interval_seconds:
            errors["timeout_seconds"] = gettext("The timeout must be shorter than the interval.")
        if errors:
            raise ValidationError(errors)


class MaintenanceWindow(TimestampedModel):
    """A planned period during which a check's failures open no incident and alert nobody."""

    service_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="maintenance_windows", verbose_name=_("check")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["service_check", "ends_at"], name="monitoring_window_check_end")]

    def __str__(self) -> str:
        return f"{self.service_check.name}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": gettext("The window must end after it starts.")})

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.starts_at <= at < self.ends_at


def _valid_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            gettext("%(zone)s is not a time zone; write it like Europe/Berlin or America/New_York.") % {"zone": value}
        ) from error


class MonitoringContact(TimestampedModel):
    """Someone of a company who is told about its checks: which alerts, at which address, and when not."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="monitoring_contacts", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notify_down = models.BooleanField(_("down alerts"), default=True)
    notify_up = models.BooleanField(_("recoveries"), default=True)
    notify_bandwidth = models.BooleanField(_("bandwidth alerts"), default=True)
    notify_maintenance = models.BooleanField(_("maintenance notices"), default=True)
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(
        _("quiet hours until"),
        null=True,
        blank=True,
        help_text=_("In the contact's time zone. During quiet hours only down alerts are sent."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[_valid_time_zone])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("monitoring contact")
        verbose_name_plural = _("monitoring contacts")
        ordering = ["company__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "email"], name="monitoring_contact_unique_email"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def clean(self):
        super().clean()
        if (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            raise ValidationError({"quiet_hours_end": gettext("Give both ends of the quiet hours, or neither.")})
        if self.quiet_hours_start is not None and self.quiet_hours_start == self.quiet_hours_end:
            raise ValidationError({"quiet_hours_end": gettext("Quiet hours must not start and end at the same time.")})

    def in_quiet_hours(self, at=None) -> bool:
        """Whether ``at`` (now) falls in the quiet hours, read in the contact's time zone (may span midnight)."""
        if self.quiet_hours_start is None or self.quiet_hours_end is None:
            return False
        local: time = (at or timezone.now()).astimezone(zoneinfo.ZoneInfo(self.time_zone)).time()
        start, end = self.quiet_hours_start, self.quiet_hours_end
        return start <= local < end if start < end else (local >= start or local < end)

    def wants(self, alert_kind: str, at=None) -> bool:
        """Whether this contact gets an alert of ``alert_kind`` (see ``AlertKind``) now."""
        if not self.is_active or not getattr(self, f"notify_{alert_kind}", False):
            return False
        return alert_kind == "down" or not self.in_quiet_hours(at)


class Incident(models.Model):
    """A check's outage: opened once when it goes down, closed once when it has recovered.

    At most one incident per check is open (a database constraint). Flapping checks keep their incident
    open until they have stayed up for a while (``monitoring.incidents``).
    """

    service_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("check")
    )
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="monitoring_incidents", verbose_name=_("company")
    )
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=255)
    flapping = models.BooleanField(_("flapping"), default=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    down_notified_at = models.DateTimeField(_("down alert sent"), null=True, blank=True, editable=False)
    up_notified_at = models.DateTimeField(_("recovery sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_check"], condition=Q(closed_at__isnull=True), name="monitoring_incident_one_open"
            )
        ]
        indexes = [models.Index(fields=["company", "-opened_at"], name="monitoring_incident_company")]

    def __str__(self) -> str:
        return f"{self.service_check.name}: {self.cause}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def duration(self):
        """How long it lasted (or has lasted so far), a ``timedelta``."""
        return (self.closed_at or timezone.now()) - self.opened_at

    @property
    def duration_seconds(self) -> int:
        return int(self.duration.total_seconds())
