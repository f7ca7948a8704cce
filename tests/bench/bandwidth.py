"""Bandwidth benchmark: the 95th percentile and volume of 10,000 bandwidth services over a 30-day month of
5-minute samples read from real RRD files, and the month-end report (usage made final, overage charges, the
report e-mail) for the same 10,000, each beside a reference measured in the same run.

``python -m tests.bench bandwidth`` (or ``make bench BENCH=bandwidth``); ``BENCH_SERVICES`` sizes it (default
10,000). Services, ports and companies are bulk-created (setup, not measured). Each service has one switch
port and its RRD file: the collector's data sources for in/out (DERIVE, 60-s step) with the collector's
5-minute billing archive, filled with one-minute counters for the month (a diurnal curve; one service in 20
over its 100 Mbit/s commit), then copied per port so 10,000 files take 1.6 GB rather than 10 GB (the other
graph archives and data sources are not read by the computation).

References (same run, same files): ``rrdtool fetch`` of the month from every file, which is the floor any
computation pays to read the samples, and a plain read of every file's bytes. Queries: the computation's at
N/10 and at N services are printed side by side (they must not grow with N, but for the bulk writes' batches
of 500 rows); the peak resident memory of the run is printed too (rrdtool's xport leaked 1.2 MB a call).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal

from tests.bench import harness

PERIOD_START = date(2026, 11, 1)
PERIOD_END = date(2026, 12, 1)
START = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
END = START + 30 * 86400


def template_file(path, *, peak_mbps: float) -> None:
    """An RRD with the collector's in/out DS and billing archive, a month of one-minute counters."""
    import rrdtool

    from collector.rrd import BILLING_ARCHIVE, HEARTBEAT, STEP

    steps, rows = BILLING_ARCHIVE
    rrdtool.create(
        str(path),
        "--step",
        str(STEP),
        "--start",
        str(START - STEP),
        f"DS:in:DERIVE:{HEARTBEAT}:0:U",
        f"DS:out:DERIVE:{HEARTBEAT}:0:U",
        f"RRA:AVERAGE:0.5:{steps}:{rows}",
    )
    counter_in = counter_out = 0
    updates = []
    for timestamp in range(START, END + 1, STEP):
        hours = (timestamp % 86400) / 3600
        rate = peak_mbps * (0.3 + 0.7 * (0.5 - 0.5 * math.cos(2 * math.pi * (hours - 4) / 24))) * 1e6 / 8
        counter_out += int(rate * STEP)
        counter_in += int(rate * 0.2 * STEP)
        updates.append(f"{timestamp}:{counter_in}:{counter_out}")
    for index in range(0, len(updates), 5000):
        rrdtool.update(str(path), *updates[index : index + 5000])


