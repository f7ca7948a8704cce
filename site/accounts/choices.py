"""Choices of the accounts app, with the badge colours the admin shows beside them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


COMPANY_STATUS_COLOURS = {
    CompanyStatus.ACTIVE: "success",
    CompanyStatus.SUSPENDED: "warning",
    CompanyStatus.CLOSED: "danger",
}


class CompanyRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    BILLING = "billing", _("Billing")
    TECHNICAL = "technical", _("Technical")
    READ_ONLY = "read_only", _("Read-only")


COMPANY_ROLE_COLOURS = {
    CompanyRole.OWNER: "primary",
    CompanyRole.BILLING: "info",
    CompanyRole.TECHNICAL: "success",
    CompanyRole.READ_ONLY: "info",
}

# What each company role may do in the portal and through the API. Later apps check these capabilities
# (`membership.can("billing")`), never the role names themselves.
COMPANY_ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    CompanyRole.OWNER: frozenset({"view", "manage_users", "billing", "technical", "order"}),
    CompanyRole.BILLING: frozenset({"view", "billing", "order"}),
    CompanyRole.TECHNICAL: frozenset({"view", "technical"}),
    CompanyRole.READ_ONLY: frozenset({"view"}),
}


class StaffRole(models.TextChoices):
    """The staff groups created by migration; their permission sets live in ``accounts.roles``."""

    ADMINISTRATOR = "Administrator", _("Administrator")
    BILLING = "Billing", _("Billing")
    SUPPORT = "Support technician", _("Support technician")
    NOC = "NOC", _("NOC")
    MARKETING = "Marketing", _("Marketing")
