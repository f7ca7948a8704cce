"""Choices of the IPAM app, with the badge colours the admin shows beside them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IPFamily(models.IntegerChoices):
    IPV4 = 4, _("IPv4")
    IPV6 = 6, _("IPv6")


class PrefixStatus(models.TextChoices):
    CONTAINER = "container", _("Container")
    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    DEPRECATED = "deprecated", _("Deprecated")


PREFIX_STATUS_COLOURS = {
    PrefixStatus.CONTAINER: "info",
    PrefixStatus.ACTIVE: "success",
    PrefixStatus.RESERVED: "warning",
    PrefixStatus.DEPRECATED: "danger",
}


class PrefixRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    MANAGEMENT = "management", _("Management / IPMI")
    POINT_TO_POINT = "point_to_point", _("Point-to-point")
    LOOPBACK = "loopback", _("Loopbacks")


class IPAddressStatus(models.TextChoices):
    """``available`` marks a record that exists (created in bulk, or released) but that nobody holds.

    "Free" is never stored: an address is free when it lies in a managed prefix and either has no record or
    its record is ``available``.
    """

    AVAILABLE = "available", _("Available")
    ASSIGNED = "assigned", _("Assigned")
    RESERVED = "reserved", _("Reserved")
    DEPRECATED = "deprecated", _("Deprecated")


# Records somebody holds: the opposite of free (querysets, counters and the models read it from here).
HELD_STATUSES = (IPAddressStatus.ASSIGNED, IPAddressStatus.RESERVED, IPAddressStatus.DEPRECATED)


IP_ADDRESS_STATUS_COLOURS = {
    IPAddressStatus.AVAILABLE: "info",
    IPAddressStatus.ASSIGNED: "success",
    IPAddressStatus.RESERVED: "warning",
    IPAddressStatus.DEPRECATED: "danger",
}


class AssignmentKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    RESERVED = "reserved", _("Reserved")


ASSIGNMENT_KIND_COLOURS = {AssignmentKind.ASSIGNED: "success", AssignmentKind.RESERVED: "warning"}


class JustificationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


JUSTIFICATION_STATUS_COLOURS = {
    JustificationStatus.SUBMITTED: "info",
    JustificationStatus.APPROVED: "success",
    JustificationStatus.REJECTED: "danger",
}
