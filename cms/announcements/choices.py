from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    INCIDENT = "incident", _("Incident")
    NEWS = "news", _("News")


SEVERITY_COLOURS = {Severity.MAINTENANCE: "warning", Severity.INCIDENT: "danger", Severity.NEWS: "info"}


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone (public website)")
    CUSTOMERS = "customers", _("All customers (portal)")
    SITE = "site", _("Customers of one datacenter site (portal)")
