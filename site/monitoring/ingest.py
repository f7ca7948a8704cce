"""The set-based statements behind ``services.ingest_batch``: each writes every row of its kind in one statement.

A batch's rows reach the database as one parameter per column, whatever their number: on PostgreSQL a
typed array per column expanded with ``unnest``; on SQLite one JSON array of rows expanded with
``json_each``. Upserts (``INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING``) and ``UPDATE … FROM`` then
write them (PostgreSQL 15, SQLite 3.35 or later). Nothing here loops over rows in Python except to build
the parameters.

Lock order (concurrent collectors, several portal workers): the first statement of an ingest,
:func:`devices_lock`, upserts the ``DeviceHealth`` row of every polled device of the batch in device-id
order; every later row an ingest writes belongs to one of those devices. Two ingests that share a device
therefore queue on the lowest shared device before either writes anything else of it: no deadlock, and
read-compare-write steps (reachability, link state) see each other's committed result.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection

# Rows per statement: bounds the size of one statement (and of its parameters) for any batch.
CHUNK = 10_000

PG_TYPES = {"int": "bigint", "text": "text", "float": "float8", "time": "timestamptz", "bool": "boolean"}


def chunks(rows: Sequence, size: int = CHUNK):
    """``rows`` in slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def db_time(value: datetime):
    """A datetime as the rowset carries it: as is on PostgreSQL, Django's stored text on SQLite."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def rowset(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]) -> tuple[str, list]:
    """A ``SELECT`` yielding ``rows`` as a relation with ``columns`` (name, kind), and its parameters.

    Kinds: int, text, float, time (values from :func:`db_time`), bool. One parameter per column on
    PostgreSQL, one in all on SQLite.
    """
    names = [name for name, _kind in columns]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{PG_TYPES[kind]}[]" for _name, kind in columns)
        params = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in columns]
        return f"SELECT * FROM unnest({arrays}) AS batch({', '.join(names)})", params
    fields = ", ".join(f"json_extract(value, '$[{index}]') AS {name}" for index, name in enumerate(names))
    return f"SELECT {fields} FROM json_each(%s)", [json.dumps([list(row) for row in rows])]


def _execute(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def devices_lock(*, device_ids: Sequence[int], seen_ids: Sequence[int], seen_at: datetime) -> dict[int, bool | None]:
    """Lock the polled devices among ``device_ids`` in id order (see the module docstring); note ``seen_at`` as
    the last answer of those in ``seen_ids``. Returns {device id: reachable} of the polled ones (the others
    are not SNMP-polled and are ignored)."""
    seen = set(seen_ids)
    when = db_time(seen_at)
    rows = [(device_id, when if device_id in seen else None) for device_id in sorted(set(device_ids))]
    found: dict[int, bool | None] = {}
    for part in chunks(rows):
        source, params = rowset([("device_id", "int"), ("seen_at", "time")], part)
        result = _execute(
            f"""
            INSERT INTO monitoring_devicehealth (device_id, reachable, changed_at, last_seen_at)
            SELECT batch.device_id, NULL, NULL, batch.seen_at
            FROM ({source}) AS batch JOIN dcim_device AS device ON device.id = batch.device_id
            WHERE device.snmp_enabled
            ORDER BY batch.device_id
            ON CONFLICT (device_id) DO UPDATE
            SET last_seen_at = COALESCE(excluded.last_seen_at, monitoring_devicehealth.last_seen_at)
            RETURNING device_id, reachable
            """,
            params,
        )
        found.update((device_id, None if reachable is None else bool(reachable)) for device_id, reachable in result)
    return found


def devices_reachability_store(rows: Sequence[tuple[int, bool, datetime]]) -> None:
    """Set (device id, reachable, changed at) on the devices' health rows (which :func:`devices_lock` made)."""
    for part in chunks(sorted(rows)):
        source, params = rowset(
            [("device_id", "int"), ("reachable", "bool"), ("changed_at", "time")],
            [(device_id, reachable, db_time(at)) for device_id, reachable, at in part],
        )
        _execute(
            f"""
            UPDATE monitoring_devicehealth SET reachable = batch.reachable, changed_at = batch.changed_at
            FROM ({source}) AS batch WHERE monitoring_devicehealth.device_id = batch.device_id
            """,
            params,
        )


