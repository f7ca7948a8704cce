"""The portal's ingest alone: ``python -m tests.bench ingest`` (part of ``make bench-pipeline``).

Loads ``max(BENCH_INGEST_SIZES)`` polled interfaces (48 per switch, with their states, as discovery leaves
them), then for each batch size (default 1,000 / 10,000 / 50,000 interfaces) times:

* **service**: ``monitoring.services.ingest_batch`` on a collector batch of that many rates (new values every
  round, a few link changes and threshold crossings among them), bandwidth thresholds included: whatever the
  ingest leaves to do for them (a queued check) is run and counted too;
* **API**: the same batch posted as JSON to ``/api/monitoring/collector/ingest/`` in-process (Django's
  handler, middleware, DRF parsing and validation, the service): one portal worker's CPU per batch;
* the **floor** (same run, same rows): on PostgreSQL a raw ``COPY`` of the rows into a temporary table and one
  ``UPDATE … FROM`` it by interface id; on SQLite an ``executemany`` UPDATE by id.

Each figure is the best of ``BENCH_REPEAT`` rounds and is printed as interfaces/s and microseconds per
interface beside the floor; then a collector shard's targets (``GET …/collector/targets/?shard=0/2`` over the
largest set) beside one plain SELECT of every interface's row; the last lines give the per-interface cost of
the largest batch over the smallest (goal: within 1.5x) and the interfaces/s at 10,000 (goal on PostgreSQL:
5,000/s per worker). Run it on PostgreSQL with ``DATABASE_URL=postgres://…`` (a fresh database
``serverstock_bench_ingest`` is made).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from tests.bench import harness

SIZES = [int(size) for size in os.environ.get("BENCH_INGEST_SIZES", "1000,10000,50000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
PORTS = 48
SPEED_MBPS = 1000
GOAL_PER_SECOND = 5000
RATE_FIELDS = ("in_bps", "out_bps", "in_errors_ps", "out_errors_ps", "in_discards_ps", "out_discards_ps")


def progress(text: str) -> None:
    print(f"  .. {text}", flush=True)


def load(interfaces: int) -> list[tuple[int, int, str]]:
    """Switches with ``PORTS`` interfaces each and their states; returns (interface id, device id, name)."""
    from dcim.choices import DeviceStatus, Ownership
    from dcim.models import Device, DeviceType, Interface, Manufacturer, Site
    from monitoring.models import InterfaceState

    site = Site.objects.get_or_create(slug="bench-1", defaults={"name": "Bench 1", "code": "BEN1"})[0]
    vendor = Manufacturer.objects.get_or_create(slug="bench", defaults={"name": "Bench"})[0]
    switch = DeviceType.objects.get_or_create(
        slug="bench-switch", defaults={"manufacturer": vendor, "model": "Bench 48", "u_height": 1}
    )[0]
    switches = -(-interfaces // PORTS)
    devices = Device.objects.bulk_create(
        [
            Device(
                name=f"sw{number:05d}",
                device_type=switch,
                role="switch",
                status=DeviceStatus.ACTIVE,
                ownership=Ownership.DATACENTER,
                site=site,
                management_ip="127.0.0.1",
                snmp_enabled=True,
                snmp_community="public",
            )
            for number in range(switches)
        ],
        batch_size=2000,
    )
    rows = Interface.objects.bulk_create(
        [
            Interface(device=device, name=f"Gi1/0/{port}", speed=SPEED_MBPS)
            for device in devices
            for port in range(1, PORTS + 1)
        ],
        batch_size=5000,
    )
    measured = datetime(2030, 1, 1, tzinfo=UTC)
    InterfaceState.objects.bulk_create(
        [
            InterfaceState(
                interface=interface, if_index=index % PORTS + 1, oper_status="up", in_bps=1e6, rates_at=measured
            )
            for index, interface in enumerate(rows)
        ],
        batch_size=5000,
    )
    return [(interface.pk, interface.device_id, interface.name) for interface in rows[:interfaces]]


def make_batch(rows: list[tuple[int, int, str]], *, round_number: int, generator: random.Random) -> dict:
    """A collector batch (collector/runner.py ``drain``) of one rate per interface, a few link changes."""
    at = datetime(2030, 1, 1, tzinfo=UTC).timestamp() + 60 * (round_number + 1)
    stamp = datetime.fromtimestamp(at, tz=UTC).isoformat()
    rates, events = [], []
    for interface_id, device_id, name in rows:
        # Mostly below 80 % of the speed; one in a thousand above it (a threshold crossing to announce).
        load = 0.9 if generator.random() < 0.001 else generator.random() * 0.7
        down = generator.random() < 0.0005
        status = "down" if down else "up"
        rates.append(
            {
                "device": device_id,
                "interface": name,
                "if_index": interface_id % PORTS + 1,
                "oper_status": status,
                "speed_mbps": SPEED_MBPS,
                "at": stamp,
                "in_bps": load * SPEED_MBPS * 1e6,
                "out_bps": load * SPEED_MBPS * 1e6 / 3,
                "in_errors_ps": 0.0,
                "out_errors_ps": 0.0,
                "in_discards_ps": generator.random() * 0.1,
                "out_discards_ps": 0.0,
            }
        )
        if down:
            events.append(
                {
                    "type": "link",
                    "device": device_id,
                    "interface": name,
                    "status": "down",
                    "previous": "up",
                    "at": stamp,
                }
            )
    return {"shard": "0/1", "sent_at": stamp, "events": events, "rates": rates, "discovered": [], "stats": {}}


@contextmanager
def after_commit_included():
    """Run what the ingest queues for after its commit inside the timed block.

    The ingest before this work queued a django-q task that checked every interface's thresholds; that check
    is run here in its place (not in a worker), so both versions are timed with their thresholds evaluated.
    """
    from django.db import connection

    callbacks: list = []
    original = connection.on_commit
    connection.on_commit = lambda function, robust=False: callbacks.append(function)
    try:
        yield
    finally:
        connection.on_commit = original
    for callback in callbacks:
        if getattr(callback, "__name__", "") == "_queue_bandwidth_check":
            from monitoring import bandwidth

            bandwidth.thresholds_evaluate_all()
        else:
            callback()


def ingest_service(batch: dict) -> None:
    from monitoring import services

    with after_commit_included():
        services.ingest_batch(batch=batch)


def floor(rows: list[tuple[int, int, str]], batch: dict) -> None:
    """The same rows written as raw SQL: COPY + one UPDATE … FROM on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction

    values = [
        (interface_id, *(rate[name] for name in RATE_FIELDS), rate["at"])
        for (interface_id, _device, _name), rate in zip(rows, batch["rates"], strict=True)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bench_rates (interface_id bigint, in_bps float8, out_bps float8,"
                " in_errors_ps float8, out_errors_ps float8, in_discards_ps float8, out_discards_ps float8,"
                " rates_at timestamptz) ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy(
                "COPY bench_rates (interface_id, in_bps, out_bps, in_errors_ps, out_errors_ps, in_discards_ps,"
                " out_discards_ps, rates_at) FROM STDIN"
            ) as copy:
                for row in values:
                    copy.write_row(row)
            cursor.execute(
                "UPDATE monitoring_interfacestate AS s SET in_bps = r.in_bps, out_bps = r.out_bps,"
                " in_errors_ps = r.in_errors_ps, out_errors_ps = r.out_errors_ps, in_discards_ps = r.in_discards_ps,"
                " out_discards_ps = r.out_discards_ps, rates_at = r.rates_at"
                " FROM bench_rates AS r WHERE s.interface_id = r.interface_id"
            )
        else:
            cursor.executemany(
                "UPDATE monitoring_interfacestate SET in_bps = %s, out_bps = %s, in_errors_ps = %s,"
                " out_errors_ps = %s, in_discards_ps = %s, out_discards_ps = %s, rates_at = %s"
                " WHERE interface_id = %s",
                [(*row[1:], row[0]) for row in values],
            )


def database_cpu_seconds() -> float:
    """CPU seconds of this connection's PostgreSQL backend process so far (0 on SQLite: it runs in-process)."""
    from django.db import connection

    from collector.simulate import process_cpu_seconds

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return process_cpu_seconds(pid)


def best(function, *, rounds: int) -> tuple[float, int, float, float]:
    """Best wall seconds over ``rounds`` calls of ``function(round)``; the queries, this process's CPU seconds and
    the database backend's CPU seconds of that call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = (float("inf"), 0, 0.0, 0.0)
    for round_number in range(rounds):
        prepare = function(round_number)
        database = database_cpu_seconds()
        with CaptureQueriesContext(connection) as captured:
            cpu = time.process_time()
            started = time.perf_counter()
            prepare()
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
        database = database_cpu_seconds() - database
        if elapsed < result[0]:
            result = (elapsed, len(captured.captured_queries), cpu, database)
    return result


def main() -> int:
    # As in production: no debug (which would also keep every SQL statement in memory).
    os.environ.setdefault("DEBUG", "0")
    harness.setup("ingest")
    from django.db import connection
    from django.test import Client

    from monitoring.services import collector_token_create

    load_average = os.getloadavg()
    largest = max(SIZES)
    progress(f"loading {largest:,} interfaces on {connection.vendor} (load average {load_average[0]:.2f})")
    rows = load(largest)
    _token, raw = collector_token_create(name="bench")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    generator = random.Random(18)
    report = harness.Report(f"Ingest alone on {connection.vendor}, {REPEAT} round(s) each, best kept")
    per_interface: dict[int, float] = {}
    counter = iter(range(10**6))
    for size in SIZES:
        chosen = rows[:size]
        progress(f"batches of {size:,} interfaces")

        def service(round_number, chosen=chosen):
            batch = make_batch(chosen, round_number=next(counter), generator=generator)
            return lambda: ingest_service(batch)

        def api(round_number, chosen=chosen):
            body = json.dumps(make_batch(chosen, round_number=next(counter), generator=generator))

            def post():
                with after_commit_included():
                    response = client.post(
                        "/api/monitoring/collector/ingest/",
                        body,
                        content_type="application/json",
                        secure=True,
                        headers={"host": "127.0.0.1"},
                    )
                assert response.status_code == 200, response.content[:500]

            return post

        def reference(round_number, chosen=chosen):
            batch = make_batch(chosen, round_number=next(counter), generator=generator)
            return lambda: floor(chosen, batch)

        floor_seconds, floor_queries, _cpu, floor_db = best(reference, rounds=REPEAT)
        service_seconds, service_queries, _cpu, _db = best(service, rounds=REPEAT)
        api_seconds, api_queries, api_cpu, api_db = best(api, rounds=REPEAT)
        label = "COPY + UPDATE FROM" if connection.vendor == "postgresql" else "executemany UPDATE"
        report.row(
            f"{size:>6,} service",
            service_seconds,
            service_queries,
            reference=(floor_seconds, floor_queries),
            reference_label=label,
        )
        report.row(
            f"{size:>6,} API (worker)",
            api_seconds,
            api_queries,
            reference=(floor_seconds, floor_queries),
            reference_label=label,
        )
        report.note(
            f"{size:>6,} per interface",
            f"service {service_seconds / size * 1e6:.0f} us ({size / service_seconds:,.0f}/s), API"
            f" {api_seconds / size * 1e6:.0f} us ({size / api_seconds:,.0f}/s; CPU: worker"
            f" {api_cpu / size * 1e6:.0f} us, database {api_db / size * 1e6:.0f} us),"
            f" floor {floor_seconds / size * 1e6:.1f} us ({size / floor_seconds:,.0f}/s, database"
            f" {floor_db / size * 1e6:.1f} us)",
        )
        per_interface[size] = api_seconds / size
    smallest, biggest = min(per_interface), max(per_interface)
    if smallest != biggest:
        report.note(
            "flatness (API)",
            f"per-interface cost at {biggest:,} / at {smallest:,}:"
            f" x{per_interface[biggest] / per_interface[smallest]:.2f} (goal: within 1.5)",
        )
    if 10000 in per_interface:
        report.note(
            "at 10,000 (API)", f"{1 / per_interface[10000]:,.0f} interfaces/s per worker (goal {GOAL_PER_SECOND:,})"
        )
    # The collector's targets: what each shard reads when it starts and on every refresh.
    from dcim.models import Interface

    def targets():
        response = client.get(
            "/api/monitoring/collector/targets/", {"shard": "0/2"}, secure=True, headers={"host": "127.0.0.1"}
        )
        assert response.status_code == 200, response.content[:500]
        return sum(len(device["interfaces"]) for device in response.json()["devices"])

    def targets_floor():
        columns = ("device_id", "pk", "name", "speed", "monitoring_state__if_index", "monitoring_state__oper_status")
        return sum(1 for _row in Interface.objects.values_list(*columns).iterator(chunk_size=20_000))

    shard_interfaces = targets()
    targets_seconds, targets_queries = harness.measure(targets, repeat=REPEAT)
    floor_seconds, floor_queries = harness.measure(targets_floor, repeat=REPEAT)
    report.row(
        f"targets of shard 0/2 ({shard_interfaces:,} interfaces)",
        targets_seconds,
        targets_queries,
        reference=(floor_seconds, floor_queries),
        reference_label=f"all {largest:,} rows as tuples",
    )
    report.note("load average", f"{load_average[0]:.2f} at start, {os.getloadavg()[0]:.2f} at the end (1 min)")
    report.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
