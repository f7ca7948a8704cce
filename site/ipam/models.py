"""RIRs, aggregates, VLANs, prefixes, IP addresses, their assignment history and ARIN justifications.

Every address and network boundary is stored as ``family`` plus fixed-width hex (see ``ipam.addressing``), so
ordering and range lookups behave identically on SQLite and PostgreSQL. Free space is never stored: an
address is free when it lies in a managed prefix and no record holds it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import PrimaryModel, TimestampedModel
from ipam.addressing import HEX_WIDTH, from_hex, network_bounds, parse_address, parse_network, to_hex, usable_bounds
from ipam.choices import (
    AssignmentKind,
    IPAddressStatus,
    IPFamily,
    JustificationStatus,
    PrefixRole,
    PrefixStatus,
)
from ipam.querysets import AssignmentQuerySet, IPAddressQuerySet, PrefixQuerySet, ipv6_units


def size_units(network) -> int:
    """The size of a network in accounting units: addresses for IPv4, /64 subnets for IPv6 (0 below a /64)."""
    if network.version == 4:
        return network.num_addresses
    return 2 ** (64 - network.prefixlen) if network.prefixlen <= 64 else 0


class NetworkRangeModel(PrimaryModel):
    """A CIDR network kept as text for people and as family + hex bounds for queries."""

    prefix = models.CharField(_("prefix"), max_length=49, unique=True, help_text=_("CIDR, e.g. 192.0.2.0/24."))
    family = models.PositiveSmallIntegerField(_("family"), choices=IPFamily, editable=False)
    network_start = models.CharField(max_length=HEX_WIDTH, editable=False)
    network_end = models.CharField(max_length=HEX_WIDTH, editable=False)
    prefix_length = models.PositiveSmallIntegerField(_("length"), editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.prefix

    @property
    def network(self):
        return ipaddress.ip_network(self.prefix)

    def set_bounds(self) -> None:
        """Parse ``prefix`` (refusing malformed input) and fill the stored bounds."""
        network = parse_network(self.prefix)
        self.prefix = str(network)
        self.family = network.version
        self.network_start, self.network_end = network_bounds(network)
        self.prefix_length = network.prefixlen

    def overlapping(self, queryset):
        """Rows of ``queryset`` whose range shares at least one address with this one."""
        return queryset.filter(
            family=self.family, network_start__lte=self.network_end, network_end__gte=self.network_start
        ).exclude(pk=self.pk)


class RIR(PrimaryModel):
    """A regional Internet registry (ARIN, RIPE NCC…) or a private space such as RFC 1918."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    is_private = models.BooleanField(_("private"), default=False, help_text=_("RFC 1918 / ULA space, not reported."))

    class Meta:
        verbose_name = _("RIR")
        verbose_name_plural = _("RIRs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Aggregate(NetworkRangeModel):
    """Address space the provider holds from an RIR (an ARIN allocation); every prefix lies in one."""

    rir = models.ForeignKey(RIR, on_delete=models.PROTECT, related_name="aggregates", verbose_name=_("RIR"))
    date_allocated = models.DateField(_("date allocated"), null=True, blank=True)

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        ordering = ["family", "network_start"]
        indexes = [models.Index(fields=["family", "network_start", "network_end"], name="ipam_aggregate_range")]

    def clean(self):
        super().clean()
        try:
            self.set_bounds()
        except ValidationError as error:
            raise ValidationError({"prefix": error.messages}) from error
        clash = self.overlapping(Aggregate.objects.all()).first()
        if clash is not None:
            raise ValidationError(
                {"prefix": gettext("%(new)s overlaps aggregate %(old)s.") % {"new": self.prefix, "old": clash}}
            )


class VLAN(PrimaryModel):
    """A VLAN a prefix is carried on (the site link is added with DCIM)."""

    vid = models.PositiveSmallIntegerField(
        _("VLAN id"), validators=[MinValueValidator(1), MaxValueValidator(4094)], help_text=_("1–4094.")
    )
    name = models.CharField(_("name"), max_length=64)
    site = models.ForeignKey(
        "dcim.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="vlans", verbose_name=_("site")
    )

    class Meta:
        verbose_name = _("VLAN")
        verbose_name_plural = _("VLANs")
        ordering = ["vid", "name"]

    def __str__(self) -> str:
        return f"{self.vid} ({self.name})"


class Prefix(NetworkRangeModel):
    """A network inside an aggregate. Only a container may hold other prefixes; addresses live in the others.

    ``company`` is set when the whole block is assigned to a customer (see ``Assignment`` for the history).
    """

    aggregate = models.ForeignKey(
        Aggregate, on_delete=models.PROTECT, related_name="prefixes", editable=False, verbose_name=_("aggregate")
    )
    status = models.CharField(_("status"), max_length=20, choices=PrefixStatus, default=PrefixStatus.ACTIVE)
    role = models.CharField(_("role"), max_length=20, choices=PrefixRole, blank=True)
    vlan = models.ForeignKey(
        VLAN, on_delete=models.SET_NULL, null=True, blank=True, related_name="prefixes", verbose_name=_("VLAN")
    )
    site = models.ForeignKey(
        "dcim.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ip_prefixes",
        verbose_name=_("site"),
    )
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ip_prefixes",
        verbose_name=_("assigned to"),
        editable=False,
    )
    is_pool = models.BooleanField(
        _("pool"), default=False, help_text=_("Every address is usable, network and broadcast included.")
    )
    size_units = models.BigIntegerField(editable=False, default=0)
    # Figures kept on write by the services (``ipam.counters``), so utilisation and next-free never count rows:
    # address records of a subnet, how many of them are held, and the space of the subnets inside a container.
    # A database default too, so bulk loads that name only the other columns (``ipam.bulk``) can leave them out.
    address_records = models.BigIntegerField(editable=False, default=0, db_default=0)
    held_addresses = models.BigIntegerField(editable=False, default=0, db_default=0)
    child_units = models.BigIntegerField(editable=False, default=0, db_default=0)

    objects = PrefixQuerySet.as_manager()

    class Meta:
        verbose_name = _("prefix")
        verbose_name_plural = _("prefixes")
        ordering = ["family", "network_start", "prefix_length"]
        indexes = [models.Index(fields=["family", "network_start", "network_end"], name="ipam_prefix_range")]

    def clean(self):
        super().clean()
        try:
            self.set_bounds()
        except ValidationError as error:
            raise ValidationError({"prefix": error.messages}) from error
        network = self.network
        self.size_units = size_units(network)
        aggregate = (
            Aggregate.objects.filter(
                family=self.family, network_start__lte=self.network_start, network_end__gte=self.network_end
            )
            .order_by("-prefix_length")
            .first()
        )
        if aggregate is None:
            raise ValidationError(
                {
                    "prefix": gettext(
                        "%(prefix)s is outside every aggregate: add the address space it belongs to (for example "
                        "the ARIN allocation) first."
                    )
                    % {"prefix": self.prefix}
                }
            )
        self.aggregate = aggregate
        if Prefix.objects.filter(prefix=self.prefix).exclude(pk=self.pk).exists():
            raise ValidationError({"prefix": gettext("%(prefix)s already exists.") % {"prefix": self.prefix}})
        # CIDR networks overlap only by containing one another: the prefixes around it by their exact text and
        # the first few inside it, two bounded index reads (``overlapping()`` would read every prefix below it).
        network_range = (self.family, self.network_start, self.network_end)
        others = Prefix.objects.select_related("company").exclude(pk=self.pk)
        around = others.around(network.network_address).filter(prefix_length__lt=self.prefix_length)
        inside = others.within(*network_range).filter(prefix_length__gte=self.prefix_length)
        for other in [*around, *inside.order_by("network_start")[:20]]:
            holder = f" ({other.company})" if other.company_id else ""
            other_contains = other.network_start <= self.network_start and other.network_end >= self.network_end
            container = other if other_contains else self
            if container.status != PrefixStatus.CONTAINER:
                raise ValidationError(
                    {
                        "prefix": gettext(
                            "%(new)s overlaps %(old)s%(holder)s: only a container may hold other prefixes."
                        )
                        % {"new": self.prefix, "old": other.prefix, "holder": holder}
                    }
                )
        if self.pk and self.status == PrefixStatus.CONTAINER and self.addresses.exists():
            raise ValidationError(
                {"status": gettext("%(prefix)s holds addresses, so it cannot be a container.") % {"prefix": self}}
            )

    def usable_range(self) -> tuple[int, int]:
        """First and last address (integers) that may be given out."""
        return usable_bounds(self.network, is_pool=self.is_pool)

    @property
    def usable_count(self) -> int:
        first, last = self.usable_range()
        return max(last - first + 1, 0)

    @property
    def utilisation(self) -> int:
        """Percent used: held addresses (or the whole block when assigned) for a subnet, child space for a
        container, both read from the figures kept on write (``ipam.counters``); IPv6 in /64 subnets (see
        ``ipv6_utilisation``)."""
        if self.family == 6:
            used, total = self.ipv6_utilisation
            return min(100, round(100 * used / total)) if total else 0
        if self.company_id or self.status == PrefixStatus.RESERVED:
            return 100
        if self.status == PrefixStatus.CONTAINER:
            return min(100, round(100 * self.child_units / self.size_units)) if self.size_units else 0
        usable = self.usable_count
        return min(100, round(100 * self.held_addresses / usable)) if usable else 0

    @property
    def ipv6_utilisation(self) -> tuple[int, int]:
        """(used, total) /64 subnets of an IPv6 prefix: a per-address share of 2^64+ addresses means nothing.

        A /64 is used when an assigned or reserved subnet covers it or a held address lies in it, each /64
        counted once; a prefix longer than /64 is one /64. Same figures as the ARIN report's IPv6 rows.
        """
        used = getattr(self, "v6_used_units", None)
        if used is None:
            used = Prefix.objects.filter(pk=self.pk).with_utilisation().values_list("v6_used_units", flat=True)[0]
        return used, ipv6_units(self.prefix_length)

    @property
    def utilisation_detail(self) -> str:
        """What the percentage is a share of, for a tooltip: "3 of 256 /64 subnets used"."""
        if self.family == 6:
            used, total = self.ipv6_utilisation
            return gettext("%(used)s of %(total)s /64 subnets used") % {"used": f"{used:,}", "total": f"{total:,}"}
        return gettext("%(percent)s%% of %(total)s addresses used") % {
            "percent": self.utilisation,
            "total": f"{self.size_units:,}",
        }