STATE_INSERT = """
    INSERT INTO monitoring_interfacestate (
        interface_id, if_index, alias, oper_status, status_changed_at, in_bps, out_bps, in_errors_ps,
        out_errors_ps, in_discards_ps, out_discards_ps, rates_at, commit_mbps, threshold_level
    )
"""


def link_states_store(rows: Sequence[tuple[int, str, datetime]]) -> None:
    """Set (interface id, oper status, changed at) on the interfaces' states, creating missing states."""
    for part in chunks(sorted(rows)):
        source, params = rowset(
            [("interface_id", "int"), ("oper_status", "text"), ("changed_at", "time")],
            [(interface_id, status, db_time(at)) for interface_id, status, at in part],
        )
        _execute(
            f"""{STATE_INSERT}
            SELECT batch.interface_id, NULL, '', batch.oper_status, batch.changed_at,
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0
            FROM ({source}) AS batch WHERE true ORDER BY batch.interface_id
            ON CONFLICT (interface_id) DO UPDATE
            SET oper_status = excluded.oper_status, status_changed_at = excluded.status_changed_at
            """,
            params,
        )


def discovered_states_store(rows: Sequence[tuple[int, int | None, str, str]]) -> None:
    """Set (interface id, ifIndex, alias, oper status) from discovery; the status only where none is known."""
    for part in chunks(sorted(rows)):
        source, params = rowset(
            [("interface_id", "int"), ("if_index", "int"), ("alias", "text"), ("oper_status", "text")], part
        )
        _execute(
            f"""{STATE_INSERT}
            SELECT batch.interface_id, batch.if_index, batch.alias, batch.oper_status, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0
            FROM ({source}) AS batch WHERE true ORDER BY batch.interface_id
            ON CONFLICT (interface_id) DO UPDATE
            SET if_index = excluded.if_index, alias = excluded.alias,
                oper_status = CASE WHEN monitoring_interfacestate.oper_status = '' THEN excluded.oper_status
                    ELSE monitoring_interfacestate.oper_status END
            """,
            params,
        )


RATE_COLUMNS = (
    ("device_id", "int"),
    ("name", "text"),
    ("oper_status", "text"),
    ("in_bps", "float"),
    ("out_bps", "float"),
    ("in_errors_ps", "float"),
    ("out_errors_ps", "float"),
    ("in_discards_ps", "float"),
    ("out_discards_ps", "float"),
    ("rates_at", "time"),
)


def rates_store(rows: Sequence[tuple]) -> list[int]:
    """Store the latest rates: ``rows`` of ``RATE_COLUMNS`` (the interface by device id and name, the time from
    :func:`db_time`). Returns the ids of the interfaces whose rates were stored.

    Rows of unknown interfaces or of devices not polled are skipped, and so are rates older than the ones
    stored (a backlog re-sent after newer rates arrived). A missing state is created; its link state is
    taken from the rate only while none is known (link changes arrive as events).
    """
    stored: list[int] = []
    for part in chunks(rows):
        source, params = rowset(RATE_COLUMNS, part)
        result = _execute(
            f"""{STATE_INSERT}
            SELECT interface.id, NULL, '', batch.oper_status, NULL, batch.in_bps, batch.out_bps,
                batch.in_errors_ps, batch.out_errors_ps, batch.in_discards_ps, batch.out_discards_ps,
                batch.rates_at, NULL, 0
            FROM ({source}) AS batch
            JOIN dcim_interface AS interface ON interface.device_id = batch.device_id AND interface.name = batch.name
            JOIN dcim_device AS device ON device.id = interface.device_id
            WHERE device.snmp_enabled
            ORDER BY interface.id
            ON CONFLICT (interface_id) DO UPDATE
            SET in_bps = excluded.in_bps, out_bps = excluded.out_bps, in_errors_ps = excluded.in_errors_ps,
                out_errors_ps = excluded.out_errors_ps, in_discards_ps = excluded.in_discards_ps,
                out_discards_ps = excluded.out_discards_ps, rates_at = excluded.rates_at,
                oper_status = CASE WHEN monitoring_interfacestate.oper_status = '' THEN excluded.oper_status
                    ELSE monitoring_interfacestate.oper_status END
            WHERE monitoring_interfacestate.rates_at IS NULL OR monitoring_interfacestate.rates_at <= excluded.rates_at
            RETURNING interface_id
            """,
            params,
        )
        stored += [interface_id for (interface_id,) in result]
    return stored
