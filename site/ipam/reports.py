"""The ARIN report: utilisation per aggregate and prefix, and per-customer reassignments with justifications.

It matches what ARIN asks for in a request for additional space (utilisation of previous allocations and the
customer reassignments behind it). IPv4 is counted in addresses, IPv6 in /64 subnets (each /64 touched by a held
subnet or address counted once, ``querysets.ipv6_usage``, the same figures as the admin's bars). A constant
number of queries whatever the size (all prefixes, held address counts grouped by prefix, the IPv6 figures),
then prefix sums in Python, so a /8 with 50,000 prefixes stays a matter of seconds.

The admin page shows a page at a time instead: ``aggregate_rows()``, ``prefix_queryset()`` with
``prefix_rows()`` and ``reassignment_queryset()`` with ``reassignment_row()`` give the same rows with the same
figures, computed in SQL for only the rows asked for (correlated subqueries), so a page costs a constant number
of queries and never builds the 300,000 rows of a large report.
"""

from __future__ import annotations

import io
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from core.exports import csv_writer
from ipam.choices import AssignmentKind, IPAddressStatus, PrefixStatus
from ipam.models import Aggregate, Assignment, IPAddress, Prefix
from ipam.querysets import ipv6_units, ipv6_usage

UTILISATION_HEADER = [
    "level",
    "prefix",
    "rir",
    "status",
    "assigned_to",
    "unit",
    "total",
    "assigned",
    "reserved",
    "free",
    "percent_used",
]
REASSIGNMENT_HEADER = [
    "customer",
    "account_number",
    "customer_name",
    "network_name",
    "network",
    "family",
    "assigned_on",
    "purpose",
    "hosts_now",
    "hosts_in_6_months",
    "hosts_in_12_months",
    "utilisation_plan",
    "service",
]


@dataclass
class UtilisationRow:
    level: str
    prefix: str
    rir: str
    status: str
    assigned_to: str
    unit: str
    total: int
    assigned: int
    reserved: int

    @property
    def free(self) -> int:
        return max(self.total - self.assigned - self.reserved, 0)

    @property
    def percent_used(self) -> float:
        return round(100 * (self.assigned + self.reserved) / self.total, 1) if self.total else 0.0

    def as_list(self) -> list:
        return [
            self.level,
            self.prefix,
            self.rir,
            self.status,
            self.assigned_to,
            self.unit,
            self.total,
            self.assigned,
            self.reserved,
            self.free,
            self.percent_used,
        ]


def _ipv6_figures(assigned: int, used: int, prefix_length: int) -> tuple[int, int, int]:
    """(total, assigned, reserved) /64 subnets of an IPv6 range from its ``ipv6_usage()`` annotations."""
    return ipv6_units(prefix_length), assigned, used - assigned


def _ipv6_usage(model) -> dict[int, tuple[int, int]]:
    """pk -> (assigned, used) /64 subnets of every IPv6 row of ``model`` (Prefix or Aggregate): one query."""
    rows = (
        model.objects.filter(family=6).annotate(**ipv6_usage()).values_list("pk", "v6_assigned_units", "v6_used_units")
    )
    return {pk: (assigned, used) for pk, assigned, used in rows}


class _PrefixRow(NamedTuple):
    """The columns of a prefix the report needs: 50,000 of these load in a fraction of the time of models."""

    pk: int
    prefix: str
    family: int
    network_start: str
    network_end: str
    prefix_length: int
    status: str
    company_id: int | None
    company_name: str | None
    aggregate_id: int
    is_pool: bool
    size_units: int

    @property
    def usable_count(self) -> int:
        """As ``Prefix.usable_count`` (``addressing.usable_bounds``), without building an ipaddress object."""
        if self.family == 4 and self.prefix_length < 31 and not self.is_pool:
            return max(self.size_units - 2, 0)
        return self.size_units


def _subnet_figures(prefix: _PrefixRow, counts: dict) -> tuple[int, int, int]:
    """(total, assigned, reserved) of an IPv4 subnet, in addresses."""
    total = prefix.size_units
    if prefix.company_id:
        return total, total, 0
    if prefix.status in (PrefixStatus.RESERVED, PrefixStatus.DEPRECATED):
        return total, 0, total
    assigned = counts.get((prefix.pk, IPAddressStatus.ASSIGNED), 0)
    reserved = counts.get((prefix.pk, IPAddressStatus.RESERVED), 0) + counts.get(
        (prefix.pk, IPAddressStatus.DEPRECATED), 0
    )
    # Network and broadcast addresses of an IPv4 subnet are spent on it: they count as used by the subnet.
    overhead = total - prefix.usable_count
    return total, assigned, reserved + overhead


