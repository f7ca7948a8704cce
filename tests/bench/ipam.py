"""IPAM at provider scale: a /8 with 1,000,000 address records in 50,000 prefixes, plus a /8 subnet with 60,000.

``python -m tests.bench ipam`` (or ``make bench BENCH=ipam``; with ``DATABASE_URL`` set it runs on SQLite and
then on PostgreSQL). Measured, each beside a reference taken in the same run:

* status lookup of one address (``selectors.address_state``) and an address search with the utilisation of
  every prefix around it, the /8 container included (``selectors.ip_search``), on the full data against the
  same calls on a small data set loaded first (query counts must be equal);
* next free address in a busy /16 (65,534 records, all held but one near the end) against a /16 with a
  few hundred held records, and in a /8 subnet after a run of 60,000 held records against a run of 300;
* adding a /16 with its 65,534 address records through ``services.prefix_add`` (what the admin's button and
  the API call), against adding a /24 on the same full database, per record;
* the issue's operations through the API, in-process (Django's test client, with query counts) and through a
  real WSGI server (granian on a free loopback port, production settings, medians of 30 warm requests over
  keep-alive): the status of one address (``/api/ipam/search/?q=``), next free in the busy /16 and in the /8,
  a page of 1,000 addresses of the busy /16 (``/api/ipam/ip-addresses/?prefix=&limit=1000``; the reference
  is a page of 1,000 of a /22 on the small set), and adding a /16 with records (median of three);
* the loader's insert path (``ipam.bulk``: COPY on PostgreSQL) against Django's ``bulk_create`` (what
  NetBox's bulk loads use) on the same 20,000 rows, both rolled back;
* the ARIN report's admin page (first page of each table, then page 200 of the prefixes, then one customer),
  against its first page on the small data set: its query count must not grow;
* the ARIN report (utilisation rows, reassignment rows, both CSV files) over everything, against the same on
  the small data set (``BENCH_IPAM_FULL_REPORT=0`` skips it). (Its PDF is not rendered at this size.)

The bulk: a busy /16 (every address held, a third assigned, but one) and 49,995 /24s, of which the first 3,679
are full of records (one in four assigned to one of 50 customers, one in fifty reserved, each with its
``Assignment`` row and justification) and one in five of the others is assigned as a block: 316,000 assignments;
then 59,700 reserved records continuing the /8 subnet's run. It is written with ``ipam.bulk.bulk_insert`` inside
one transaction, using the models' own column encoding (family + 32-digit hex, ``ipam.addressing.to_hex``) and
the backend's datetime adaptation, with ids assigned here; afterwards PostgreSQL's sequences are reset (the
adds that follow are ordinary inserts) and the per-prefix figures counted (``ipam.counters.counters_refresh``).
"""

from __future__ import annotations

import ipaddress
import os
import sys
import time

from tests.bench import harness

