"""Several "is there any?" questions asked of the database in one statement.

A page that shows many parts, most of them empty for most companies (the portal's main page: five kinds of
notice, open tickets, monitored ports), asks first which parts have rows at all, in one query, and reads only
those. Each question is an ordinary queryset, so its filters are the ones the part itself reads with.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def exists_each(probes: Mapping[str, QuerySet]) -> dict[str, bool]:
    """For each name, whether its queryset finds a row: ``SELECT EXISTS(…), EXISTS(…)`` in one round trip.

    The querysets must use the same database. A probe that cannot find anything (``.none()``) is answered
    without asking; no probe left, no query.
    """
    found = dict.fromkeys(probes, False)
    aliases = {queryset.db for queryset in probes.values()}
    if len(aliases) > 1:
        raise ValueError(f"The probes use several databases: {sorted(aliases)}.")
    names, parts, params = [], [], []
    for name, queryset in probes.items():
        try:
            sql, part_params = queryset.query.exists(limit=False).get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            continue
        names.append(name)
        parts.append(f"EXISTS({sql})")
        params.extend(part_params)
    if parts:
        with connections[aliases.pop()].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            row = cursor.fetchone()
        found.update((name, bool(answer)) for name, answer in zip(names, row, strict=True))
    return found