def utilisation_rows(progress: Callable[[int, int], None] | None = None) -> list[UtilisationRow]:
    """One row per aggregate, then its prefixes, with total, assigned, reserved, free and percent used."""
    counts = {
        (row["prefix_id"], row["status"]): row["total"]
        for row in IPAddress.objects.held().values("prefix_id", "status").annotate(total=Count("pk")).order_by()
    }
    prefixes = [
        _PrefixRow(*values)
        for values in Prefix.objects.order_by("family", "network_start", "prefix_length").values_list(
            *(name if name != "company_name" else "company__name" for name in _PrefixRow._fields)
        )
    ]
    # IPv6 in /64 subnets, each counted once (``querysets.ipv6_usage``): one query per model, done in SQL.
    ipv6_prefixes, ipv6_aggregates = _ipv6_usage(Prefix), _ipv6_usage(Aggregate)
    # Subnets never overlap one another (only containers nest), so per family they form a sorted run whose
    # prefix sums answer "how much is used between start and end" with two bisections.
    runs: dict[int, dict] = defaultdict(lambda: {"starts": [], "assigned": [0], "reserved": [0]})
    subnet_figures = {}
    for prefix in prefixes:
        if prefix.status == PrefixStatus.CONTAINER or prefix.family == 6:
            continue
        figures = _subnet_figures(prefix, counts)
        subnet_figures[prefix.pk] = figures
        run = runs[prefix.family]
        run["starts"].append(prefix.network_start)
        run["assigned"].append(run["assigned"][-1] + figures[1])
        run["reserved"].append(run["reserved"][-1] + figures[2])

    def summed(family: int, start: str, end: str) -> tuple[int, int]:
        run = runs[family]
        low, high = bisect_left(run["starts"], start), bisect_right(run["starts"], end)
        return run["assigned"][high] - run["assigned"][low], run["reserved"][high] - run["reserved"][low]

    by_aggregate = defaultdict(list)
    for prefix in prefixes:
        by_aggregate[prefix.aggregate_id].append(prefix)
    rows = []
    aggregates = list(Aggregate.objects.select_related("rir").order_by("family", "network_start"))
    for number, aggregate in enumerate(aggregates, start=1):
        unit = "addresses" if aggregate.family == 4 else "/64 subnets"
        if aggregate.family == 6:
            total, assigned, reserved = _ipv6_figures(*ipv6_aggregates[aggregate.pk], aggregate.prefix_length)
        else:
            total = 2 ** (32 - aggregate.prefix_length)
            assigned, reserved = summed(aggregate.family, aggregate.network_start, aggregate.network_end)
        rows.append(
            UtilisationRow("aggregate", aggregate.prefix, aggregate.rir.name, "", "", unit, total, assigned, reserved)
        )
        for prefix in by_aggregate.get(aggregate.pk, []):
            if prefix.family == 6:
                total, assigned, reserved = _ipv6_figures(*ipv6_prefixes[prefix.pk], prefix.prefix_length)
            elif prefix.status == PrefixStatus.CONTAINER:
                total = prefix.size_units or 1
                assigned, reserved = summed(prefix.family, prefix.network_start, prefix.network_end)
            else:
                total, assigned, reserved = subnet_figures[prefix.pk]
            rows.append(
                UtilisationRow(
                    "prefix",
                    prefix.prefix,
                    aggregate.rir.name,
                    prefix.status,
                    prefix.company_name or "",
                    unit,
                    total,
                    assigned,
                    reserved,
                )
            )
        if progress:
            progress(number, len(aggregates))
    return rows


# Query-level figures, for a page of the report: the same sums as ``utilisation_rows()`` computed in SQL for
# the rows asked for, so a page costs a constant number of queries and never loads the whole table.

_HELD_SUBNET_STATUSES = (PrefixStatus.RESERVED, PrefixStatus.DEPRECATED)


def _sum_subquery(queryset, expression):
    """A scalar subquery summing ``expression`` over ``queryset`` (0 when empty); Cast as PostgreSQL sums a
    bigint as numeric."""
    return Coalesce(
        Cast(
            Subquery(queryset.order_by().values("family").annotate(total=Sum(expression)).values("total")),
            models.BigIntegerField(),
        ),
        Value(0),
        output_field=models.BigIntegerField(),
    )