AGGREGATE = "44.0.0.0/8"
BUSY_16 = "44.1.0.0/16"
GAP_IN_BUSY_16 = "44.1.254.200"
QUIET_16 = "44.2.0.0/16"  # the small data set's /16: every record created, the first 300 held
FIRST_24 = ipaddress.IPv4Network("44.16.0.0/24")
# BENCH_IPAM_SCALE=0.05 tries the benchmark on a twentieth of the /24s (the busy /16 and the /8 stay whole).
SCALE = float(os.environ.get("BENCH_IPAM_SCALE", "1"))
PREFIXES_24 = int(49_995 * SCALE)  # with the busy /16 and the small set's prefixes: 50,000 prefixes
POPULATED_24 = int(3_679 * SCALE)  # 3,679 x 254 + 65,534 = 1,000,000 address records
NEW_16 = "44.250.0.0/16"
API_NEW_16 = ("44.251.0.0/16", "44.252.0.0/16", "44.253.0.0/16")
API_NEW_24 = "44.248.0.0/24"
CONTAINER_8 = AGGREGATE  # a container prefix over the whole /8: its utilisation is shown beside every search
LIST_22 = "44.3.0.0/22"  # the small set's reference for a page of 1,000 records
SUBNET_8 = "10.0.0.0/8"  # an infrastructure /8 subnet: a run of reserved records at its start
SUBNET_8_SMALL_NEXT = "10.0.1.45"  # after the small set's 300 records
NEXT_FREE_IN_8 = "10.0.234.97"  # after the bulk's 59,700 more: a run of 60,000
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
    from ipam.addressing import to_hex
    from ipam.choices import PrefixRole, PrefixStatus
    from ipam.models import IPAddress

    acme, globex = companies[0], companies[1]
    services.prefix_add(prefix=CONTAINER_8, status=PrefixStatus.CONTAINER)
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
    # Created with its records like the busy /16, the first 300 reserved.
    quiet = services.prefix_add(prefix=QUIET_16, create_addresses=True)
    for record in IPAddress.objects.in_range(4, quiet.network_start, to_hex(ipaddress.IPv4Address("44.2.1.44"))):
        services.ip_reserve(address=record, reason="lab")
    services.prefix_add(prefix=LIST_22, create_addresses=True)
    subnet_8 = services.prefix_add(prefix=SUBNET_8, role=PrefixRole.INFRASTRUCTURE)
    services.ip_range_add(start="10.0.0.1", end="10.0.1.44")  # 300 records, all reserved
    for record in IPAddress.objects.in_range(4, subnet_8.network_start, subnet_8.network_end):
        services.ip_reserve(address=record, reason="infrastructure")
    return quiet


class Loader:
    """Bulk inserts in the models' column order with ids assigned here (``ipam.bulk``: COPY on PostgreSQL)."""

    def __init__(self):
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())

    def next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def insert(self, model, columns: list[str], rows) -> int:
        from ipam.bulk import bulk_insert

        return bulk_insert(model, columns, rows)

    def finish(self, *models) -> None:
        """Move the id sequences past the ids assigned here, and count the per-prefix figures."""
        from ipam import counters
        from ipam.bulk import reset_sequences

        reset_sequences(*models)
        counters.counters_refresh()


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
        # The /8 subnet's run of reserved records continues past the small set's 300 (NEXT_FREE_IN_8 is next).
        subnet_8 = Prefix.objects.get(prefix=SUBNET_8)
        run_first = int(ipaddress.IPv4Address(SUBNET_8_SMALL_NEXT))
        for number in range(run_first, int(ipaddress.IPv4Address(NEXT_FREE_IN_8))):
            value = to_hex(number)
            text = str(ipaddress.IPv4Address(number))
            current = add_assignment(f"{text}/32", value, value, address=address_id, kind="reserved")
            addresses.append((address_id, now, now, "", "", text, 4, value, subnet_8.pk, "reserved", None, current, ""))
            address_id += 1
        flush(PREFIXES_24 + 1, PREFIXES_24 + 1)
        loader.finish(Prefix, IPAddress, Assignment)
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

    try:
        setup_test_environment()  # the test client's host name
    except RuntimeError:
        pass  # set up already
    admin = User.objects.filter(email="bench@serverstock.test").first() or User.objects.create_superuser(
        email="bench@serverstock.test", password="bench-password"
    )
    from tests.accounts.factories import enable_mfa, sign_in

    if not admin.authenticator_set.exists():
        enable_mfa(admin)
    client = sign_in(Client(), admin)  # staff pages need a session that passed MFA
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

    connection.queries_log.clear()  # see harness.measure
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return elapsed, len(captured.captured_queries), result


