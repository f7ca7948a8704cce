"""Open-loop load on the production process set: portal and API pages at a fixed rate over a realistic data set.

``make bench BENCH=load`` (needs DATABASE_URL on PostgreSQL and REDIS_URL; LOAD_RATE requests/s, default 100;
LOAD_SECONDS, default 30). The data set (1,000 companies, 20,000 devices, 100,000 IP addresses, 50,000 invoices)
is bulk-created into the benchmark's own database; the web process is ``deploy/run web`` (granian, two workers,
persistent connections, production settings) as deploy/ runs it.

Requests leave at the fixed rate whatever the server does (tests/bench/openloop.py) and latency counts from the
scheduled send time. Signed-in customers of 40 companies ask for a mix of portal pages and API lists; then the
same rate goes to the reference in the same run: a bare Django view rendering the portal's invoice table with no
middleware, served by the same granian from the same database (tests/bench/_bare.py). Printed: p50 / p99 of
each, the web processes' CPU per request (and PostgreSQL's backends'), the ratios, the load average.
"""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from tests.bench import harness, openloop

COMPANIES = 1000
DEVICES_PER_COMPANY = 20
IPS_PER_COMPANY = 100
INVOICES_PER_COMPANY = 50
SIGNED_IN = 40
BATCH = 5000
PASSWORD = "load-bench-password"
PORTAL_PAGES = ["/portal/", "/portal/billing/invoices/", "/portal/ips/", "/portal/network/", "/portal/services/"]
API_PAGES = ["/api/billing/invoices/", "/api/dcim/devices/", "/api/ipam/ip-addresses/"]


