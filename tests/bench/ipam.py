"""IPAM at provider scale: a /8 aggregate with 1,000,000 address records and 50,000 prefixes.

``python -m tests.bench ipam`` (or ``make bench BENCH=ipam``). Measured, each beside a reference taken in the
same run:

* status lookup of one address (``selectors.address_state``) and an address search (``selectors.ip_search``),
  on the full data against the same calls on a small data set loaded first (query counts must be equal);
* next free address in a busy /16 (65,534 records, all held but one near the end) against a /16 with a
  few hundred held records on the small data set;
* adding a /16 with its 65,534 address records through ``services.prefix_add`` (what the admin's button and
  the API call), against adding a /24 on the same full database, per record;
* the ARIN report's admin page (first page of each table, then page 200 of the prefixes, then one customer),
  against its first page on the small data set: its query count must not grow;
* the ARIN report (utilisation rows, reassignment rows, both CSV files) over everything, against the same on
  the small data set. (Its PDF is not rendered at this size: some 8,000 pages at ~0.5 s each; the admin
  refuses it above ``ipam.pdf.PDF_MAX_ROWS`` and points at the CSV files and ``ipam_arin_report --pdf``.)

The bulk: a busy /16 (every address held, a third assigned, but one) and 49,995 /24s, of which the first 3,679
are full of records (one in four assigned to one of 50 customers, one in fifty reserved, each with its
``Assignment`` row and justification) and one in five of the others is assigned as a block: 316,000 assignments.

The bulk is written with ``executemany`` on the raw cursor inside one transaction, using the models' own
column encoding (family + 32-digit hex, ``ipam.addressing.to_hex``) and the backend's datetime adaptation, so
the rows are exactly what the services would have written (without per-row history, like ``bulk_create``).
"""

from __future__ import annotations

import ipaddress
import sys
import time

from tests.bench import harness

AGGREGATE = "44.0.0.0/8"
BUSY_16 = "44.1.0.0/16"
GAP_IN_BUSY_16 = "44.1.254.200"
QUIET_16 = "44.2.0.0/16"  # the small data set's /16, a few hundred records held
FIRST_24 = ipaddress.IPv4Network("44.16.0.0/24")
PREFIXES_24 = 49_995  # with the busy /16 and the small set's four prefixes: 50,000 prefixes
POPULATED_24 = 3_679  # 3,679 x 254 + 65,534 = 1,000,000 address records
NEW_16 = "44.250.0.0/16"
NEW_24 = "44.249.0.0/24"
COMPANIES = 50
BATCH = 20_000


def progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r  {label:<28} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def small_data_set(companies):
    """A few subnets with assignments, reservations and a block: the reference the bulk is compared with."""
    from ipam import services
    from ipam.choices import PrefixStatus
    from ipam.models import IPAddress

    acme, globex = companies[0], companies[1]
    justification = services.justification_create(company=acme, purpose="Web hosting", hosts_now=40)
    services.prefix_add(prefix="44.0.0.0/24", create_addresses=True)
    for number in range(1, 60):
        services.ip_assign(address=f"44.0.0.{number}", company=acme, justification=justification)
    services.ip_reserve(address="44.0.0.254", reason="gateway")
    services.prefix_add(prefix="44.0.1.0/24", status=PrefixStatus.CONTAINER)
    services.block_assign(
        prefix="44.0.1.0/26",
        company=globex,
        justification_fields={"purpose": "Mail cluster", "hosts_now": 30},
    )
    quiet = services.prefix_add(prefix=QUIET_16)
    services.ip_range_add(start="44.2.0.1", end="44.2.1.44")  # 300 records, all reserved
    for record in IPAddress.objects.in_range(4, quiet.network_start, quiet.network_end):
        services.ip_reserve(address=record, reason="lab")
    return quiet


