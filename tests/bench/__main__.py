"""Run the benchmarks, each in its own process: ``python -m tests.bench [name ...]``."""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(available())}.")
        return 2
    failed = []
    for name in names:
        print(f"\n#### benchmark: {name}", flush=True)
        if subprocess.call([sys.executable, "-m", f"tests.bench.{name}"], cwd=HERE.parents[1]) != 0:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
