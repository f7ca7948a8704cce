"""The ARIN report: utilisation per aggregate and prefix, and per-customer reassignments with justifications.

It matches what ARIN asks for in a request for additional space (utilisation of previous allocations and the
customer reassignments behind it). IPv4 is counted in addresses, IPv6 in /64 subnets (each /64 touched by a held
subnet or address counted once, ``querysets.ipv6_usage``, the same figures as the admin's bars). A constant
number of queries whatever the size (all prefixes, held address counts grouped by prefix, the IPv6 figures),
then prefix sums in Python, so a /8 with 50,000 prefixes stays a matter of seconds.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count

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


def reassignment_rows() -> list[list]:
    """Every current assignment to a customer, with its justification (ARIN's per-customer reassignments).

    Read as plain values, one query: a provider with hundreds of thousands of assigned addresses gets its
    rows in seconds instead of building three model instances per row.
    """
    assignments = (
        Assignment.objects.current()
        .filter(kind=AssignmentKind.ASSIGNED, company__isnull=False)
        .order_by("company__name", "family", "start")
        .values_list(
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
    )
    rows = []
    for (
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
    ) in assignments.iterator(chunk_size=5000):
        justified = justification_id is not None
        rows.append(
            [
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
        )
    return rows


def to_csv(header: list[str], rows: Iterable[list]) -> str:
    """CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def utilisation_csv() -> str:
    return to_csv(UTILISATION_HEADER, (row.as_list() for row in utilisation_rows()))


def reassignments_csv() -> str:
    return to_csv(REASSIGNMENT_HEADER, reassignment_rows())
