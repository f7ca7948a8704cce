"""Run the benchmarks, each in its own process: ``python -m tests.bench [name ...]``."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"harness", "openloop"}


def available() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.iter_modules([str(HERE)])
        if module.name not in NOT_BENCHMARKS and not module.name.startswith("_")
    )


def uses_database(name: str) -> bool:
    return "harness.setup(" in (HERE / f"{name}.py").read_text()


def databases(name: str) -> list[tuple[str, dict]]:
    """Where to run benchmark ``name``: SQLite, then PostgreSQL too when ``DATABASE_URL`` names one.

    ``BENCH_DATABASES=sqlite`` or ``=postgresql`` picks one of them.
    """
    environment = dict(os.environ)
    url = environment.pop("DATABASE_URL", "")
    if not uses_database(name):
        return [("no database", dict(os.environ))]
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").lower().split(",")
    runs = []
    if "sqlite" in wanted or not url.startswith("postgres"):
        runs.append(("SQLite", environment))
    if url.startswith("postgres") and "postgresql" in wanted:
        runs.append(("PostgreSQL", {**environment, "DATABASE_URL": url}))
    return runs


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(available())}.")
        return 2
    failed = []
    for name in names:
        for label, environment in databases(name):
            print(f"\n#### benchmark: {name} ({label})", flush=True)
            command = [sys.executable, "-m", f"tests.bench.{name}"]
            if subprocess.call(command, cwd=HERE.parents[1], env=environment) != 0:
                failed.append(f"{name} ({label})")
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
