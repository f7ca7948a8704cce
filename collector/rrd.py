"""One RRD file per interface, MRTG-style archives, written directly or through rrdcached (batched).

Data sources hold the raw counters as DERIVE with a minimum of 0, so rrdtool turns them into per-second
rates and a counter that went back (agent restart, the rare 64-bit wrap) gives an unknown interval rather
than a spike; the octet sources get the interface speed as their maximum, so garbage above line rate is
dropped by rrdtool as well as by the collector (``counters.py``). When an interface's speed changes (a port
moved from 1 to 10 Gbit/s), that maximum is re-tuned (``rrdtool tune``) before the next update, otherwise
every rate above the old speed would be stored as unknown.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import uuid
from collections import defaultdict
from pathlib import Path

import rrdtool

STEP = 60  # seconds; polls every 60 s, or 300 s for MRTG-classic devices (heartbeat covers both)
# Updates further apart than this leave the interval unknown. Ten steps: a collector restart or a few lost
# polls are bridged (the rate over the gap is the average), a longer outage shows as a gap in the graphs.
HEARTBEAT_STEPS = 10
HEARTBEAT = HEARTBEAT_STEPS * STEP
DATA_SOURCES = ("in_octets", "out_octets", "in_errors", "out_errors", "in_discards", "out_discards", "status")
# RRD data source names are at most 19 characters of [a-zA-Z0-9_].
DS_NAMES = ("in", "out", "inerr", "outerr", "indisc", "outdisc", "status")
# (steps per row, rows): 1-minute for a day (for fresh graphs), then MRTG's 5 min / 2 days, 30 min / 2 weeks,
# 2 h / 2 months, 1 day / 2 years, each as AVERAGE and MAX.
ARCHIVES = ((1, 1440), (5, 576), (30, 672), (120, 744), (1440, 732))
# Billing: the 95th percentile of a month needs every 5-minute sample of it, so a 5-minute AVERAGE archive
# of 35 days (the longest month, and the days the month-end report may run late) beside the graph archives.
BILLING_ARCHIVE = (5, 35 * 288)


def interface_file_name(name: str) -> str:
    """A file name for an interface name (``Gi1/0/1`` -> ``Gi1_0_1.rrd``), stable and filesystem-safe."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "interface"
    return f"{safe}.rrd"


def rrd_path(rrd_dir: Path | str, device_id: int, interface_name: str) -> Path:
    """Where the RRD of ``interface_name`` on device ``device_id`` lives (the portal reads the same path)."""
    return Path(rrd_dir) / f"device-{int(device_id)}" / interface_file_name(interface_name)


def octets_maximum(speed_mbps: int | float | None) -> int | None:
    """The octet data sources' maximum (bytes per second) for an interface speed; None = unbounded."""
    return int(speed_mbps * 1_000_000 / 8) if speed_mbps else None


def file_state(path: Path) -> tuple[int | None, int]:
    """The octet maximum (None when unbounded) and the last update time of an existing RRD."""
    info = rrdtool.info(str(path))
    value = info.get("ds[in].max")
    maximum = None if value is None or value != value else int(value)  # NaN (unknown) is unbounded
    return maximum, int(info.get("last_update") or 0)


def tune_octets_maximum(path: Path, *, speed_mbps: int | float | None) -> None:
    """Set the ``in`` and ``out`` maxima of ``path`` to ``speed_mbps`` (``rrdtool tune``, on the file itself)."""
    limit = octets_maximum(speed_mbps)
    text = "U" if limit is None else str(limit)
    rrdtool.tune(str(path), "--maximum", f"in:{text}", "--maximum", f"out:{text}")


