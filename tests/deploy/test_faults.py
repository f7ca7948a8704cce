"""Faults the production process set survives (the same harness as test_multiprocess, processes from deploy/run).

- ``kill -9`` of the django-q2 worker that is in the middle of a billing run: the cluster starts a new worker and
  keeps consuming; the run, queued again (as the daily schedule does), completes; no company is billed twice.

The collector's backlog while the portal is down is tested in tests/monitoring/test_live.py, and its restart
without a gap in tests/monitoring/test_collector_restart.py.
"""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from billing.models import Invoice
from tests.accounts.factories import CompanyFactory
from tests.catalog import factories as catalog
from tests.deploy.stack import Stack, other_redis_database, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="the production process set needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]
RUN_DATE = date(2026, 12, 1)
COMPANIES = 120


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU ticks used) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def _descendants(pid: int) -> set[int]:
    table = _processes()
    found, frontier = set(), {pid}
    while frontier:
        children = {child for child, (parent, _cpu) in table.items() if parent in frontier}
        found |= children
        frontier = children
    return found


def _busiest(pids: set[int], seconds: float = 0.5) -> int:
    """The process among ``pids`` that used the most CPU over ``seconds``: the worker running the task."""
    before = _processes()
    time.sleep(seconds)
    after = _processes()
    return max(pids & after.keys(), key=lambda pid: after[pid][1] - before.get(pid, (0, 0))[1])


def _queue(stack: Stack) -> None:
    queued = stack.manage(
        "shell",
        "-c",
        f"from django_q.tasks import async_task; async_task('billing.tasks.billing_run_daily', '{RUN_DATE}')",
    )
    assert queued.returncode == 0, queued.stderr


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_billing_run(tmp_path):
    plan = catalog.plan(monthly="50.00")
    companies = [CompanyFactory(name=f"Tenant {n:03}") for n in range(COMPANIES)]
    for company in companies:
        catalog.active_service(company, on=date(2026, 11, 1), plan_=plan)

    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    stack = Stack(tmp_path, database_url, other_redis_database(os.environ["REDIS_URL"]))
    import redis

    redis.Redis.from_url(stack.redis_url).flushdb()
    try:
        cluster = stack.start_worker("worker1")
        _queue(stack)
        # In the middle of the run: some companies billed, not all.
        wait_until(lambda: Invoice.objects.exists(), timeout=120, what="the first invoices of the run")
        workers = _descendants(cluster.popen.pid)
        victim = _busiest(workers)
        billed_at_kill = Invoice.objects.count()
        os.kill(victim, signal.SIGKILL)
        assert billed_at_kill < COMPANIES, "the run finished before the worker could be killed; make it longer"

        # The cluster starts another worker and keeps consuming: the run queued again completes.
        wait_until(lambda: _descendants(cluster.popen.pid) - workers, timeout=60, what="a new worker process")
        time.sleep(2)
        partial = Invoice.objects.count()
        _queue(stack)
        wait_until(lambda: Invoice.objects.count() == COMPANIES, timeout=180, what="the rest of the companies billed")
        time.sleep(2)
        assert cluster.popen.poll() is None, stack.logs()
    finally:
        stack.stop()

    per_company = Invoice.objects.values("company").annotate(n=Count("id"))
    assert per_company.count() == COMPANIES
    assert {row["n"] for row in per_company} == {1}, "a company was billed twice"
    assert 0 < billed_at_kill <= partial < COMPANIES
    # Numbers stay gapless through the crash (each company's invoice is numbered in its own transaction).
    numbers = sorted(int(re.sub(r"\D", "", number)) for number in Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + COMPANIES))
