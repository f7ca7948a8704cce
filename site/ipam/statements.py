"""Hand-written SQL for the reads on the hottest paths: the status of one address and the next free address.

At a million addresses the database answers these in a fraction of a millisecond; what cost was building the
statements (Django compiled the old select_related of eight tables in about a millisecond, PostgreSQL took up to
3.7 ms to plan it) and the round trips (each one waits for the server's process, which a busy machine makes
slow). These statements are written once from the models' own table and column names, read only the columns
the answer needs on narrow joins, fold what one answer needs into one statement, and turn the rows back into
model instances with the ORM's own converters (``Model.from_db``), so callers get the same objects and values
as from a queryset, on SQLite and PostgreSQL alike. Anything not read here (a deferred column, a relation not
joined) still loads on access. Tenancy is not applied here: callers decide who may see what (``for_user``).
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from core.rows import ModelColumns
from ipam.addressing import networks_around, to_hex
from ipam.choices import IPAddressStatus
from ipam.models import Assignment, IPAddress, Prefix

PREFIX_COLUMNS = (
    "id",
    "prefix",
    "family",
    "network_start",
    "network_end",
    "prefix_length",
    "status",
    "description",
    "is_pool",
    "company",
    "size_units",
    "address_records",
    "held_addresses",
    "child_units",
)
RECORD_COLUMNS = ("id", "address", "family", "value", "prefix", "status", "company", "current_assignment", "dns_name")
ASSIGNMENT_COLUMNS = (
    "id",
    "kind",
    "network",
    "company",
    "reason",
    "started_at",
    "assigned_by",
    "service_type",
    "service_id",
    "interface",
)
BLOCK_COLUMNS = (
    "id",
    "kind",
    "network",
    "family",
    "start",
    "end",
    "prefix",
    "company",
    "reason",
    "started_at",
    "assigned_by",
    "service_type",
    "service_id",
)
COMPANY_COLUMNS = ("id", "name")


@cache
def _prefix_part(family: int):
    """The prefixes around an address (by the exact text of each network it can lie in, on the unique index), each
    with the company it is assigned to: (select list, joined tables, condition, columns)."""
    from accounts.models import Company

    quote = connection.ops.quote_name
    prefix = ModelColumns(Prefix, PREFIX_COLUMNS, "p")
    company = ModelColumns(Company, COMPANY_COLUMNS, "pc")
    candidates = ", ".join(["%s"] * (33 if family == 4 else 129))
    tables = (
        f"{quote(Prefix._meta.db_table)} p "
        f"LEFT JOIN {quote(Company._meta.db_table)} pc ON pc.{quote('id')} = p.{quote('company_id')}"
    )
    return f"{prefix.sql}, {company.sql}", tables, f"p.{quote('prefix')} IN ({candidates})", (prefix, company)


def _prefixes_from(rows, columns) -> list[Prefix]:
    prefix_columns, company_columns = columns
    prefixes = []
    for row in rows:
        prefix = prefix_columns.instance(row)
        if prefix is not None:
            prefix.company = company_columns.instance(row, prefix_columns.width)
            prefixes.append(prefix)
    return prefixes


def prefixes_around(ip) -> list[Prefix]:
    """Every prefix containing address ``ip``, shortest first, with its ``company`` loaded (one statement).

    The same rows as ``Prefix.objects.around(ip).select_related("company").order_by("prefix_length")``; IPv6
    utilisation needs the annotation of ``with_utilisation()`` on top, which this does not compute.
    """
    select, tables, condition, columns = _prefix_part(ip.version)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM {tables} WHERE {condition} ORDER BY p.{quote('prefix_length')}", networks_around(ip)
        )
        return _prefixes_from(cursor.fetchall(), columns)


@cache
def _record_part():
    """An address record by its (family, value) key, with its holder, its current assignment, who made it and the
    device port it is on (the columns their names are made of): (select list, joined tables, condition, parts)."""
    from accounts.models import Company

    quote = connection.ops.quote_name
    user_model = Assignment._meta.get_field("assigned_by").related_model
    interface_model = Assignment._meta.get_field("interface").related_model
    device_model = interface_model._meta.get_field("device").related_model
    parts = {
        "record": ModelColumns(IPAddress, RECORD_COLUMNS, "r"),
        "company": ModelColumns(Company, COMPANY_COLUMNS, "c"),
        "assignment": ModelColumns(Assignment, ASSIGNMENT_COLUMNS, "a"),
        "by": ModelColumns(user_model, ("id", "email", "full_name"), "u"),
        "interface": ModelColumns(interface_model, ("id", "name", "device"), "i"),
        "device": ModelColumns(device_model, ("id", "name"), "d"),
    }

    def join(model, alias: str, on: str) -> str:
        return f" LEFT JOIN {quote(model._meta.db_table)} {alias} ON {alias}.{quote('id')} = {on}"

    tables = (
        f"{quote(IPAddress._meta.db_table)} r"
        + join(Company, "c", f"r.{quote('company_id')}")
        + join(Assignment, "a", f"r.{quote('current_assignment_id')}")
        + join(user_model, "u", f"a.{quote('assigned_by_id')}")
        + join(interface_model, "i", f"a.{quote('interface_id')}")
        + join(device_model, "d", f"i.{quote('device_id')}")
    )
    condition = f"r.{quote('family')} = %s AND r.{quote('value')} = %s"
    return ", ".join(part.sql for part in parts.values()), tables, condition, parts


def _record_from(row, parts, start: int = 0) -> IPAddress | None:
    found = {}
    for name, columns in parts.items():
        found[name] = columns.instance(row, start)
        start += columns.width
    record = found["record"]
    if record is None:
        return None
    record.company = found["company"]
    record.current_assignment = assignment = found["assignment"]
    if assignment is not None:
        assignment.assigned_by = found["by"]
        if found["interface"] is not None:
            found["interface"].device = found["device"]
        assignment.interface = found["interface"]
    return record


def address_record(family: int, value: str) -> IPAddress | None:
    """The record of one address (``value``: the hex key) with ``company`` and ``current_assignment`` loaded, and
    the assignment's ``assigned_by`` and ``interface`` (with its device), or None. Only a service the assignment
    points at loads on access (a generic relation: one more query, and only then)."""
    select, tables, condition, parts = _record_part()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {tables} WHERE {condition}", [family, value])
        row = cursor.fetchone()
    return _record_from(row, parts) if row is not None else None


def address_lookup(ip) -> tuple[list[Prefix], IPAddress | None]:
    """``prefixes_around(ip)`` and the address's ``address_record`` in one statement (one round trip, which is
    what a busy server makes costly): the prefixes' rows, each carrying the record's columns, joined to one row
    so that an address in no prefix still comes back."""
    prefix_select, prefix_tables, prefix_condition, prefix_columns = _prefix_part(ip.version)
    record_select, record_tables, record_condition, parts = _record_part()
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {prefix_select}, {record_select} FROM (SELECT 1 AS {quote('one')}) one "
        f"LEFT JOIN ({prefix_tables}) ON {prefix_condition} "
        f"LEFT JOIN ({record_tables}) ON {record_condition} "
        f"ORDER BY p.{quote('prefix_length')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*networks_around(ip), ip.version, to_hex(ip)])
        rows = cursor.fetchall()
    width = sum(columns.width for columns in prefix_columns)
    return _prefixes_from(rows, prefix_columns), _record_from(rows[0], parts, width)


@cache
def _blocks_statement():
    """The current block assignments of one subnet (the prefix's foreign-key index), with holder and author."""
    from accounts.models import Company

    quote = connection.ops.quote_name
    user_model = Assignment._meta.get_field("assigned_by").related_model
    parts = {
        "block": ModelColumns(Assignment, BLOCK_COLUMNS, "b"),
        "company": ModelColumns(Company, COMPANY_COLUMNS, "c"),
        "by": ModelColumns(user_model, ("id", "email", "full_name"), "u"),
    }
    sql = (
        f"SELECT {', '.join(part.sql for part in parts.values())} FROM {quote(Assignment._meta.db_table)} b "
        f"LEFT JOIN {quote(Company._meta.db_table)} c ON c.{quote('id')} = b.{quote('company_id')} "
        f"LEFT JOIN {quote(user_model._meta.db_table)} u ON u.{quote('id')} = b.{quote('assigned_by_id')} "
        f"WHERE b.{quote('prefix_id')} = %s AND b.{quote('ended_at')} IS NULL ORDER BY b.{quote('id')}"
    )
    return sql, parts


def current_blocks(prefix_id: int) -> list[Assignment]:
    """The current block assignments of subnet ``prefix_id`` with ``company`` and ``assigned_by`` loaded (one
    statement); a service they point at loads on access."""
    sql, parts = _blocks_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix_id])
        rows = cursor.fetchall()
    blocks = []
    for row in rows:
        found, start = {}, 0
        for name, columns in parts.items():
            found[name] = columns.instance(row, start)
            start += columns.width
        block = found["block"]
        block.company, block.assigned_by = found["company"], found["by"]
        blocks.append(block)
    return blocks