def create_arguments(*, speed_mbps: int | None, start: int | None = None, step: int = STEP) -> list[str]:
    """The ``rrdtool create`` arguments (after the file name); ``step`` other than 60 s is for tests."""
    maximum = octets_maximum(speed_mbps)
    limit = "U" if maximum is None else str(maximum)
    heartbeat = HEARTBEAT_STEPS * step
    args = ["--step", str(step)]
    if start is not None:
        args += ["--start", str(start)]
    for ds in DS_NAMES:
        if ds == "status":
            args.append(f"DS:{ds}:GAUGE:{heartbeat}:0:7")
        elif ds in ("in", "out"):
            args.append(f"DS:{ds}:DERIVE:{heartbeat}:0:{limit}")
        else:
            args.append(f"DS:{ds}:DERIVE:{heartbeat}:0:U")
    for cf in ("AVERAGE", "MAX"):
        for steps, rows in ARCHIVES:
            args.append(f"RRA:{cf}:0.5:{steps}:{rows}")
    steps, rows = BILLING_ARCHIVE
    args.append(f"RRA:AVERAGE:0.5:{max(steps * STEP // step, 1)}:{rows}")
    return args


def ensure_rrd(path: Path, *, speed_mbps: int | None, start: int | None = None, step: int = STEP) -> bool:
    """Create the RRD at ``path`` unless it exists; True when this call created it.

    Safe with several collectors at once: the file is built under a unique temporary name in the same
    directory and linked into place with ``os.link``, which fails if another process won the race, so a
    reader never sees a half-written file and nobody overwrites anyone.
    """
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        rrdtool.create(str(temporary), *create_arguments(speed_mbps=speed_mbps, start=start, step=step))
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def update_values(values: dict[str, int | None]) -> str:
    """``v1:v2:...`` in DS order, ``U`` for missing values."""
    return ":".join("U" if values.get(name) is None else str(int(values[name])) for name in DATA_SOURCES)


class RrdcachedClient:
    """The rrdcached text protocol over a UNIX or TCP socket; updates go in one BATCH per flush."""

    def __init__(self, address: str, *, timeout: float = 10.0):
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        address = self.address
        if address.startswith("unix:"):
            address = address[5:]
        if address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(address)
            return sock
        host, _, port = address.rpartition(":")
        sock = socket.create_connection((host or "127.0.0.1", int(port or 42217)), timeout=self.timeout)
        return sock

    @staticmethod
    def _read_line(stream) -> str:
        return stream.readline().decode("utf-8", errors="replace").rstrip("\n")

    def batch(self, updates: list[tuple[str, list[str]]]) -> list[str]:
        """Send every ``(path, [ts:values, ...])`` in one BATCH; return the daemon's per-line errors."""
        if not updates:
            return []
        with self._connect() as sock, sock.makefile("rwb") as stream:
            stream.write(b"BATCH\n")
            stream.flush()
            self._read_line(stream)  # "0 Go ahead.  End with dot '.' on its own line."
            for path, entries in updates:
                stream.write(f"UPDATE {path} {' '.join(entries)}\n".encode())
            stream.write(b".\n")
            stream.flush()
            status = self._read_line(stream)
            count = int(status.split(" ", 1)[0]) if status else 0
            return [self._read_line(stream) for _ in range(max(count, 0))]

    def flush(self, path: str) -> None:
        """Ask the daemon to write ``path``'s pending updates to disk (before reading it)."""
        with self._connect() as sock, sock.makefile("rwb") as stream:
            stream.write(f"FLUSH {path}\n".encode())
            stream.flush()
            self._read_line(stream)


