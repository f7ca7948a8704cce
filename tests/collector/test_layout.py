"""The collector is a standalone process: importing any of its modules must not import Django."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import collector

ROOT = Path(__file__).resolve().parents[2]


def test_collector_modules_do_not_import_django():
    modules = sorted(f"collector.{info.name}" for info in pkgutil.iter_modules(collector.__path__))
    assert {"collector.snmp", "collector.rrd", "collector.portal", "collector.runner"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_no_top_level_stdlib_names():
    assert "collector" not in sys.stdlib_module_names
