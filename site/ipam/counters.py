"""The per-prefix figures kept on write: address records and held records of a subnet, child space of a container.

Utilisation and next-free read these columns instead of counting rows, so their cost does not grow with the
data. The services move them by a delta in the same transaction as the change (one ``UPDATE … SET n = n + d``
on the prefix's primary key); edits that can move a record or a prefix (admin and API writes, imports,
deletes) recount the prefixes they touch exactly; ``counters_refresh`` recounts everything (after a bulk load
or an import; ``manage.py ipam_counters_refresh``).
"""

from __future__ import annotations

import ipaddress

from django.db import models
from django.db.models import Count, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce

from ipam.choices import HELD_STATUSES, PrefixStatus
from ipam.models import IPAddress, Prefix


def _count_of(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("prefix").annotate(total=Count("pk")).values("total")),
        Value(0),
        output_field=models.BigIntegerField(),
    )


def _child_units():
    """A scalar subquery: the space of the non-container prefixes inside the outer prefix (subnets never overlap)."""
    children = (
        Prefix.objects.filter(
            family=OuterRef("family"),
            network_start__gte=OuterRef("network_start"),
            network_start__lte=OuterRef("network_end"),
            network_end__lte=OuterRef("network_end"),
        )
        .exclude(pk=OuterRef("pk"))
        .exclude(status=PrefixStatus.CONTAINER)
        .order_by()
        .values("family")
        .annotate(total=Sum("size_units"))
        .values("total")
    )
    # Cast: PostgreSQL sums a bigint column as numeric.
    return Coalesce(Cast(Subquery(children), models.BigIntegerField()), Value(0), output_field=models.BigIntegerField())


def subnets_recount(prefix_ids) -> None:
    """Recount the address records and held records of these prefixes (one UPDATE)."""
    ids = [pk for pk in set(prefix_ids) if pk is not None]
    if ids:
        _recount(Prefix.objects.filter(pk__in=ids))


def _recount(queryset) -> None:
    records = IPAddress.objects.filter(prefix=OuterRef("pk"))
    queryset.update(
        address_records=_count_of(records), held_addresses=_count_of(records.filter(status__in=HELD_STATUSES))
    )


def containers_recount(containers) -> None:
    """Recount the child space of these container prefixes (one UPDATE)."""
    ids = [prefix.pk for prefix in containers if prefix.status == PrefixStatus.CONTAINER]
    if ids:
        Prefix.objects.filter(pk__in=ids).update(child_units=_child_units())


def containers_around(network) -> list:
    """The container prefixes holding ``network`` (itself excluded): one lookup on the unique ``prefix`` index."""
    if isinstance(network, str):
        network = ipaddress.ip_network(network)
    return list(
        Prefix.objects.around(network.network_address)
        .filter(status=PrefixStatus.CONTAINER, prefix_length__lt=network.prefixlen)
        .only("pk", "status")
    )


def records_added(*, prefix_id: int, records: int = 0, held: int = 0) -> None:
    """Move a subnet's figures by a delta (records created or deleted, records becoming held or free)."""
    changes = {}
    if records:
        changes["address_records"] = F("address_records") + records
    if held:
        changes["held_addresses"] = F("held_addresses") + held
    if changes:
        Prefix.objects.filter(pk=prefix_id).update(**changes)


def prefix_added(prefix) -> None:
    """A new prefix: a subnet adds its space to the containers around it; a container counts what it holds."""
    if prefix.status == PrefixStatus.CONTAINER:
        containers_recount([prefix])
        prefix.refresh_from_db(fields=["child_units"])
        return
    ids = [container.pk for container in containers_around(prefix.network)]
    if ids and prefix.size_units:
        Prefix.objects.filter(pk__in=ids).update(child_units=F("child_units") + prefix.size_units)


def prefix_changed(prefix, *, old_network: str | None) -> None:
    """An edited or deleted prefix: recount itself and the containers around its old and new place."""
    affected = {}
    for network in {old_network, prefix.prefix} - {None}:
        for container in containers_around(network):
            affected[container.pk] = container
    if prefix.pk is not None and prefix.status == PrefixStatus.CONTAINER:
        affected[prefix.pk] = prefix
    containers_recount(affected.values())
    if prefix.pk is not None:
        subnets_recount([prefix.pk])


def counters_refresh() -> None:
    """Recount every prefix's figures: three set-based UPDATEs, for after a bulk load or an import."""
    _recount(Prefix.objects.all())
    Prefix.objects.filter(status=PrefixStatus.CONTAINER).update(child_units=_child_units())
    Prefix.objects.exclude(status=PrefixStatus.CONTAINER).exclude(child_units=0).update(child_units=0)