def build(count: int, rrd_dir) -> list[int]:
    """``count`` active 95th-percentile services of ``count // 10`` companies, one switch port and file each."""
    from accounts.models import Company
    from billing.services import billing_profile_for
    from catalog.choices import ProductKind, ServiceStatus
    from catalog.models import Plan, Product, ProductCategory, Service
    from collector.rrd import rrd_path
    from dcim.choices import DeviceRole
    from dcim.models import Device, DeviceType, Interface, Manufacturer, Site

    category = ProductCategory.objects.create(name="Network", slug="network")
    product = Product(
        category=category,
        kind=ProductKind.BANDWIDTH,
        name="100 Mbit/s commit",
        slug="bw-100",
        bandwidth_billing="percentile_95",
        commit_mbps=100,
        burst_mbps=1000,
    )
    product.full_clean()
    product.save()
    plan = Plan.objects.create(
        product=product, name="Monthly", recurring_period="monthly", recurring_amount=Decimal("150.00"),
        overage_price=Decimal("1.50"), currency="USD",
    )  # fmt: skip
    companies = Company.objects.bulk_create(
        Company(name=f"Bench {n}", account_number=f"BW{n:06d}", country="US", email=f"b{n}@bench.example")
        for n in range(max(count // 10, 1))
    )
    companies = list(Company.objects.order_by("pk"))
    for company in companies:
        billing_profile_for(company=company)
    site = Site.objects.create(name="Bench DC", slug="bench-dc")
    manufacturer = Manufacturer.objects.create(name="Bench", slug="bench")
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model="48-port", slug="bench-48")
    switches = Device.objects.bulk_create(
        Device(name=f"sw{n}", device_type=device_type, role=DeviceRole.SWITCH, site=site)
        for n in range(math.ceil(count / 48))
    )
    switches = list(Device.objects.filter(role=DeviceRole.SWITCH).order_by("pk"))
    Interface.objects.bulk_create(
        Interface(device=switches[n // 48], name=f"Gi1/0/{n % 48 + 1}", speed=1000) for n in range(count)
    )
    ports = list(Interface.objects.order_by("pk").values_list("pk", "device_id", "name"))
    Service.objects.bulk_create(
        Service(
            company=companies[n % len(companies)],
            plan=plan,
            label=f"Transit {n}",
            status=ServiceStatus.ACTIVE,
            contract_start=date(2026, 1, 1),
            billing_start_date=date(2026, 1, 1),
        )
        for n in range(count)
    )
    services = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    Service.interfaces.through.objects.bulk_create(
        Service.interfaces.through(service_id=service_id, interface_id=port[0])
        for service_id, port in zip(services, ports, strict=True)
    )
    rrd_dir.mkdir(parents=True, exist_ok=True)
    under, over = rrd_dir / "template-under.rrd", rrd_dir / "template-over.rrd"
    template_file(under, peak_mbps=80)
    template_file(over, peak_mbps=160)
    for n, (_pk, device_id, name) in enumerate(ports):
        path = rrd_path(rrd_dir, device_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(over if n % 20 == 0 else under, path)
    return services


def main() -> int:
    count = int(os.environ.get("BENCH_SERVICES", "10000"))
    var_dir = harness.setup("bandwidth")
    logging.disable(logging.WARNING)
    from django.conf import settings

    rrd_dir = var_dir / "rrd"
    settings.MONITORING_RRD_DIR = rrd_dir
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    started = time.perf_counter()
    service_ids = build(count, rrd_dir)
    print(f"setup: {count} services, files and companies in {time.perf_counter() - started:.1f} s", flush=True)

    import rrdtool
    from django.core import mail

    from billing.models import Charge
    from monitoring.models import BandwidthUsage
    from monitoring.overage import month_end_run, service_rrd_paths, usage_compute

    paths = [path for paths in service_rrd_paths(service_ids).values() for path in paths]
    report = harness.Report(f"Bandwidth: {count:,} services, 30 days of 5-minute samples ({30 * 288:,} each)")

    # References first: a plain read of every file (cold: it also warms the page cache for everything after,
    # fairly), then rrdtool fetch of the month from every file (warm, like the computation after it).
    read_seconds = harness.timed(lambda: sum(len(path.read_bytes()) for path in paths))[0]
    fetch_seconds = harness.timed(
        lambda: sum(
            len(rrdtool.fetch(str(path), "AVERAGE", "-r", "300", "-s", str(START), "-e", str(END - 300))[2])
            for path in paths
        )
    )[0]

    small = service_ids[: max(count // 10, 1)]
    with harness.queries() as small_queries:
        small_seconds, _ = harness.timed(
            lambda: usage_compute(period_start=PERIOD_START, period_end=PERIOD_END, services=small)
        )
    BandwidthUsage.objects.all().delete()
    with harness.queries() as full_queries:
        full_seconds, usages = harness.timed(lambda: usage_compute(period_start=PERIOD_START, period_end=PERIOD_END))
    over = sum(1 for usage in usages if usage.is_over)
    sample = next(usage for usage in usages if usage.is_over)
    report.row(
        f"95th + volume, {count:,} services",
        full_seconds,
        len(full_queries),
        reference=(fetch_seconds, None),
        reference_label=f"rrdtool fetch × {len(paths):,}",
    )
    report.row(
        f"95th + volume, {len(small):,} services",
        small_seconds,
        len(small_queries),
        reference=(full_seconds * len(small) / count, None),
        reference_label="the full run, per service",
    )
    report.row(f"plain read of {len(paths):,} files", read_seconds)
    report.note(
        "per service", f"{full_seconds / count * 1000:.2f} ms ({fetch_seconds / count * 1000:.2f} ms fetch only)"
    )
    report.note(
        "over commit", f"{over:,} services, e.g. 95th {sample.billed_p95_mbps} Mbit/s, {sample.overage_amount} USD"
    )

    BandwidthUsage.objects.all().delete()
    mail.outbox = []
    with harness.queries() as month_queries:
        month_seconds, result = harness.timed(lambda: month_end_run(run_date=PERIOD_END))
    report.row(
        f"month-end report, {count:,} services",
        month_seconds,
        len(month_queries),
        reference=(full_seconds, len(full_queries)),
        reference_label="the computation alone",
    )
    report.note("month end", result.summary() + f"; {Charge.objects.count():,} charges, {len(mail.outbox)} e-mail")
    again_seconds, again = harness.timed(lambda: month_end_run(run_date=PERIOD_END))
    report.row(
        "month-end rerun (nothing to do)", again_seconds, reference=(month_seconds, None), reference_label="first run"
    )
    report.note("rerun", again.summary())
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.note("peak memory", f"{peak_mb:,.0f} MB resident (the whole run, setup included)")
    report.print()
    target = 60.0
    verdict = "within" if full_seconds <= target else "OVER"
    print(f"\n95th percentile of {count:,} services: {full_seconds:.1f} s, {verdict} the {target:.0f} s target")
    # Queries: a constant number, plus one per bulk write of at most 500 rows (usage rows, charges).
    write_batches = math.ceil(count / 500) - math.ceil(len(small) / 500)
    print(
        f"queries: {len(small_queries)} for {len(small):,} services, {len(full_queries)} for {count:,} "
        f"(at most {write_batches} more allowed: the bulk writes' batches of 500); month end {len(month_queries)}"
    )
    ok = (
        0 < len(full_queries) <= len(small_queries) + write_batches
        and again.charged == 0
        and Charge.objects.count() == over
        and full_seconds <= target
    )
    if not ok:
        print(
            "FAILED: queries grew with the number of services (beyond the write batches), a rerun billed again, "
            "or over the time target"
        )
    shutil.rmtree(rrd_dir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