class RrdWriter:
    """Collects updates during a cycle and writes them in one go: per file directly, or one rrdcached BATCH.

    It remembers each file's octet maximum; a sample with another (known) speed queues a re-tune, applied at
    the next flush before that flush's updates (after rrdcached has written what it holds for the file).
    """

    def __init__(self, rrd_dir: Path | str, *, rrdcached_address: str = "", step: int = STEP):
        self.rrd_dir = Path(rrd_dir)
        self.step = step
        self.cached = RrdcachedClient(rrdcached_address) if rrdcached_address else None
        self.pending: dict[Path, list[str]] = defaultdict(list)
        self.retune: dict[Path, int | float] = {}
        self._maximum: dict[Path, int | None] = {}
        self._last: dict[Path, int] = {}  # the latest update time written or queued, per file
        self.errors: list[str] = []
        self.create_failed: set[Path] = set()  # files that could not be created (reported once each)
        self.notices: list[tuple[int, str]] = []  # (logging level, message) for the collector's log
        self.tuned = 0
        self.skipped = 0
        # One Path per interface for the writer's life: building it (a regex, a parse) and hashing a new one on
        # every poll cost more CPU than the counter arithmetic; a kept Path hashes from its cached string.
        self._paths: dict[tuple[int, str], Path] = {}
        self._resolved: dict[Path, str] = {}  # absolute names for rrdcached (resolve() is a syscall per part)

    def path_for(self, device_id: int, interface_name: str) -> Path:
        """The RRD path of an interface (``rrd_path``), made once."""
        key = (device_id, interface_name)
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = rrd_path(self.rrd_dir, device_id, interface_name)
        return path

    def add(self, *, device_id: int, interface_name: str, timestamp: int, values: dict, speed_mbps=None) -> Path:
        """Queue one sample (raw counters and status) for an interface; creates its RRD on first sight."""
        path = self.path_for(device_id, interface_name)
        if path not in self._maximum:
            try:
                created = ensure_rrd(path, speed_mbps=speed_mbps, start=timestamp - self.step, step=self.step)
            except (rrdtool.OperationalError, OSError) as error:
                # A full disk, a read-only directory: the sample is dropped (the rates and events still go to
                # the portal); said once per file, and tried again at the next poll.
                if path not in self.create_failed:
                    self.create_failed.add(path)
                    try:  # rrdcached's answer to a full disk is an empty "RRD Error:": say how much space is left
                        free = f"{shutil.disk_usage(self.rrd_dir).free:,} bytes free"
                    except OSError:
                        free = "free space unknown"
                    message = f"RRD file {path} not created ({free} in {self.rrd_dir}), samples dropped: {error}"
                    self.notices.append((logging.ERROR, message))
                self.skipped += 1
                return path
            if path in self.create_failed:
                self.create_failed.discard(path)
                self.notices.append((logging.WARNING, f"RRD file created after all, its samples are stored: {path}"))
            if created:
                self._maximum[path] = octets_maximum(speed_mbps)
                self._last[path] = timestamp - self.step
            else:  # made earlier (by this collector before a restart, or another): read what it carries
                try:
                    self._maximum[path], self._last[path] = file_state(path)
                except rrdtool.OperationalError as error:
                    self.errors.append(f"{path}: {error}")
                    self._maximum[path] = octets_maximum(speed_mbps)
        if speed_mbps and self._maximum[path] != octets_maximum(speed_mbps):
            # An unknown speed (None, 0) says nothing: the file keeps the maximum it has.
            self.retune[path] = speed_mbps
            self._maximum[path] = octets_maximum(speed_mbps)
        entries = self.pending[path]
        # rrdtool refuses an update that is not later than the file's last one: two polls within the same
        # second (a late poll, then one on time), a restart within the second, a clock stepped back.
        # A same-second sample still queued is replaced by the later one; otherwise the sample is skipped.
        if entries and entries[-1].split(":", 1)[0] == str(timestamp):
            entries.pop()
        elif timestamp <= self._last.get(path, 0):
            self.skipped += 1
            return path
        entries.append(f"{timestamp}:{update_values(values)}")
        self._last[path] = timestamp
        return path

    def _absolute(self, path: Path) -> str:
        name = self._resolved.get(path)
        if name is None:
            name = self._resolved[path] = str(path.resolve())
        return name

    def _apply_retunes(self) -> None:
        retune, self.retune = self.retune, {}
        for path, speed_mbps in retune.items():
            try:
                if self.cached is not None:
                    self.cached.flush(str(path.resolve()))  # updates at the old speed go in at the old maximum
                tune_octets_maximum(path, speed_mbps=speed_mbps)
                self.tuned += 1
            except (rrdtool.OperationalError, OSError) as error:
                self.errors.append(f"{path}: re-tune to {speed_mbps} Mbit/s failed: {error}")

    def flush(self) -> int:
        """Apply queued re-tunes, then write every queued update; returns the number of files written."""
        if self.retune:
            self._apply_retunes()
        # A sample skipped as not newer than the file's last one leaves an empty list behind: nothing to write.
        pending = {path: entries for path, entries in self.pending.items() if entries}
        self.pending = defaultdict(list)
        if not pending:
            return 0
        if self.cached is not None:
            self.errors += self.cached.batch([(self._absolute(path), entries) for path, entries in pending.items()])
            return len(pending)
        for path, entries in pending.items():
            try:
                rrdtool.update(str(path), *entries)
            except rrdtool.OperationalError as error:
                # e.g. an update older than the file's last one after a clock step: keep the rest going.
                self.errors.append(f"{path}: {error}")
        return len(pending)