def _count_subquery(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("prefix__family").annotate(total=Count("pk")).values("total")),
        Value(0),
        output_field=models.BigIntegerField(),
    )


def ipv4_usage() -> dict:
    """Annotations ``v4_assigned`` and ``v4_reserved`` of an IPv4 range (an aggregate or a prefix), in addresses.

    What ``utilisation_rows()`` sums with its prefix sums, as correlated subqueries: over the subnets starting in
    the range, a block assigned to a customer is assigned whole, a reserved or deprecated subnet reserved whole,
    and any other subnet counts its held address records plus its network and broadcast addresses (as
    ``_subnet_figures``). For a subnet the range holds only itself, since subnets never overlap.
    """
    subnets = Prefix.objects.filter(
        family=OuterRef("family"),
        network_start__gte=OuterRef("network_start"),
        network_start__lte=OuterRef("network_end"),
    ).exclude(status=PrefixStatus.CONTAINER)
    open_subnet = Q(company__isnull=True) & ~Q(status__in=_HELD_SUBNET_STATUSES)
    addresses = (
        IPAddress.objects.held()
        .filter(
            prefix__family=OuterRef("family"),
            prefix__network_start__gte=OuterRef("network_start"),
            prefix__network_start__lte=OuterRef("network_end"),
            prefix__company__isnull=True,
        )
        .exclude(prefix__status__in=(PrefixStatus.CONTAINER, *_HELD_SUBNET_STATUSES))
    )
    blocks = Case(
        When(company__isnull=False, then="size_units"), default=Value(0), output_field=models.BigIntegerField()
    )
    held_whole_or_overhead = Case(
        When(Q(company__isnull=True, status__in=_HELD_SUBNET_STATUSES), then="size_units"),
        When(open_subnet & Q(family=4, prefix_length__lt=31, is_pool=False), then=Value(2)),
        default=Value(0),
        output_field=models.BigIntegerField(),
    )
    return {
        "v4_assigned": _sum_subquery(subnets, blocks)
        + _count_subquery(addresses.filter(status=IPAddressStatus.ASSIGNED)),
        "v4_reserved": _sum_subquery(subnets, held_whole_or_overhead)
        + _count_subquery(addresses.exclude(status=IPAddressStatus.ASSIGNED)),
    }


def aggregate_rows() -> list[UtilisationRow]:
    """The aggregate rows of ``utilisation_rows()`` (same figures), in one query whatever the number of prefixes."""
    aggregates = (
        Aggregate.objects.select_related("rir")
        .order_by("family", "network_start")
        .annotate(**ipv4_usage(), **ipv6_usage())
    )
    rows = []
    for aggregate in aggregates:
        if aggregate.family == 6:
            unit = "/64 subnets"
            total, assigned, reserved = _ipv6_figures(
                aggregate.v6_assigned_units, aggregate.v6_used_units, aggregate.prefix_length
            )
        else:
            unit = "addresses"
            total, assigned, reserved = (
                2 ** (32 - aggregate.prefix_length),
                aggregate.v4_assigned,
                aggregate.v4_reserved,
            )
        rows.append(
            UtilisationRow("aggregate", aggregate.prefix, aggregate.rir.name, "", "", unit, total, assigned, reserved)
        )
    return rows


_PREFIX_PAGE_COLUMNS = (
    "prefix",
    "family",
    "prefix_length",
    "status",
    "company__name",
    "aggregate__rir__name",
    "size_units",
    "v4_assigned",
    "v4_reserved",
    "v6_assigned_units",
    "v6_used_units",
)


def prefix_queryset(*, aggregate_id: int | None = None, company_id: int | None = None) -> QuerySet:
    """The pks of the prefix rows of ``utilisation_rows()``, in report order, optionally of one aggregate or of
    the blocks assigned to one customer: a lazy, sliceable queryset to paginate, a page of which
    ``prefix_rows()`` turns into report rows.

    Plain pks, so skipping to page 200 reads an index rather than working out the figures of every row before
    it. Ordered as the report lists them (aggregates never overlap, so the order by address is the order by
    aggregate), with the pk last for stable pages.
    """
    prefixes = Prefix.objects.all()
    if aggregate_id is not None:
        prefixes = prefixes.filter(aggregate_id=aggregate_id)
    if company_id is not None:
        prefixes = prefixes.filter(company_id=company_id)
    return prefixes.order_by("family", "network_start", "prefix_length", "pk").values_list("pk", flat=True)


