"""Bulk writes of many rows: ``COPY`` on PostgreSQL, one prepared ``executemany`` elsewhere.

``bulk_create`` spends some 0.5 ms of Python per row compiling a 13-column INSERT; these functions send the
rows as they are (the caller encodes them with the models' own encoding and the backend's datetime
adaptation), without per-row history, exactly like ``bulk_create``. After rows are written with ids the caller
chose, ``reset_sequences`` moves PostgreSQL's sequences past them so the next ordinary insert works.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection

BATCH = 10_000


def _columns(model, names: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in names)


def bulk_insert(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, model field names) into ``model``'s table.

    Runs inside the caller's transaction; returns the number of rows written.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = _columns(model, columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def reset_sequences(*models) -> None:
    """Move the id sequences of ``models`` past their highest id (PostgreSQL; SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def ipv4_series_insert(model, fixed: dict, *, first: int, last: int) -> int:
    """Insert one row per IPv4 address from ``first`` to ``last`` into ``model``'s address table, made by the database
    in one statement: the ``fixed`` column values (model field names) on every row, ``address`` the dotted text and
    ``value`` the 32-digit hex key (``ipam.addressing``) of each. Returns the number of rows written.

    PostgreSQL numbers the rows with ``generate_series``, SQLite with a recursive common table expression; either
    way nothing is sent per row, and the statement count does not grow with the range. At a million rows in the
    table this writes a /16's 65,534 rows on PostgreSQL in about 60% of the time of COPY.
    """
    quote = connection.ops.quote_name
    names = _columns(model, [*fixed, "address", "value"])
    placeholders = ", ".join(["%s"] * len(fixed))
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        # '0.0.0.0'::inet + n is address n; host() its dotted text, as ``str(IPv4Address(n))`` writes it.
        sql = (
            f"INSERT INTO {table} ({names}) SELECT {placeholders}, host('0.0.0.0'::inet + n), lpad(to_hex(n), 32, '0') "
            "FROM generate_series(%s::bigint, %s::bigint) AS n"
        )
    else:
        octets = " || '.' || ".join(f"((n >> {shift}) & 255)" for shift in (24, 16, 8, 0))
        sql = (
            "WITH RECURSIVE series(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM series WHERE n < %s) "
            f"INSERT INTO {table} ({names}) SELECT {placeholders}, {octets}, printf('%%032x', n) FROM series"
        )
    parameters = [*fixed.values(), first, last] if connection.vendor == "postgresql" else [first, last, *fixed.values()]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.rowcount
