"""Shared plumbing for the Django benchmarks: a fresh database, timing with query counts, a report table.

Usage inside ``tests/bench/<name>.py``::

    from tests.bench import harness

    def main():
        harness.setup("ipam")              # fresh var/bench/ipam/, Django set up, migrated
        ...
        seconds, queries = harness.measure(lambda: lookup(...))
        report = harness.Report("IPAM")
        report.row("status lookup", seconds, queries, reference=(ref_seconds, ref_queries))
        report.print()
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup(name: str, *, fresh: bool = True) -> Path:
    """Point Django at a benchmark's own var dir and database, set it up and migrate. Returns the var dir."""
    # A var dir per database, so a SQLite run and a PostgreSQL run of the same benchmark can go side by side.
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    var_dir = ROOT / "var" / "bench" / f"{name}-{'postgresql' if on_postgres else 'sqlite'}"
    if fresh and var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    for path in (str(ROOT / "site"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ["SERVERSTOCK_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serverstock.settings")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # One database per benchmark, created fresh unless told (``fresh=False`` keeps its data), named after
        # DATABASE_URL's own database (``…/ss_ipam`` -> ``ss_ipam_bench_ipam``) so that people sharing a server
        # never drop each other's.
        os.environ["DATABASE_URL"] = bench_database_url(os.environ["DATABASE_URL"], name)
        if fresh:
            _recreate_postgres_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return var_dir


def bench_database_url(url: str, name: str) -> str:
    """The URL of benchmark ``name``'s own database beside the one ``url`` names (query string kept)."""
    base, _, query = url.partition("?")
    server, database = base.rsplit("/", 1)
    database = database or "serverstock"
    suffix = f"_bench_{name}"
    if not database.endswith(suffix):
        database += suffix
    return f"{server}/{database}" + (f"?{query}" if query else "")


def database_label() -> str:
    """ "PostgreSQL" or "SQLite": which database this benchmark process runs on."""
    return "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"


def _recreate_postgres_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"].partition("?")[0]
    base, database = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')


def measure(function: Callable[[], object], *, repeat: int = 5) -> tuple[float, int]:
    """Best wall time of ``repeat`` calls and the number of SQL queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    queries = 0
    for _ in range(repeat):
        # Django keeps the last 9,000 queries; once that log is full, a capture's slice of it comes out empty.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            elapsed = time.perf_counter() - started
        best = min(best, elapsed)
        queries = len(captured.captured_queries)
    return best, queries


@contextmanager
def queries():
    """Capture the SQL of a block (``len(captured)``), from an emptied log: Django keeps only the last 9,000
    queries, and once that log is full a plain capture's slice of it comes out empty (0 queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        yield captured


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Wall time of one call and its result."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.2f} ms"


class Report:
    """A table of figures, each beside the reference it is compared with."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str, str, str]] = []

    def row(
        self,
        label: str,
        seconds: float,
        queries: int | None = None,
        *,
        reference: tuple[float, int | None] | None = None,
        reference_label: str = "",
    ) -> None:
        figure = _format_seconds(seconds) + (f", {queries} queries" if queries is not None else "")
        if reference:
            ref_seconds, ref_queries = reference
            ref = _format_seconds(ref_seconds) + (f", {ref_queries} queries" if ref_queries is not None else "")
            if reference_label:
                ref = f"{reference_label}: {ref}"
            ratio = f"x{seconds / ref_seconds:.2f}" if ref_seconds else "-"
        else:
            ref, ratio = "", ""
        self._add((label, figure, ref, ratio))

    def note(self, label: str, text: str) -> None:
        self._add((label, text, "", ""))

    def _add(self, row: tuple[str, str, str, str]) -> None:
        # Echoed as it comes (stderr), so a long run that fails later still shows what it measured.
        self.rows.append(row)
        sys.stderr.write("  | " + " | ".join(text for text in row if text) + "\n")
        sys.stderr.flush()

    def print(self) -> None:
        widths = [max(len(row[i]) for row in [*self.rows, ("", "", "", "")]) for i in range(4)]
        print(f"\n== {self.title}")
        header = ("measure", "figure", "reference (same run)", "ratio")
        widths = [max(width, len(text)) for width, text in zip(widths, header, strict=True)]
        for row in (header, *self.rows):
            print("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())
        sys.stdout.flush()


def median_request(connection, method: str, path: str, *, headers: dict, body=None, repeat: int = 30, warm: int = 3):
    """Median wall time of ``repeat`` warm requests over one keep-alive connection, and the last response body."""
    import json
    import statistics

    payload = json.dumps(body).encode() if body is not None else None
    send_headers = {**headers, **({"Content-Type": "application/json"} if payload is not None else {})}
    times, data = [], b""
    for number in range(warm + repeat):
        started = time.perf_counter()
        connection.request(method, path, body=payload, headers=send_headers)
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:300]!r}")
        if number >= warm:
            times.append(elapsed)
    return statistics.median(times), data


class WSGIServer:
    """The product behind a real WSGI server (granian, as production runs it) on a free loopback port.

    It uses this benchmark's database and var dir, with production settings (DEBUG off, persistent database
    connections); staff MFA and the HTTPS redirect are off because the benchmark talks plain HTTP with a token.
    """

    def __init__(self, *, workers: int = 1) -> None:
        self.workers = workers
        self.process = None
        self.port = 0

    def __enter__(self) -> WSGIServer:
        import socket
        import subprocess

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        environment = {
            **os.environ,
            "DEBUG": "0",
            "REQUIRE_STAFF_MFA": "0",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_CONN_MAX_AGE": "600",
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--blocking-threads",
                "2",
                "--no-ws",
                "--log-level",
                "warning",
                "serverstock.wsgi:application",
            ],
            cwd=ROOT / "site",
            env=environment,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"granian exited with {self.process.returncode}")
            try:
                connection = self.connection()
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                connection.close()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("granian did not answer within 60 s")

    def connection(self):
        import http.client

        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()
                self.process.wait()