def prefix_rows(pks: Iterable[int]) -> list[UtilisationRow]:
    """The report rows of the prefixes ``pks`` (a page: a few hundred at most), in that order, in one query.

    Every figure is a correlated subquery (``ipv4_usage``, ``ipv6_usage``) evaluated for these rows only, so a
    page costs the same at any size.
    """
    pks = list(pks)
    if not pks:
        return []
    found = {
        values[0]: prefix_row(values[1:])
        for values in Prefix.objects.filter(pk__in=pks)
        .annotate(**ipv4_usage(), **ipv6_usage())
        .values_list("pk", *_PREFIX_PAGE_COLUMNS)
    }
    return [found[pk] for pk in pks if pk in found]


def prefix_row(values: tuple) -> UtilisationRow:
    """One prefix row of the report from the values (``_PREFIX_PAGE_COLUMNS``) ``prefix_rows()`` reads."""
    (
        prefix,
        family,
        prefix_length,
        status,
        company_name,
        rir_name,
        size_units,
        v4_assigned,
        v4_reserved,
        v6_assigned,
        v6_used,
    ) = values
    if family == 6:
        unit = "/64 subnets"
        total, assigned, reserved = _ipv6_figures(v6_assigned, v6_used, prefix_length)
    else:
        unit = "addresses"
        total = size_units or 1 if status == PrefixStatus.CONTAINER else size_units
        assigned, reserved = v4_assigned, v4_reserved
    return UtilisationRow("prefix", prefix, rir_name, status, company_name or "", unit, total, assigned, reserved)


_REASSIGNMENT_COLUMNS = (
    "company__name",
    "company__account_number",
    "company__legal_name",
    "justification_id",
    "justification__customer_name",
    "justification__network_name",
    "network",
    "family",
    "started_at",
    "justification__purpose",
    "justification__hosts_now",
    "justification__hosts_in_6_months",
    "justification__hosts_in_12_months",
    "justification__utilisation_plan",
    "service_type__model",
    "service_id",
)


def reassignment_queryset(*, company_id: int | None = None, aggregate: Aggregate | None = None) -> QuerySet:
    """The values behind ``reassignment_rows()``, in report order, optionally of one customer or one aggregate.

    Lazy and sliceable: the admin page paginates it in SQL (a page costs a count and a slice) and turns each
    values tuple into a report row with ``reassignment_row()``, so its figures are those of the CSV and PDF.
    """
    assignments = Assignment.objects.current().filter(kind=AssignmentKind.ASSIGNED, company__isnull=False)
    if company_id is not None:
        assignments = assignments.filter(company_id=company_id)
    if aggregate is not None:
        assignments = assignments.filter(
            family=aggregate.family, start__gte=aggregate.network_start, start__lte=aggregate.network_end
        )
    # pk last: a stable order, so consecutive pages neither repeat nor skip a row.
    return assignments.order_by("company__name", "family", "start", "pk").values_list(*_REASSIGNMENT_COLUMNS)


def reassignment_row(values: tuple) -> list:
    """One report row (``REASSIGNMENT_HEADER``) from a values tuple of ``reassignment_queryset()``."""
    (
        company,
        account_number,
        legal_name,
        justification_id,
        customer_name,
        network_name,
        network,
        family,
        started_at,
        purpose,
        hosts_now,
        hosts_in_6_months,
        hosts_in_12_months,
        utilisation_plan,
        service_model,
        service_id,
    ) = values
    justified = justification_id is not None
    return [
        company,
        account_number,
        customer_name if justified else legal_name,
        network_name if justified else "",
        network,
        f"IPv{family}",
        started_at.date().isoformat(),
        purpose if justified else "",
        hosts_now if justified else "",
        hosts_in_6_months if justified else "",
        hosts_in_12_months if justified else "",
        utilisation_plan if justified else "",
        f"{service_model}#{service_id}" if service_model else "",
    ]


def reassignment_rows() -> list[list]:
    """Every current assignment to a customer, with its justification (ARIN's per-customer reassignments).

    Read as plain values, one query: a provider with hundreds of thousands of assigned addresses gets its
    rows in seconds instead of building three model instances per row.
    """
    return [reassignment_row(values) for values in reassignment_queryset().iterator(chunk_size=5000)]


def to_csv(header: list[str], rows: Iterable[list]) -> str:
    """CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def utilisation_csv() -> str:
    return to_csv(UTILISATION_HEADER, (row.as_list() for row in utilisation_rows()))


def reassignments_csv() -> str:
    return to_csv(REASSIGNMENT_HEADER, reassignment_rows())