class Loader:
    """Raw ``executemany`` inserts in the models' column order, with ids assigned here."""

    def __init__(self):
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        self.cursor = connection.cursor()
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())

    def next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def insert(self, model, columns: list[str], rows) -> int:
        quote = self.connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        batch, written = [], 0
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self.cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)
            written += len(batch)
        return written


def load_bulk(companies) -> dict:
    """The /8's bulk: a busy /16, 49,990 /24s of which 3,679 are full of records and 10,000 assigned as blocks."""
    from django.db import transaction

    from ipam.addressing import network_bounds, to_hex
    from ipam.models import Aggregate, Assignment, IPAddress, IPJustification, Prefix

    aggregate = Aggregate.objects.get(prefix=AGGREGATE)
    loader = Loader()
    now = loader.now
    with transaction.atomic():
        justifications = [
            IPJustification.objects.create(
                company=company,
                customer_name=company.name,
                purpose=f"Dedicated servers of {company.name}",
                hosts_now=200,
                hosts_in_6_months=300,
                hosts_in_12_months=400,
            )
            for company in companies
        ]
        prefix_id = loader.next_id(Prefix)
        address_id = loader.next_id(IPAddress)
        assignment_id = loader.next_id(Assignment)
        prefix_columns = [
            "id",
            "created",
            "last_updated",
            "description",
            "comments",
            "prefix",
            "family",
            "network_start",
            "network_end",
            "prefix_length",
            "aggregate",
            "status",
            "role",
            "company",
            "is_pool",
            "size_units",
        ]
        address_columns = [
            "id",
            "created",
            "last_updated",
            "description",
            "comments",
            "address",
            "family",
            "value",
            "prefix",
            "status",
            "company",
            "current_assignment",
            "dns_name",
        ]
        assignment_columns = [
            "id",
            "created",
            "last_updated",
            "kind",
            "network",
            "family",
            "start",
            "end",
            "address",
            "prefix",
            "company",
            "justification",
            "reason",
            "started_at",
            "release_reason",
        ]
        prefixes, addresses, assignments = [], [], []

        def add_prefix(network, company=None):
            nonlocal prefix_id
            start, end = network_bounds(network)
            prefixes.append(
                (
                    prefix_id,
                    now,
                    now,
                    "",
                    "",
                    str(network),
                    4,
                    start,
                    end,
                    network.prefixlen,
                    aggregate.pk,
                    "active",
                    "customer" if company else "",
                    company.pk if company else None,
                    False,
                    network.num_addresses,
                )
            )
            prefix_id += 1
            return prefix_id - 1

        def add_assignment(network_text, start, end, *, address=None, prefix=None, company=None, kind="assigned"):
            nonlocal assignment_id
            index = companies.index(company) if company else None
            assignments.append(
                (
                    assignment_id,
                    now,
                    now,
                    kind,
                    network_text,
                    4,
                    start,
                    end,
                    address,
                    prefix,
                    company.pk if company else None,
                    justifications[index].pk if company else None,
                    "" if company else "infrastructure",
                    now,
                    "",
                )
            )
            assignment_id += 1
            return assignment_id - 1

        def add_addresses(network, prefix_pk, *, held_every: int, reserve_every: int, gap: int | None = None):
            nonlocal address_id
            first, last = int(network.network_address) + 1, int(network.broadcast_address) - 1
            for number in range(first, last + 1):
                status, company, current = "available", None, None
                value = to_hex(number)
                if number != gap and held_every and number % held_every == 0:
                    company = companies[number % len(companies)]
                    status = "assigned"
                    current = add_assignment(
                        f"{ipaddress.IPv4Address(number)}/32", value, value, address=address_id, company=company
                    )
                elif number != gap and reserve_every and number % reserve_every == 0:
                    status = "reserved"
                    current = add_assignment(
                        f"{ipaddress.IPv4Address(number)}/32", value, value, address=address_id, kind="reserved"
                    )
                addresses.append(
                    (
                        address_id,
                        now,
                        now,
                        "",
                        "",
                        str(ipaddress.IPv4Address(number)),
                        4,
                        value,
                        prefix_pk,
                        status,
                        company.pk if company else None,
                        current,
                        "",
                    )
                )
                address_id += 1

        def flush(done, total):
            loader.insert(Prefix, prefix_columns, prefixes)
            loader.insert(Assignment, assignment_columns, assignments)
            loader.insert(IPAddress, address_columns, addresses)
            prefixes.clear()
            assignments.clear()
            addresses.clear()
            progress("prefixes and addresses", done, total)

        # The busy /16: every usable address held (mostly reserved, one in three assigned) but one.
        busy = ipaddress.IPv4Network(BUSY_16)
        busy_pk = add_prefix(busy)
        add_addresses(busy, busy_pk, held_every=3, reserve_every=1, gap=int(ipaddress.IPv4Address(GAP_IN_BUSY_16)))
        flush(1, PREFIXES_24 + 1)
        first = int(FIRST_24.network_address)
        for index in range(PREFIXES_24):
            network = ipaddress.IPv4Network((first + index * 256, 24))
            block_company = companies[index % len(companies)] if index >= POPULATED_24 and index % 5 == 0 else None
            pk = add_prefix(network, block_company)
            if block_company is not None:
                start, end = network_bounds(network)
                add_assignment(str(network), start, end, prefix=pk, company=block_company)
            if index < POPULATED_24:
                add_addresses(network, pk, held_every=4, reserve_every=50)
            if len(addresses) >= BATCH * 5 or len(prefixes) >= BATCH or index == PREFIXES_24 - 1:
                flush(index + 2, PREFIXES_24 + 1)
    return {
        "prefixes": Prefix.objects.count(),
        "addresses": IPAddress.objects.count(),
        "assignments": Assignment.objects.count(),
    }


