from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


LEAD_STATUS_COLOURS = {
    LeadStatus.NEW: "info",
    LeadStatus.CONTACTED: "warning",
    LeadStatus.QUALIFIED: "primary",
    LeadStatus.WON: "success",
    LeadStatus.LOST: "danger",
}
