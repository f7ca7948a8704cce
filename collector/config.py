"""Collector configuration, read from the environment (never from Django settings)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from collector.shard import Shard


@dataclass(frozen=True)
class Config:
    """Everything a collector process needs to know, read once at start."""

    portal_url: str = "http://127.0.0.1:8000"
    token: str = ""
    rrd_dir: Path = Path("var/rrd")
    rrdcached_address: str = ""
    # Seconds per row of RRD files created from now on (60 s; tests use a few seconds).
    rrd_step: int = 60
    shard: Shard = Shard(0, 1)
    # Polls in flight at once across all devices (one engine, one socket).
    concurrency: int = 200
    # Rows asked per GETBULK (at least): more means fewer round trips; see SnmpClient.
    max_repetitions: int = 25
    # Decode SNMPv2c responses with the lean decoder (collector.lean) instead of pysnmp's generic one.
    lean_decode: bool = True
    # Missed polls in a row before a device is reported unreachable.
    down_after: int = 3
    # Seconds between target refreshes from the portal.
    targets_every: float = 300.0
    # Seconds between ingest posts and RRD flushes.
    flush_every: float = 5.0
    # Ingest batches kept while the portal is unreachable (oldest dropped first).
    backlog_limit: int = 1000

    @classmethod
    def from_env(cls, environ=None, **overrides) -> Config:
        """Read ``PORTAL_URL``, ``COLLECTOR_TOKEN``, ``RRD_DIR``, ``RRDCACHED_ADDRESS``, ``RRD_STEP``, tuning knobs."""
        env = os.environ if environ is None else environ
        values = {
            "portal_url": env.get("PORTAL_URL", cls.portal_url).rstrip("/"),
            "token": env.get("COLLECTOR_TOKEN", ""),
            "rrd_dir": Path(env.get("RRD_DIR") or "var/rrd"),
            "rrdcached_address": env.get("RRDCACHED_ADDRESS", ""),
            "rrd_step": int(env.get("RRD_STEP") or cls.rrd_step),
            "concurrency": int(env.get("COLLECTOR_CONCURRENCY", cls.concurrency)),
            "max_repetitions": int(env.get("COLLECTOR_MAX_REPETITIONS", cls.max_repetitions)),
            "lean_decode": env.get("COLLECTOR_LEAN_DECODE", "1").strip().lower() not in ("0", "false", "no", "off"),
            "down_after": int(env.get("COLLECTOR_DOWN_AFTER", cls.down_after)),
            "targets_every": float(env.get("COLLECTOR_TARGETS_EVERY", cls.targets_every)),
            "flush_every": float(env.get("COLLECTOR_FLUSH_EVERY", cls.flush_every)),
        }
        values.update(overrides)
        return cls(**values)