def report_over_everything():
    from ipam import reports

    utilisation = reports.utilisation_rows()
    reassignments = reports.reassignment_rows()
    reports.to_csv(reports.UTILISATION_HEADER, (row.as_list() for row in utilisation))
    reports.to_csv(reports.REASSIGNMENT_HEADER, reassignments)
    return len(utilisation), len(reassignments)


def admin_report_pages():
    """A signed-in superuser's GETs of the ARIN report page: name -> callable returning the response."""
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.models import Company, User

    setup_test_environment()  # the test client's host name
    admin = User.objects.filter(email="bench@serverstock.test").first() or User.objects.create_superuser(
        email="bench@serverstock.test", password="bench-password"
    )
    client = Client()
    client.force_login(admin)
    url = reverse("admin:ipam_arin_report")
    # The small set's block holder: a prefix row and reassignments at both sizes (an empty page costs no query).
    customer = Company.objects.get(name="Customer 001")

    def get(**query):
        response = client.get(url, query)
        assert response.status_code == 200, response.status_code
        return response

    return {
        "ARIN report page, first page": lambda: get(),
        "ARIN report page, prefix page 200": lambda: get(prefix_page=200),
        "ARIN report page, one customer": lambda: get(customer=customer.pk),
    }


def measure_once(function):
    """Wall time and query count of a single call (for writes and very long reads)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return elapsed, len(captured.captured_queries), result


def main() -> None:
    harness.setup("ipam")
    from accounts.services import company_create
    from ipam import selectors, services
    from ipam.models import RIR, Prefix

    report = harness.Report("IPAM: /8 with 1,000,000 address records and 50,000 prefixes (SQLite unless DATABASE_URL)")
    started = time.perf_counter()
    companies = [company_create(name=f"Customer {number:03d}") for number in range(COMPANIES)]
    arin = RIR.objects.create(name="ARIN", slug="arin")
    services.aggregate_create(prefix=AGGREGATE, rir=arin)
    quiet = small_data_set(companies)

    # References on the small data set.
    lookup_address = "44.0.0.30"
    big_lookup_address = "44.22.40.100"  # an assigned address in a populated /24 of the bulk
    small_state = harness.measure(lambda: selectors.address_state(lookup_address))
    small_search = harness.measure(lambda: selectors.ip_search(lookup_address))
    small_free = harness.measure(lambda: services.next_free_ip(prefix=quiet))
    small_report_seconds, small_report_queries, small_rows = measure_once(report_over_everything)
    page_requests = admin_report_pages()
    small_pages = {}
    for name, function in page_requests.items():
        function()  # the session, compiled templates
        small_pages[name] = harness.measure(function, repeat=3)
    assert str(services.next_free_ip(prefix=quiet)) == "44.2.1.45", services.next_free_ip(prefix=quiet)

    load_seconds, counts = harness.timed(lambda: load_bulk(companies))
    report.note(
        "bulk load (executemany)",
        f"{load_seconds:.1f} s for {counts['addresses']:,} addresses, {counts['prefixes']:,} prefixes, "
        f"{counts['assignments']:,} assignments",
    )

    state = harness.measure(lambda: selectors.address_state(big_lookup_address))
    found = selectors.address_state(big_lookup_address)
    assert found.state == "in use" and found.company is not None, found
    report.row("status lookup of one address", *state, reference=small_state, reference_label="small set")
    search = harness.measure(lambda: selectors.ip_search(big_lookup_address))
    report.row("address search (with utilisation)", *search, reference=small_search, reference_label="small set")

    busy = Prefix.objects.get(prefix=BUSY_16)
    assert str(services.next_free_ip(prefix=busy)) == GAP_IN_BUSY_16, services.next_free_ip(prefix=busy)
    free = harness.measure(lambda: services.next_free_ip(prefix=busy))
    report.row("next free address, busy /16", *free, reference=small_free, reference_label="/16, 300 held")

    add_24_seconds, add_24_queries, _ = measure_once(lambda: services.prefix_add(prefix=NEW_24, create_addresses=True))
    add_16_seconds, add_16_queries, added = measure_once(
        lambda: services.prefix_add(prefix=NEW_16, create_addresses=True)
    )
    assert added.addresses.count() == 65_534
    report.row(
        "add a /16 + 65,534 records",
        add_16_seconds,
        add_16_queries,
        reference=(add_24_seconds, add_24_queries),
        reference_label="a /24 + 254 records",
    )
    report.note(
        "  per record",
        f"{add_16_seconds / 65_534 * 1e6:.1f} µs vs {add_24_seconds / 254 * 1e6:.1f} µs "
        f"(x{(add_16_seconds / 65_534) / (add_24_seconds / 254):.2f})",
    )

    pages = {}
    for name, function in page_requests.items():
        function()
        pages[name] = harness.measure(function, repeat=3)
        report.row(name, *pages[name], reference=small_pages[name], reference_label="small set")
    html = page_requests["ARIN report page, first page"]().content.decode()
    report.note("  page size", f"{len(html) / 1024:.0f} KiB of HTML (the full report has ~313,000 rows)")

    report_seconds, report_queries, rows = measure_once(report_over_everything)
    report.row(
        "ARIN report over everything",
        report_seconds,
        report_queries,
        reference=(small_report_seconds, small_report_queries),
        reference_label="small set",
    )
    report.note(
        "  rows",
        f"{rows[0]:,} utilisation + {rows[1]:,} reassignments (small set: {small_rows[0]} + {small_rows[1]})",
    )
    report.note("total (after migrate)", f"{time.perf_counter() - started:.0f} s")
    report.print()
    problems = []
    for label, big, small in (
        ("status lookup", state, small_state),
        ("search", search, small_search),
        ("next free", free, small_free),
        *((name, pages[name], small_pages[name]) for name in pages),
    ):
        if big[1] != small[1]:
            problems.append(f"{label}: {big[1]} queries against {small[1]} on the small set")
    if problems:
        print("Query counts differ: " + "; ".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
