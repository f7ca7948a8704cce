"""Collect what the security suite tried (per test, across xdist workers) and print the sums at the end."""

import json
import os

import pytest
from django.conf import settings

from tests.security import REPORT


def _report_dir():
    return settings.VAR_DIR / "security-report"


@pytest.fixture(autouse=True)
def security_report(request):
    REPORT.clear()
    yield REPORT
    counts = {key: value for key, value in REPORT.items() if isinstance(value, int)}
    if counts:
        directory = _report_dir()
        directory.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = request.node.nodeid.replace("/", "_").replace(":", "_")[-150:]
        (directory / f"{worker}-{name}.json").write_text(json.dumps(counts))


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        directory = _report_dir()
        if directory.exists():
            for stale in directory.glob("*.json"):
                stale.unlink()


def pytest_terminal_summary(terminalreporter):
    directory = _report_dir()
    if not directory.exists():
        return
    totals: dict[str, int] = {}
    for path in directory.glob("*.json"):
        for key, value in json.loads(path.read_text()).items():
            totals[key] = totals.get(key, 0) + value
    if totals:
        terminalreporter.section("security suite: what it tried")
        for key in sorted(totals):
            terminalreporter.write_line(f"{key}: {totals[key]}")
