"""Choices of the tickets app, with the badge colours shown beside them (maps kept outside the enums)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketCategory(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    BILLING = "billing", _("Billing")
    REMOTE_HANDS = "remote_hands", _("Remote hands")
    PROVISIONING = "provisioning", _("Provisioning")
    ABUSE = "abuse", _("Abuse")


TICKET_CATEGORY_COLOURS = {
    TicketCategory.TECHNICAL: "info",
    TicketCategory.BILLING: "primary",
    TicketCategory.REMOTE_HANDS: "warning",
    TicketCategory.PROVISIONING: "success",
    TicketCategory.ABUSE: "danger",
}


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


TICKET_PRIORITY_COLOURS = {
    TicketPriority.LOW: "info",
    TicketPriority.NORMAL: "primary",
    TicketPriority.HIGH: "warning",
    TicketPriority.URGENT: "danger",
}


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_CUSTOMER = "waiting_customer", _("Waiting on customer")
    WAITING_ON_THIRD_PARTY = "waiting_third_party", _("Waiting on third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


TICKET_STATUS_COLOURS = {
    TicketStatus.NEW: "primary",
    TicketStatus.OPEN: "info",
    TicketStatus.WAITING_ON_CUSTOMER: "warning",
    TicketStatus.WAITING_ON_THIRD_PARTY: "warning",
    TicketStatus.RESOLVED: "success",
    TicketStatus.CLOSED: "success",
}

# Statuses in which the ticket is finished: no SLA clock runs, customers may still reply to a resolved one.
DONE_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
# Statuses in which the SLA clock is stopped because the provider waits for the customer.
PAUSED_STATUSES = frozenset({TicketStatus.WAITING_ON_CUSTOMER})


class MessageSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    ADMIN = "admin", _("Admin")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    SYSTEM = "system", _("System")


class SlaState(models.TextChoices):
    """How a ticket stands against its SLA (computed, not stored)."""

    NONE = "none", _("No SLA")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    PAUSED = "paused", _("Paused")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


SLA_STATE_COLOURS = {
    SlaState.NONE: "info",
    SlaState.ON_TRACK: "success",
    SlaState.AT_RISK: "warning",
    SlaState.PAUSED: "info",
    SlaState.BREACHED: "danger",
    SlaState.MET: "success",
}

# Which queue a new ticket lands in, by category (queue slugs seeded by migration 0002).
CATEGORY_QUEUES = {
    TicketCategory.TECHNICAL: "support",
    TicketCategory.BILLING: "billing",
    TicketCategory.REMOTE_HANDS: "noc",
    TicketCategory.PROVISIONING: "provisioning",
    TicketCategory.ABUSE: "noc",
}
