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


class CheckKind(models.TextChoices):
    ICMP = "icmp", _("Ping (ICMP echo)")
    TCP = "tcp", _("TCP port")
    HTTP = "http", _("HTTP")
    HTTPS = "https", _("HTTPS")
    DNS = "dns", _("DNS answer")
    SNMP = "snmp", _("SNMP reachability")


class CheckState(models.TextChoices):
    UNKNOWN = "unknown", _("Not checked yet")
    UP = "up", _("Up")
    DOWN = "down", _("Down")
    PAUSED = "paused", _("Paused")
    MAINTENANCE = "maintenance", _("In maintenance")


CHECK_STATE_COLOURS = {"unknown": "info", "up": "success", "down": "danger", "paused": "warning", "maintenance": "info"}
INCIDENT_OPEN_COLOURS = {True: "danger", False: "success"}


class DnsRecordType(models.TextChoices):
    A = "A", "A"
    AAAA = "AAAA", "AAAA"
    CNAME = "CNAME", "CNAME"
    MX = "MX", "MX"
    NS = "NS", "NS"
    TXT = "TXT", "TXT"


class AlertKind(models.TextChoices):
    DOWN = "down", _("Down")
    UP = "up", _("Recovered")
    BANDWIDTH = "bandwidth", _("Bandwidth")
    MAINTENANCE = "maintenance", _("Maintenance")


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
