"""Reusable reads of the IPAM app: range lookups on the hex encoding, utilisation annotations.

This module sits below ``ipam.models`` (which builds its managers from these classes) and never imports it:
annotations that span models look them up in the app registry when they are built.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Substr

from ipam.addressing import networks_around
from ipam.choices import HELD_STATUSES

# An IPv6 address's /64 is the first 16 of its 32 hex digits.
SUBNET_64_DIGITS = 16


def ipv6_units(prefix_length: int) -> int:
    """How many /64 subnets an IPv6 network of ``prefix_length`` touches (one for anything longer than /64)."""
    return 2 ** (64 - prefix_length) if prefix_length <= 64 else 1


def _subnet_64(expression):
    return Substr(expression, 1, SUBNET_64_DIGITS)


def _count_subnets_64(queryset, column: str):
    """A scalar subquery: how many distinct /64s the ``column`` values of ``queryset`` fall in."""
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values("family")
            .annotate(total=Count(_subnet_64(column), distinct=True))
            .values("total")
        ),
        Value(0),
        output_field=models.BigIntegerField(),
    )


def _sum_units(queryset):
    # Cast: PostgreSQL sums a bigint column as numeric.
    return Coalesce(
        Cast(
            Subquery(queryset.order_by().values("family").annotate(total=Sum("size_units")).values("total")),
            models.BigIntegerField(),
        ),
        Value(0),
        output_field=models.BigIntegerField(),
    )


def ipv6_usage():
    """Annotations ``v6_assigned_units`` and ``v6_used_units``: the /64 subnets of an IPv6 range (a prefix or an
    aggregate) that are assigned, and assigned or reserved.

    A /64 is used when a held subnet covers it (assigned to a customer, or reserved/deprecated) or a held
    address record lies in it; each /64 counts once, however many sub-/64 subnets and addresses touch it. An
    assigned /64 counts as assigned even when something in it is also reserved. Subnets never overlap one
    another (only containers nest), so it comes to: the size of the held subnets of /64 or shorter, plus the
    distinct /64s of held longer subnets, plus the distinct /64s of held addresses outside both. Six correlated
    subqueries on the range indexes: constant queries, no row loaded into Python.
    """
    Prefix, IPAddress = apps.get_model("ipam", "Prefix"), apps.get_model("ipam", "IPAddress")

    held_subnet = Q(company__isnull=False) | Q(status__in=("reserved", "deprecated"))
    subnets = Prefix.objects.filter(
        family=6,
        network_start__gte=OuterRef("network_start"),
        network_start__lte=OuterRef("network_end"),
        network_end__lte=OuterRef("network_end"),
    ).exclude(status="container")
    addresses = (
        IPAddress.objects.filter(
            family=6, value__gte=OuterRef("network_start"), value__lte=OuterRef("network_end"), status__in=HELD_STATUSES
        )
        # Addresses inside a held subnet of /64 or shorter are counted with it.
        .exclude(
            Q(prefix__prefix_length__lte=64)
            & (Q(prefix__company__isnull=False) | Q(prefix__status__in=("reserved", "deprecated")))
        )
    )

    def long_subnets_covering_the_address(condition: Q):
        """Held longer-than-/64 subnets (inside the outer range) in the /64 of the outer address."""
        subnet_64 = _subnet_64(OuterRef("value"))
        return Exists(
            Prefix.objects.filter(condition, family=6, prefix_length__gt=64)
            .exclude(status="container")
            .filter(network_start__gte=Concat(subnet_64, Value("0" * SUBNET_64_DIGITS)))
            .filter(network_start__lte=Concat(subnet_64, Value("f" * SUBNET_64_DIGITS)))
            .filter(
                network_start__gte=OuterRef(OuterRef("network_start")),
                network_end__lte=OuterRef(OuterRef("network_end")),
            )
        )

    assigned_subnet = Q(company__isnull=False)
    return {
        "v6_assigned_units": _sum_units(subnets.filter(assigned_subnet, prefix_length__lte=64))
        + _count_subnets_64(subnets.filter(assigned_subnet, prefix_length__gt=64), "network_start")
        + _count_subnets_64(
            addresses.filter(status="assigned").exclude(long_subnets_covering_the_address(assigned_subnet)), "value"
        ),
        "v6_used_units": _sum_units(subnets.filter(held_subnet, prefix_length__lte=64))
        + _count_subnets_64(subnets.filter(held_subnet, prefix_length__gt=64), "network_start")
        + _count_subnets_64(addresses.exclude(long_subnets_covering_the_address(held_subnet)), "value"),
    }


class PrefixQuerySet(models.QuerySet):
    def containing(self, family: int, start: str, end: str | None = None):
        """Prefixes that contain the address ``start`` (or the whole range ``start``–``end``)."""
        return self.filter(family=family, network_start__lte=start, network_end__gte=end or start)

    def around(self, ip):
        """Every prefix containing the address ``ip``, found by the exact CIDR text of each network it can lie in.

        At most 33 (IPv4) or 129 (IPv6) candidates looked up on the unique ``prefix`` index: one query whose cost
        does not grow with the number of prefixes, where ``containing()`` (start <= ip <= end) reads every
        prefix that starts below the address.
        """
        return self.filter(prefix__in=networks_around(ip))

    def within(self, family: int, start: str, end: str):
        """Prefixes lying entirely inside ``start``–``end``."""
        # The upper bound on ``network_start`` keeps it one bounded range of the (family, network_start) index.
        return self.filter(family=family, network_start__gte=start, network_start__lte=end, network_end__lte=end)

    def with_utilisation(self, *, family: int | None = None):
        """Annotate the used /64s of IPv6 rows (``ipv6_usage``, correlated subqueries on the range indexes, so a page
        costs the same number of queries at any size). IPv4 figures need no annotation: ``held_addresses`` and
        ``child_units`` are columns kept on write (``ipam.counters``); IPv4 rows skip the IPv6 subqueries, and
        ``family=4`` (a read known to hold IPv4 rows only) leaves them out of the SQL."""
        if family == 4:
            return self  # an IPv4-only read: nothing to annotate (and no IPv6 subqueries to compile)
        return self.annotate(
            **{
                name: Case(When(family=6, then=expression), default=Value(0), output_field=models.BigIntegerField())
                for name, expression in ipv6_usage().items()
            }
        )


class IPAddressQuerySet(models.QuerySet):
    def in_range(self, family: int, start: str, end: str):
        """Address records between ``start`` and ``end`` (encoded), inclusive."""
        return self.filter(family=family, value__gte=start, value__lte=end)

    def held(self):
        """Records somebody holds (assigned, reserved or deprecated): the opposite of free."""
        return self.filter(status__in=HELD_STATUSES)


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)

    def covering(self, family: int, value: str):
        """Assignments whose range includes the encoded address ``value``."""
        return self.filter(family=family, start__lte=value, end__gte=value)

    def at(self, when):
        """Assignments in force at ``when``."""
        return self.filter(started_at__lte=when).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=when))
