"""Audit of remote access: every power job and every serial-console session, who, from where, what, result."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Model
from remote.choices import ConsoleEnd, JobStatus, PowerAction, RequestSource

COMPANY = "accounts.Company"


class RemoteAccessRecord(Model):
    """What both audits share: the server (kept by name too, the audit outlives it), the company that owned
    it then (the tenancy path), and who acted, from which address and client."""

    device = models.ForeignKey(
        "dcim.Device", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("server")
    )
    device_name = models.CharField(_("server name"), max_length=100)
    company = models.ForeignKey(
        COMPANY, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("customer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    user_email = models.CharField(_("user e-mail"), max_length=254)
    as_staff = models.BooleanField(_("as staff"), default=False)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("client"), max_length=200, blank=True)

    class Meta:
        abstract = True


class PowerJob(RemoteAccessRecord):
    """One power command to a server's BMC, run outside the request by a task with a timeout."""

    action = models.CharField(_("action"), max_length=20, choices=PowerAction)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus, default=JobStatus.QUEUED)
    source = models.CharField(_("requested from"), max_length=10, choices=RequestSource, default=RequestSource.PORTAL)
    bmc_address = models.CharField(_("BMC address"), max_length=64)
    bmc_port = models.PositiveIntegerField(_("BMC port"), default=623)
    power_state = models.CharField(_("power state afterwards"), max_length=10, blank=True)
    bmc_answer = models.TextField(_("BMC answer"), blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("power job")
        verbose_name_plural = _("power jobs")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["device", "-requested_at"])]
        permissions = [
            ("control_power", _("Can control server power over IPMI")),
            ("use_console", _("Can open server serial consoles")),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.device_name} ({self.get_status_display()})"

    @property
    def duration_ms(self) -> int | None:
        """Milliseconds from start to finish, once finished."""
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() * 1000)


class ConsoleSession(RemoteAccessRecord):
    """One serial-over-LAN console session opened in the browser."""

    opened_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    end_reason = models.CharField(_("ended because"), max_length=20, choices=ConsoleEnd, blank=True)
    bytes_to_host = models.PositiveBigIntegerField(_("bytes typed"), default=0)
    bytes_from_host = models.PositiveBigIntegerField(_("bytes received"), default=0)
    transcript = models.TextField(
        _("transcript"), blank=True, help_text=_("Kept only when REMOTE_CONSOLE_TRANSCRIPTS is on.")
    )

    class Meta:
        verbose_name = _("console session")
        verbose_name_plural = _("console sessions")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["device", "-opened_at"])]

    def __str__(self) -> str:
        return f"{self.device_name} · {self.user_email}"

    @property
    def duration_seconds(self) -> int | None:
        if self.closed_at is None:
            return None
        return round((self.closed_at - self.opened_at).total_seconds())


class BmcStatus(Model):
    """The latest of a server's BMC as the IPMI collector saw it: reachable, power, draw, every sensor."""

    device = models.OneToOneField(
        "dcim.Device", on_delete=models.CASCADE, related_name="bmc_status", verbose_name=_("server")
    )
    reachable = models.BooleanField(_("BMC reachable"), null=True)
    power_state = models.CharField(_("power"), max_length=10, blank=True)
    watts = models.FloatField(_("power draw (W)"), null=True, blank=True)
    sensors = models.JSONField(_("sensors"), default=list, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    changed_at = models.DateTimeField(_("reachability changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("BMC status")
        verbose_name_plural = _("BMC statuses")
        ordering = ["device__name"]

    def __str__(self) -> str:
        return str(self.device)