@cache
def _first_available_statement():
    quote = connection.ops.quote_name
    value = quote("value")
    # On the (family, status, value) index: the first entry of the range, nothing else read.
    return (
        f"SELECT {value} FROM {quote(IPAddress._meta.db_table)} WHERE {quote('family')} = %s AND "
        f"{quote('status')} = %s AND {value} >= %s AND {value} <= %s ORDER BY {value} LIMIT 1"
    )


def first_available_record(family: int, start: str, end: str) -> str | None:
    """The hex key of the lowest ``available`` record from ``start`` to ``end``, or None (one index lookup)."""
    with connection.cursor() as cursor:
        cursor.execute(_first_available_statement(), [family, IPAddressStatus.AVAILABLE.value, start, end])
        row = cursor.fetchone()
    return row[0] if row else None


@cache
def _prefix_and_first_available_statement():
    """A prefix by id with the lowest ``available`` record between its bounds (a correlated lookup on the
    (family, status, value) index)."""
    quote = connection.ops.quote_name
    prefix = ModelColumns(Prefix, PREFIX_COLUMNS, "p")
    value = quote("value")
    sql = (
        f"SELECT {prefix.sql}, (SELECT r.{value} FROM {quote(IPAddress._meta.db_table)} r "
        f"WHERE r.{quote('family')} = p.{quote('family')} AND r.{quote('status')} = %s "
        f"AND r.{value} >= p.{quote('network_start')} AND r.{value} <= p.{quote('network_end')} "
        f"ORDER BY r.{value} LIMIT 1) FROM {quote(Prefix._meta.db_table)} p WHERE p.{quote('id')} = %s"
    )
    return sql, prefix


def prefix_and_first_available(pk: int) -> tuple[Prefix | None, str | None]:
    """Prefix ``pk`` (no tenancy: the caller has decided the user sees every prefix) and the hex key of the lowest
    available record between its network and broadcast addresses, in one statement."""
    sql, prefix_columns = _prefix_and_first_available_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [IPAddressStatus.AVAILABLE.value, pk])
        row = cursor.fetchone()
    if row is None:
        return None, None
    return prefix_columns.instance(row), row[prefix_columns.width]
