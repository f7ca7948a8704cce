"""Reusable reads of the IPAM app: range lookups on the hex encoding, utilisation annotations."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce


class PrefixQuerySet(models.QuerySet):
    def containing(self, family: int, start: str, end: str | None = None):
        """Prefixes that contain the address ``start`` (or the whole range ``start``–``end``)."""
        return self.filter(family=family, network_start__lte=start, network_end__gte=end or start)

    def within(self, family: int, start: str, end: str):
        """Prefixes lying entirely inside ``start``–``end``."""
        return self.filter(family=family, network_start__gte=start, network_end__lte=end)

    def with_utilisation(self):
        """Annotate ``held_addresses`` (address records held in the range) and ``child_units`` (space of the
        non-container prefixes inside it): two correlated subqueries, so a page costs the same at any size."""
        from ipam.models import HELD_STATUSES, IPAddress, Prefix

        held = (
            IPAddress.objects.filter(
                family=OuterRef("family"), value__gte=OuterRef("network_start"), value__lte=OuterRef("network_end")
            )
            .filter(status__in=HELD_STATUSES)
            .order_by()
            .values("family")
            .annotate(total=Count("pk"))
            .values("total")
        )
        children = (
            Prefix.objects.filter(
                family=OuterRef("family"),
                network_start__gte=OuterRef("network_start"),
                network_end__lte=OuterRef("network_end"),
            )
            .exclude(pk=OuterRef("pk"))
            .exclude(status="container")
            .order_by()
            .values("family")
            .annotate(total=Sum("size_units"))
            .values("total")
        )
        return self.annotate(
            held_addresses=Coalesce(Subquery(held), Value(0)),
            child_units=Coalesce(Subquery(children), Value(0), output_field=models.BigIntegerField()),
        )


class IPAddressQuerySet(models.QuerySet):
    def in_range(self, family: int, start: str, end: str):
        """Address records between ``start`` and ``end`` (encoded), inclusive."""
        return self.filter(family=family, value__gte=start, value__lte=end)

    def held(self):
        """Records somebody holds (assigned, reserved or deprecated): the opposite of free."""
        from ipam.models import HELD_STATUSES

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
