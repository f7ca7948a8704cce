"""Choices of the monitoring app, with their badge colours beside them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    LINK = "link", _("Link")
    DEVICE = "device", _("Device reachability")
    BANDWIDTH = "bandwidth", _("Bandwidth threshold")


class EventSeverity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


EVENT_SEVERITY_COLOURS = {"info": "info", "warning": "warning", "critical": "danger"}
OPER_STATUS_COLOURS = {"up": "success", "down": "danger", "lowerLayerDown": "danger", "dormant": "warning"}


class AbuseKind(models.TextChoices):
    SPAM = "spam", _("Spam")
    ATTACK = "attack", _("Denial of service / attack")
    SCANNING = "scanning", _("Port scanning")
    PHISHING = "phishing", _("Phishing")
    MALWARE = "malware", _("Malware")
    COPYRIGHT = "copyright", _("Copyright complaint")
    OTHER = "other", _("Other")


class AbuseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the customer")
    RESOLVED = "resolved", _("Resolved")


ABUSE_STATUS_COLOURS = {"open": "danger", "acknowledged": "warning", "resolved": "success"}
