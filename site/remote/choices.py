"""Choices of the remote app, with their badge colours beside them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PowerAction(models.TextChoices):
    """What a power job asks the BMC; all but ``status`` change the host and need re-authentication."""

    STATUS = "status", _("Read power state")
    ON = "on", _("Power on")
    SHUTDOWN = "shutdown", _("Soft shutdown")
    OFF = "off", _("Power off")
    RESET = "reset", _("Reset")
    CYCLE = "cycle", _("Power cycle")


DESTRUCTIVE_ACTIONS = frozenset({PowerAction.SHUTDOWN, PowerAction.OFF, PowerAction.RESET, PowerAction.CYCLE})


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    TIMED_OUT = "timed_out", _("BMC did not answer")


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.TIMED_OUT})
JOB_STATUS_COLOURS = {
    "queued": "info",
    "running": "info",
    "succeeded": "success",
    "failed": "danger",
    "timed_out": "danger",
}


class RequestSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    ADMIN = "admin", _("Admin")
    API = "api", _("API")


class ConsoleEnd(models.TextChoices):
    """Why a console session ended."""

    CLOSED = "closed", _("Closed by the user")
    TAKEN_OVER = "taken_over", _("Taken over by another session")
    IDLE = "idle", _("Idle timeout")
    ACCESS_LOST = "access_lost", _("Access withdrawn")
    SIGNED_OUT = "signed_out", _("Signed out")
    BMC_ERROR = "bmc_error", _("BMC error")