def build() -> dict:
    """The data set, bulk-created (as an import would: no history rows, no signals)."""
    from django.utils import timezone

    from accounts.models import Company
    from billing.models import Invoice
    from dcim.choices import DeviceStatus, Ownership
    from dcim.models import Device, DeviceType, Manufacturer, Site
    from ipam import services as ipam_services
    from ipam.addressing import network_bounds, to_hex
    from ipam.choices import IPAddressStatus
    from ipam.models import RIR, Aggregate, IPAddress, Prefix

    companies = Company.objects.bulk_create(
        Company(name=f"Load company {n:04d}", account_number=f"LD{n:06d}", country="US", email=f"ap{n}@load.example")
        for n in range(COMPANIES)
    )
    site = Site.objects.create(slug="load-1", name="Load 1", code="LOD1")
    vendor = Manufacturer.objects.create(slug="load", name="Load")
    server = DeviceType.objects.create(manufacturer=vendor, slug="load-1u", model="Load 1U", u_height=1)
    devices = [
        Device(
            name=f"c{company.pk}-srv{n:02d}",
            device_type=server,
            role="server",
            status=DeviceStatus.ACTIVE,
            ownership=Ownership.DATACENTER,
            site=site,
            company=company,
            serial=f"LD{index * DEVICES_PER_COMPANY + n:08d}",
            management_ip=str(ipaddress.IPv4Address("172.16.0.1") + index * DEVICES_PER_COMPANY + n),
        )
        for index, company in enumerate(companies)
        for n in range(DEVICES_PER_COMPANY)
    ]
    Device.objects.bulk_create(devices, batch_size=BATCH)

    rir = RIR.objects.create(name="ARIN", slug="arin")
    ipam_services.aggregate_create(prefix="10.0.0.0/8", rir=rir)
    aggregate = Aggregate.objects.get(prefix="10.0.0.0/8")
    now = timezone.now()
    prefixes = []
    for index, company in enumerate(companies):
        network = ipaddress.IPv4Network(f"10.{index // 256}.{index % 256}.0/25")
        start, end = network_bounds(network)
        prefixes.append(
            Prefix(
                prefix=str(network),
                family=4,
                network_start=start,
                network_end=end,
                prefix_length=25,
                aggregate=aggregate,
                company=company,
                size_units=1,
                created=now,
                last_updated=now,
            )
        )
    prefixes = Prefix.objects.bulk_create(prefixes, batch_size=BATCH)
    addresses = [
        IPAddress(
            address=str(prefix.network[n + 1]),
            family=4,
            value=to_hex(prefix.network[n + 1]),
            prefix=prefix,
            status=IPAddressStatus.ASSIGNED,
            company_id=prefix.company_id,
        )
        for prefix in prefixes
        for n in range(IPS_PER_COMPANY)
    ]
    IPAddress.objects.bulk_create(addresses, batch_size=BATCH)

    first = date(2022, 11, 1)
    invoices = []
    number = 0
    for month in range(INVOICES_PER_COMPANY):
        issued = date(first.year + (first.month - 1 + month) // 12, (first.month - 1 + month) % 12 + 1, 1)
        for company in companies:
            number += 1
            latest = month == INVOICES_PER_COMPANY - 1
            invoices.append(
                Invoice(
                    company=company,
                    number=f"LD-{number:07d}",
                    status="open" if latest else "paid",
                    issue_date=issued,
                    due_date=issued + timedelta(days=14),
                    period_start=issued,
                    period_end=issued + timedelta(days=28),
                    subtotal=Decimal("100.00"),
                    total=Decimal("100.00"),
                    amount_paid=Decimal("0.00") if latest else Decimal("100.00"),
                    finalised_at=now,
                    paid_at=None if latest else now,
                )
            )
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    return {
        "companies": len(companies),
        "devices": len(devices),
        "ip addresses": len(addresses),
        "invoices": len(invoices),
    }


def customers() -> list[tuple[int, str, str]]:
    """An owner at each of the first SIGNED_IN companies: (company id, e-mail, API token)."""
    from accounts.choices import CompanyRole
    from accounts.models import Company, Membership, User
    from accounts.services import api_token_create

    found = []
    for company in Company.objects.order_by("pk")[:SIGNED_IN]:
        user = User.objects.filter(username=f"owner{company.pk}").first() or User.objects.create_user(
            username=f"owner{company.pk}", email=f"owner{company.pk}@load.example", password=PASSWORD
        )
        Membership.objects.get_or_create(company=company, user=user, defaults={"role": CompanyRole.OWNER})
        _token, raw = api_token_create(user=user, name="load")
        found.append((company.pk, user.email, raw))
    return found


def sign_in(base: str, email: str) -> str:
    """A session of the customer through the product's login form; the sessionid."""
    import requests

    proxy = {"X-Forwarded-Proto": "https", "Referer": f"{base.replace('http://', 'https://')}/accounts/login/"}
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", headers=proxy, timeout=30)
    assert page.status_code == 200, page.status_code
    token = page.cookies.get("csrftoken") or session.cookies.get("csrftoken")
    cookie = {"Cookie": f"csrftoken={token}"}
    deadline = time.monotonic() + 180
    while True:
        answer = requests.post(f"{base}/accounts/login/", data={"login": email, "password": PASSWORD,
                               "csrfmiddlewaretoken": token}, headers={**proxy, **cookie}, allow_redirects=False,
                               timeout=30)  # fmt: skip
        # allauth lets one address sign in 30 times a minute: the 40 customers wait their turn, as people would.
        if answer.status_code != 429 or time.monotonic() > deadline:
            break
        time.sleep(5)
    assert answer.status_code == 302, (answer.status_code, re.sub(r"<[^>]+>", " ", answer.text)[-800:])
    return answer.cookies["sessionid"]


def backend_pids(database: str) -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        return {row[0] for row in cursor.fetchall()}


def phase(label, base, choose, *, rate, seconds, web_pids, database) -> dict:
    db_pids = backend_pids(database)
    ticks = openloop.cpu_ticks(web_pids), openloop.cpu_ticks(db_pids)
    started = time.time()
    results = openloop.run(base, choose, rate=rate, seconds=seconds)
    elapsed = time.time() - started
    db_pids |= backend_pids(database)
    used = openloop.cpu_ticks(web_pids) - ticks[0], openloop.cpu_ticks(db_pids) - ticks[1]
    per_second = openloop.clock_ticks()
    ok = [r for r in results if r.status == 200]
    latencies = [r.latency for r in results]
    figures = {
        "label": label,
        "requests": len(results),
        "failed": len(results) - len(ok),
        "rate": len(results) / elapsed,
        "p50": openloop.percentile(latencies, 0.50),
        "p99": openloop.percentile(latencies, 0.99),
        "max": max(latencies),
        "web_cpu": used[0] / per_second / len(results),
        "db_cpu": used[1] / per_second / len(results),
        "by_path": {},
    }
    for path in sorted({r.path.split("?")[0] for r in results}):
        mine = [r.latency for r in results if r.path.split("?")[0] == path]
        figures["by_path"][path] = (openloop.percentile(mine, 0.5), openloop.percentile(mine, 0.99), len(mine))
    bad = [r for r in results if r.status != 200][:5]
    if bad:
        print(f"   {label}: failed requests, e.g. {[(r.path, r.status) for r in bad]}")
    return figures


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        print("load: skipped, it needs DATABASE_URL (PostgreSQL) and REDIS_URL (the production stack's services)")
        return 0
    rate = float(os.environ.get("LOAD_RATE", "100"))
    seconds = float(os.environ.get("LOAD_SECONDS", "30"))
    reuse = os.environ.get("LOAD_REUSE") == "1"  # the data set of the previous run, kept (for repeated runs)
    harness.setup("load", fresh=not reuse)
    from django.conf import settings

    from accounts.models import Company
    from tests.deploy.stack import Process, Stack, free_port, wait_until

    if reuse and Company.objects.exists():
        seconds_build, counts = 0.0, {"companies": Company.objects.count()}
    else:
        seconds_build, counts = harness.timed(build)
    people = customers()
    print(f"   data set: {counts} in {seconds_build:.1f} s", flush=True)

    database = settings.DATABASES["default"]["NAME"]
    stack = Stack(Path(tempfile.mkdtemp(prefix="serverstock-load-")), os.environ["DATABASE_URL"],
                  os.environ["REDIS_URL"])  # fmt: skip
    stack.env.update({"WEB_WORKERS": "2", "LOG_LEVEL": "WARNING"})
    report = harness.Report(f"Open-loop load at {rate:.0f} requests/s for {seconds:.0f} s (granian, 2 workers)")
    try:
        web = stack.start_web("web")
        bare_port = free_port()
        log = stack.tmp / "bare.log"
        with open(log, "ab") as output:
            bare = subprocess.Popen(
                ["granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(bare_port), "--workers", "2",
                 "--blocking-threads", "1", "--no-ws", "--log-level", "warning", "tests.bench._bare:application"],
                cwd=harness.ROOT, env={**stack.env, "DJANGO_SETTINGS_MODULE": "tests.bench._bare"},
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        stack.processes.append(Process("bare", bare, log))
        bare_url = f"http://127.0.0.1:{bare_port}"
        import requests

        wait_until(lambda: requests.get(f"{bare_url}/invoices/?company={people[0][0]}", timeout=5).ok, timeout=90,
                   what="the bare reference")  # fmt: skip

        choices = []
        for _company, email, token in people:
            session = sign_in(web, email)
            portal = {"Cookie": f"sessionid={session}", "X-Forwarded-Proto": "https"}
            api = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https", "Accept": "application/json"}
            choices += [(path, portal) for path in PORTAL_PAGES] + [(path, api) for path in API_PAGES]
            for path, headers in choices[-len(PORTAL_PAGES) - len(API_PAGES) :]:
                answer = requests.get(f"{web}{path}", headers=headers, allow_redirects=False, timeout=30)
                assert answer.status_code == 200, (path, answer.status_code, answer.headers.get("Location"))
        reference = [(f"/invoices/?company={company}", {}) for company, _email, _token in people]

        web_pids = openloop.descendants(stack.processes[0].popen.pid)
        bare_pids = openloop.descendants(bare.pid)
        print(f"   load average before: {openloop.loadavg()}", flush=True)
        # A short warm-up of each (caches, the first connections), then the measured runs.
        openloop.run(web, openloop.mixed(choices, seed=2), rate=rate / 2, seconds=5)
        openloop.run(bare_url, openloop.mixed(reference, seed=2), rate=rate / 2, seconds=5)
        product = phase("product", web, openloop.mixed(choices), rate=rate, seconds=seconds, web_pids=web_pids,
                        database=database)  # fmt: skip
        load_product = openloop.loadavg()
        bare_figures = phase("bare", bare_url, openloop.mixed(reference), rate=rate, seconds=seconds,
                             web_pids=bare_pids, database=database)  # fmt: skip
        load_bare = openloop.loadavg()
    finally:
        stack.stop()

    report.note("data set", ", ".join(f"{value:,} {name}" for name, value in counts.items()))
    for name in ("p50", "p99", "max"):
        report.row(f"{name} latency, portal + API mix", product[name], reference=(bare_figures[name], None),
                   reference_label="bare view")  # fmt: skip
    report.row("web CPU per request", product["web_cpu"], reference=(bare_figures["web_cpu"], None),
               reference_label="bare view")  # fmt: skip
    report.row("PostgreSQL CPU per request", product["db_cpu"], reference=(bare_figures["db_cpu"], None),
               reference_label="bare view")  # fmt: skip
    bare_counts = f"bare {bare_figures['requests']} ({bare_figures['failed']}) at {bare_figures['rate']:.1f}/s"
    product_counts = f"{product['requests']} ({product['failed']}) at {product['rate']:.1f}/s"
    report.note("requests (failed)", f"{product_counts}; {bare_counts}")
    for path, (p50, p99, count) in product["by_path"].items():
        report.note(f"  {path}", f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms ({count})")
    report.note("load average", f"after product run {load_product}; after bare run {load_bare} (2 cores)")
    report.print()
    return 0 if not product["failed"] and not bare_figures["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
