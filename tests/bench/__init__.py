"""Benchmarks (``make bench``; ``make bench BENCH="ipam dcim"`` for some of them).

Each module here except ``harness`` is one benchmark, run in its own process by ``python -m tests.bench``
against its own fresh database: SQLite under ``var/bench/<name>-sqlite/``, then, when ``DATABASE_URL`` names a
PostgreSQL server, its database ``<that database>_bench_<name>``. Figures are
printed beside a reference measured in the same run (a ratio), because these machines are shared and noisy;
nothing here is asserted by the test suite.
"""
