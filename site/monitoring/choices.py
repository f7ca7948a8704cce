"""Choices of the monitoring app, with their badge colours beside them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    LINK = "link", _("Link")
    DEVICE = "device", _("Device reachability")
    BANDWIDTH = "bandwidth", _("Bandwidth threshold")
    BMC = "bmc", _("BMC reachability")
    SENSOR = "sensor", _("BMC sensor")


class EventSeverity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


EVENT_SEVERITY_COLOURS = {"info": "info", "warning": "warning", "critical": "danger"}
OPER_STATUS_COLOURS = {"up": "success", "down": "danger", "lowerLayerDown": "danger", "dormant": "warning"}

# Bandwidth thresholds in percent of the commit; 101 means "over the commit".
BANDWIDTH_THRESHOLDS = (80, 100, 101)