def bulk_reference(rows: int = 20_000):
    """The loader's insert path against Django's ``bulk_create`` on the same rows, each rolled back."""
    from django.db import transaction

    from ipam import services
    from ipam.addressing import to_hex
    from ipam.models import IPAddress

    def rows_of(prefix):
        first = int(prefix.network.network_address) + 1
        return [(str(ipaddress.IPv4Address(n)), to_hex(n)) for n in range(first, first + rows)]

    def with_scratch_prefix(write):
        with transaction.atomic():
            prefix = services.prefix_add(prefix="44.247.0.0/17")
            seconds, _ = harness.timed(lambda: write(prefix, rows_of(prefix)))
            transaction.set_rollback(True)
        return seconds

    def django_bulk_create(prefix, values):
        IPAddress.objects.bulk_create(
            [IPAddress(address=text, family=4, value=value, prefix=prefix) for text, value in values],
            batch_size=1_000,
        )

    def loader(prefix, values):
        now = Loader().now
        columns = ["created", "last_updated", "description", "comments", "address", "family", "value", "prefix"]
        columns += ["status", "dns_name"]
        Loader().insert(
            IPAddress,
            columns,
            ((now, now, "", "", text, 4, value, prefix.pk, "available", "") for text, value in values),
        )

    return with_scratch_prefix(loader), with_scratch_prefix(django_bulk_create)


class Api:
    """The IPAM operations of the issue through the HTTP API: in-process (Django's test client, with query
    counts) and through a real WSGI server (granian, medians of 30 warm requests over keep-alive)."""

    def __init__(self, server):
        from django.test import Client
        from django.test.utils import setup_test_environment

        from accounts.models import User
        from accounts.services import api_token_create

        try:
            setup_test_environment()  # the test client's host name
        except RuntimeError:
            pass  # set up already (the admin pages' client)
        user = User.objects.filter(email="api@serverstock.test").first() or User.objects.create_superuser(
            email="api@serverstock.test", password="bench-password"
        )
        _token, raw = api_token_create(user=user, name="benchmark")
        self.headers = {"Authorization": f"Bearer {raw}", "Host": "127.0.0.1"}
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.server = server
        self.connection = server.connection()

    def _in_process(self, method, path, body):
        if method == "GET":
            response = self.client.get(path)
        else:
            response = self.client.post(path, body, content_type="application/json")
        assert response.status_code < 400, (path, response.status_code, response.content[:300])
        return response.json()

    def measure(self, method: str, path: str, body=None, *, repeat: int = 30):
        """(in-process seconds, queries), (HTTP median seconds), the decoded answer, and this process's CPU
        seconds per in-process request (what the request costs the machine, whatever else runs on it)."""
        import json

        in_process = harness.measure(lambda: self._in_process(method, path, body), repeat=5)
        cpu_started = time.process_time()
        for _ in range(10):
            self._in_process(method, path, body)
        cpu = (time.process_time() - cpu_started) / 10
        over_http, data = harness.median_request(
            self.fresh_connection(), method, path, headers=self.headers, body=body, repeat=repeat
        )
        return in_process, over_http, json.loads(data), cpu

    def fresh_connection(self):
        """A new keep-alive connection (the server closes idle ones, e.g. during the bulk load); the warm-up
        requests of each measure absorb its set-up."""
        self.connection.close()
        self.connection = self.server.connection()
        return self.connection

    def post_once(self, path: str, body) -> float:
        connection = self.fresh_connection()
        connection.connect()
        seconds, _ = harness.median_request(connection, "POST", path, headers=self.headers, body=body, repeat=1, warm=0)
        return seconds

    def floor(self) -> float:
        seconds, _ = harness.median_request(self.fresh_connection(), "GET", "/healthz", headers=self.headers)
        return seconds


def api_operations(busy, subnet_8, list_prefix, address: str) -> dict:
    return {
        "status of one address": ("GET", f"/api/ipam/search/?q={address}", None),
        "next free address, busy /16": ("POST", "/api/ipam/next-free-ip/", {"prefix": busy.pk}),
        "next free address, /8 (run of held)": ("POST", "/api/ipam/next-free-ip/", {"prefix": subnet_8.pk}),
        "list 1,000 addresses of a subnet": (
            "GET",
            f"/api/ipam/ip-addresses/?prefix={list_prefix.pk}&limit=1000",
            None,
        ),
    }


# The goals on PostgreSQL at 1M addresses through the API (medians), and NetBox's figures measured
# beside the first version (same server, same data; the table) for the ratio columns of the report.
GOALS_MS = {
    "status of one address": 5,
    "next free address, busy /16": 4,
    "list 1,000 addresses of a subnet": 100,
}