class IPJustification(PrimaryModel):
    """Why a customer needs addresses, in the terms of ARIN's reassignment and additional-space requests.

    Created when staff assign space to a customer, or by the customer's request for more addresses (the
    services flow builds that form on this model); every customer assignment points at one.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="ip_justifications", verbose_name=_("company")
    )
    customer_name = models.CharField(
        _("customer name"), max_length=200, help_text=_("The organisation as reported to ARIN (legal name).")
    )
    network_name = models.CharField(_("network name"), max_length=50, blank=True, help_text=_("ARIN NetName."))
    purpose = models.TextField(_("purpose"), help_text=_("What the addresses are for (web hosting, VPN pool…)."))
    hosts_now = models.PositiveIntegerField(_("hosts now"), help_text=_("Addresses needed immediately."))
    hosts_in_6_months = models.PositiveIntegerField(_("hosts in 6 months"), default=0)
    hosts_in_12_months = models.PositiveIntegerField(_("hosts in 12 months"), default=0)
    requested_family = models.PositiveSmallIntegerField(_("family"), choices=IPFamily, default=IPFamily.IPV4)
    requested_prefix_length = models.PositiveSmallIntegerField(_("requested prefix length"), null=True, blank=True)
    utilisation_plan = models.TextField(
        _("utilisation plan"), blank=True, help_text=_("How the space will be subnetted and used over time.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=JustificationStatus, default=JustificationStatus.APPROVED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("ARIN justification")
        verbose_name_plural = _("ARIN justifications")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.purpose[:60]}"

    def clean(self):
        super().clean()
        if self.hosts_now < 1:
            raise ValidationError({"hosts_now": gettext("Give the number of hosts that need an address now.")})


class IPAddress(PrimaryModel):
    """A recorded address inside a (non-container) prefix; ``company`` is its current holder, if any."""

    address = models.CharField(_("address"), max_length=39, help_text=_("e.g. 192.0.2.10 or 2001:db8::10."))
    family = models.PositiveSmallIntegerField(_("family"), choices=IPFamily, editable=False)
    value = models.CharField(max_length=HEX_WIDTH, editable=False)
    prefix = models.ForeignKey(
        Prefix, on_delete=models.PROTECT, related_name="addresses", editable=False, verbose_name=_("prefix")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IPAddressStatus, default=IPAddressStatus.AVAILABLE, editable=False
    )
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ip_addresses",
        verbose_name=_("assigned to"),
        editable=False,
        db_index=False,  # a partial index below: most records are held by nobody
    )
    current_assignment = models.ForeignKey(
        "Assignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,  # a partial index below
    )
    dns_name = models.CharField(_("DNS name"), max_length=255, blank=True)

    objects = IPAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("IP address")
        verbose_name_plural = _("IP addresses")
        ordering = ["family", "value"]
        constraints = [models.UniqueConstraint(fields=["family", "value"], name="ipam_ipaddress_unique_value")]
        # "Held records between two addresses" (next free address, utilisation) read from the index alone.
        indexes = [
            models.Index(fields=["family", "status", "value"], name="ipam_ipaddress_status_value"),
            # Only records somebody holds have a company or an assignment: indexing the NULLs of the available
            # ones (a /16 added with its records is 65,534 of them) cost every bulk insert two index entries a row.
            models.Index(fields=["company"], name="ipam_ipaddress_company", condition=Q(company__isnull=False)),
            models.Index(
                fields=["current_assignment"],
                name="ipam_ipaddress_assignment",
                condition=Q(current_assignment__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def ip(self):
        return from_hex(self.family, self.value)

    def clean(self):
        super().clean()
        try:
            ip = parse_address(self.address)
        except ValidationError as error:
            raise ValidationError({"address": error.messages}) from error
        self.address, self.family, self.value = str(ip), ip.version, to_hex(ip)
        if IPAddress.objects.filter(family=self.family, value=self.value).exclude(pk=self.pk).exists():
            raise ValidationError({"address": gettext("%(address)s already exists.") % {"address": self.address}})
        prefix = Prefix.objects.around(ip).order_by("-prefix_length").first()
        if prefix is None:
            raise ValidationError(
                {"address": gettext("%(address)s is in no prefix: add its subnet first.") % {"address": self.address}}
            )
        if prefix.status == PrefixStatus.CONTAINER:
            raise ValidationError(
                {
                    "address": gettext("%(address)s lies in container %(prefix)s: add a subnet for it first.")
                    % {"address": self.address, "prefix": prefix}
                }
            )
        first, last = prefix.usable_range()
        if not first <= int(ip) <= last:
            which = gettext("network") if int(ip) < first else gettext("broadcast")
            raise ValidationError(
                {
                    "address": gettext("%(address)s is the %(which)s address of %(prefix)s.")
                    % {"address": self.address, "which": which, "prefix": prefix}
                }
            )
        self.prefix = prefix


class Assignment(TimestampedModel):
    """One period during which an address or block was assigned or reserved; never deleted.

    The range is copied onto the row (``family``, ``start``, ``end``), so "who held 192.0.2.10 at time T"
    is one indexed query even for an address inside a block assignment or whose record was deleted.
    ``service`` is a generic reference: the services (catalog) app points it at its service instances.
    ``interface`` is the device port the address is configured on (DCIM).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AssignmentKind, default=AssignmentKind.ASSIGNED)
    network = models.CharField(_("addresses"), max_length=49, help_text=_("The address or block, as text."))
    family = models.PositiveSmallIntegerField(_("family"), choices=IPFamily)
    start = models.CharField(max_length=HEX_WIDTH)
    end = models.CharField(max_length=HEX_WIDTH)
    address = models.ForeignKey(IPAddress, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments")
    prefix = models.ForeignKey(Prefix, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments")
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ip_assignments",
        verbose_name=_("company"),
    )
    service_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("service type")
    )
    service_id = models.PositiveBigIntegerField(_("service id"), null=True, blank=True)
    service = GenericForeignKey("service_type", "service_id")
    interface = models.ForeignKey(
        "dcim.Interface",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ip_assignments",
        verbose_name=_("interface"),
    )
    justification = models.ForeignKey(
        IPJustification, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    release_reason = models.CharField(_("release reason"), max_length=255, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("IP assignment")
        verbose_name_plural = _("IP assignments")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["family", "start", "end"], name="ipam_assignment_range"),
            models.Index(fields=["company", "started_at"], name="ipam_assignment_company"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="ipam_assignment_period",
            )
        ]

    def __str__(self) -> str:
        holder = self.company or self.reason or self.get_kind_display()
        return f"{self.network} → {holder}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None