# Service checks -------------------------------------------------------------------------------------
# One RRD per check: the response time in milliseconds (unknown when the check failed) and whether it
# succeeded (1/0), each as AVERAGE and MAX in the same archives as the interfaces.
CHECK_DS = ("rtt", "ok")


def check_rrd_path(rrd_dir: Path | str, check_id: int) -> Path:
    """Where the RRD of check ``check_id`` lives (the portal reads the same path)."""
    return Path(rrd_dir) / "checks" / f"check-{int(check_id)}.rrd"


def check_create_arguments(*, interval: int, start: int | None = None) -> list[str]:
    """``rrdtool create`` arguments of a check's file: one row per interval (at least 10 s)."""
    step = max(10, int(interval))
    args = ["--step", str(step)]
    if start is not None:
        args += ["--start", str(start)]
    heartbeat = HEARTBEAT_STEPS * step
    args += [f"DS:rtt:GAUGE:{heartbeat}:0:U", f"DS:ok:GAUGE:{heartbeat}:0:1"]
    rows_per_day = max(1, 86400 // step)
    for cf in ("AVERAGE", "MAX"):
        args.append(f"RRA:{cf}:0.5:1:{rows_per_day}")
        for seconds, rows in ((300, 2016), (3600, 1488), (86400, 732)):
            steps = max(1, seconds // step)
            args.append(f"RRA:{cf}:0.5:{steps}:{rows}")
    return args


class CheckRrdWriter:
    """Queues check results and writes them per file (or in one rrdcached BATCH) on ``flush``."""

    def __init__(self, rrd_dir: Path | str, *, rrdcached_address: str = ""):
        self.rrd_dir = Path(rrd_dir)
        self.cached = RrdcachedClient(rrdcached_address) if rrdcached_address else None
        self.pending: dict[Path, list[str]] = defaultdict(list)
        self._last: dict[Path, int] = {}
        self.errors: list[str] = []

    def add(self, *, check_id: int, timestamp: int, response_ms: float | None, ok: bool, interval: int = 60) -> Path:
        path = check_rrd_path(self.rrd_dir, check_id)
        if path not in self._last:
            if path.exists():
                try:
                    self._last[path] = int(rrdtool.info(str(path)).get("last_update") or 0)
                except rrdtool.OperationalError as error:
                    self.errors.append(f"{path}: {error}")
                    self._last[path] = 0
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
                try:
                    rrdtool.create(str(temporary), *check_create_arguments(interval=interval, start=timestamp - 1))
                    try:
                        os.link(temporary, path)
                    except FileExistsError:
                        pass
                finally:
                    temporary.unlink(missing_ok=True)
                self._last[path] = timestamp - 1
        if timestamp <= self._last[path]:
            return path  # two results within one second: rrdtool keeps only the first
        rtt = "U" if response_ms is None or not ok else f"{response_ms:.3f}"
        self.pending[path].append(f"{timestamp}:{rtt}:{1 if ok else 0}")
        self._last[path] = timestamp
        return path

    def flush(self) -> int:
        pending, self.pending = self.pending, defaultdict(list)
        if not pending:
            return 0
        if self.cached is not None:
            self.errors += self.cached.batch([(str(path.resolve()), entries) for path, entries in pending.items()])
            return len(pending)
        for path, entries in pending.items():
            try:
                rrdtool.update(str(path), *entries)
            except rrdtool.OperationalError as error:
                self.errors.append(f"{path}: {error}")
        return len(pending)
