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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup(name: str, *, fresh: bool = True) -> Path:
    """Point Django at a benchmark's own var dir and database, set it up and migrate. Returns the var dir."""
    var_dir = ROOT / "var" / "bench" / name
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
        # One database per benchmark, created fresh.
        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/serverstock_bench_{name}"
        if fresh:
            _recreate_postgres_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return var_dir


def _recreate_postgres_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
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
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            elapsed = time.perf_counter() - started
        best = min(best, elapsed)
        queries = len(captured.captured_queries)
    return best, queries


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
        self.rows.append((label, figure, ref, ratio))

    def note(self, label: str, text: str) -> None:
        self.rows.append((label, text, "", ""))

    def print(self) -> None:
        widths = [max(len(row[i]) for row in [*self.rows, ("", "", "", "")]) for i in range(4)]
        print(f"\n== {self.title}")
        header = ("measure", "figure", "reference (same run)", "ratio")
        widths = [max(width, len(text)) for width, text in zip(widths, header, strict=True)]
        for row in (header, *self.rows):
            print("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())
        sys.stdout.flush()