def main() -> None:
    harness.setup("ipam")
    from accounts.services import company_create
    from ipam import selectors, services
    from ipam.models import RIR, IPAddress, Prefix

    database = harness.database_label()
    report = harness.Report(f"IPAM on {database}: 1,060,000 address records, 50,000 prefixes (scale {SCALE})")
    api_report = harness.Report(
        f"IPAM through the API on {database} (in-process with query counts; HTTP: granian WSGI, medians of 30)"
    )
    started = time.perf_counter()
    companies = [company_create(name=f"Customer {number:03d}") for number in range(COMPANIES)]
    arin = RIR.objects.create(name="ARIN", slug="arin")
    private = RIR.objects.create(name="RFC 1918", slug="rfc1918", is_private=True)
    services.aggregate_create(prefix=AGGREGATE, rir=arin)
    services.aggregate_create(prefix=SUBNET_8, rir=private)
    quiet = small_data_set(companies)
    subnet_8 = Prefix.objects.get(prefix=SUBNET_8)
    list_22 = Prefix.objects.get(prefix=LIST_22)

    # References on the small data set.
    lookup_address = "44.0.0.30"
    # An assigned address in a populated /24 of the bulk (44.22.40.100 at full scale).
    big_lookup_address = str(FIRST_24.network_address + 256 * min(1_576, POPULATED_24 - 1) + 100)
    small_state = harness.measure(lambda: selectors.address_state(lookup_address))
    small_search = harness.measure(lambda: selectors.ip_search(lookup_address))
    small_free = harness.measure(lambda: selectors.next_free_ip(prefix=quiet))
    small_free_8 = harness.measure(lambda: selectors.next_free_ip(prefix=subnet_8))
    assert str(selectors.next_free_ip(prefix=subnet_8)) == SUBNET_8_SMALL_NEXT
    small_report_seconds, small_report_queries, small_rows = measure_once(report_over_everything)
    # BENCH_IPAM_PAGES=0 leaves the ARIN report's admin pages out (minutes on a busy machine at full scale).
    page_requests = admin_report_pages() if os.environ.get("BENCH_IPAM_PAGES", "1") != "0" else {}
    small_pages = {}
    for name, function in page_requests.items():
        function()  # the session, compiled templates
        small_pages[name] = harness.measure(function, repeat=3)
    assert str(selectors.next_free_ip(prefix=quiet)) == "44.2.1.45", selectors.next_free_ip(prefix=quiet)
    loader_seconds, bulk_create_seconds = bulk_reference()

    with harness.WSGIServer() as server:
        api = Api(server)
        floor_small = api.floor()
        small_api = {
            name: api.measure(*operation)
            for name, operation in api_operations(quiet, subnet_8, list_22, lookup_address).items()
        }

        load_seconds, counts = harness.timed(lambda: load_bulk(companies))
        report.note(
            "bulk load (COPY on PostgreSQL)" if database == "PostgreSQL" else "bulk load (executemany)",
            f"{load_seconds:.1f} s for {counts['addresses']:,} addresses, {counts['prefixes']:,} prefixes, "
            f"{counts['assignments']:,} assignments (sequences reset, figures counted)",
        )
        report.row(
            "  insert path, 20,000 address rows",
            loader_seconds,
            reference=(bulk_create_seconds, None),
            reference_label="Django bulk_create",
        )

        state = harness.measure(lambda: selectors.address_state(big_lookup_address))
        found = selectors.address_state(big_lookup_address)
        assert found.state == "in use" and found.company is not None, found
        report.row("status lookup of one address", *state, reference=small_state, reference_label="small set")
        search = harness.measure(lambda: selectors.ip_search(big_lookup_address))
        report.row("address search (with utilisation)", *search, reference=small_search, reference_label="small set")

        busy = Prefix.objects.get(prefix=BUSY_16)
        assert str(selectors.next_free_ip(prefix=busy)) == GAP_IN_BUSY_16, selectors.next_free_ip(prefix=busy)
        free = harness.measure(lambda: selectors.next_free_ip(prefix=busy))
        report.row("next free address, busy /16", *free, reference=small_free, reference_label="/16, 300 held")
        assert str(selectors.next_free_ip(prefix=subnet_8)) == NEXT_FREE_IN_8, selectors.next_free_ip(prefix=subnet_8)
        free_8 = harness.measure(lambda: selectors.next_free_ip(prefix=subnet_8))
        report.row(
            "next free address, /8 after 60,000 held", *free_8, reference=small_free_8, reference_label="after 300"
        )
        container = Prefix.objects.get(prefix=CONTAINER_8)
        block = harness.measure(lambda: selectors.next_free_block(prefix=container, prefix_length=24))
        report.row("next free /24 in the /8 container", *block)

        add_24_seconds, add_24_queries, _ = measure_once(
            lambda: services.prefix_add(prefix=NEW_24, create_addresses=True)
        )
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

        # The API: the same operations on the full data, each beside the small set's (same server, same run).
        list_busy = Prefix.objects.get(prefix=BUSY_16)
        big_api = {
            name: api.measure(*operation)
            for name, operation in api_operations(busy, subnet_8, list_busy, big_lookup_address).items()
        }
        floor_big = api.floor()
        for name, (in_process, over_http, _answer, cpu) in big_api.items():
            small_in_process, small_http, _answer, small_cpu = small_api[name]
            api_report.row(f"{name}, in-process", *in_process, reference=small_in_process, reference_label="small set")
            api_report.row(f"{name}, in-process CPU", cpu, reference=(small_cpu, None), reference_label="small set")
            goal = f" (goal <= {GOALS_MS[name]} ms)" if name in GOALS_MS else ""
            api_report.row(f"{name}, HTTP{goal}", over_http, reference=(small_http, None), reference_label="small set")
        assert big_api["next free address, busy /16"][2]["address"] == GAP_IN_BUSY_16
        assert big_api["next free address, /8 (run of held)"][2]["address"] == NEXT_FREE_IN_8
        listed = big_api["list 1,000 addresses of a subnet"][2]
        assert len(listed["results"]) == 1000 and listed["count"] == 65_534, listed["count"]
        assert big_api["status of one address"][2]["addresses"][0]["state"] == "in use"
        api_report.row(
            "GET /healthz (the HTTP floor)", floor_big, reference=(floor_small, None), reference_label="small set"
        )
        add_http = sorted(
            api.post_once("/api/ipam/add-subnet/", {"prefix": network, "create_addresses": True})
            for network in API_NEW_16
        )[1]
        add_http_24 = api.post_once("/api/ipam/add-subnet/", {"prefix": API_NEW_24, "create_addresses": True})
        api_report.row(
            "add a /16 + 65,534 records, HTTP (median of 3; goal <= 2 s)",
            add_http,
            reference=(add_http_24, None),
            reference_label="a /24",
        )
        assert IPAddress.objects.filter(prefix__prefix=API_NEW_16[0]).count() == 65_534

    pages = {}
    for name, function in page_requests.items():
        function()
        pages[name] = harness.measure(function, repeat=3)
        report.row(name, *pages[name], reference=small_pages[name], reference_label="small set")
    if page_requests:
        html = page_requests["ARIN report page, first page"]().content.decode()
        report.note("  page size", f"{len(html) / 1024:.0f} KiB of HTML (the full report has ~313,000 rows)")

    if os.environ.get("BENCH_IPAM_FULL_REPORT", "1") != "0":
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
    api_report.print()
    print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f} (1, 5, 15 min)")
    problems = []
    for label, big, small in (
        ("status lookup", state, small_state),
        ("search", search, small_search),
        ("next free", free, small_free),
        *((name, pages[name], small_pages[name]) for name in pages),
        *((f"API {name}", big_api[name][0], small_api[name][0]) for name in big_api if "/8" not in name),
    ):
        if big[1] != small[1]:
            problems.append(f"{label}: {big[1]} queries against {small[1]} on the small set")
    if problems:
        print("Query counts differ: " + "; ".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
