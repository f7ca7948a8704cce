"""Service checks in the collector: each check of the shard on its own cadence, results to the portal.

The portal says what to check (``GET /api/monitoring/collector/checks/?shard=I/N``); :class:`CheckRunner`
keeps a heap of due times and starts each probe when it is due (at most ``concurrency`` at once), so one
event loop runs thousands of checks without a task per check sleeping in between. Each probe is tried
``1 + retries`` times within its result. Results are queued, written into one RRD per check (response
time and success) and posted in batches (``POST .../check-results/``) every few seconds; the portal decides
up/down, incidents and alerts. ``loop_lag`` measures how late the loop wakes up: it must stay near zero.

No Django here (tests/collector/test_layout.py).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from collector.portal import PortalClient, PortalError
from collector.probes import IcmpPinger, ProbeError, dns_resolve, http_get, tcp_connect
from collector.rrd import CheckRrdWriter
from collector.shard import Shard

log = logging.getLogger("collector.checks")
CHECK_RESULTS_PATH = "/api/monitoring/collector/check-results/"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
DAY = 86400


def iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, tz=UTC).isoformat()


@dataclass
class CheckTarget:
    """One check as the portal hands it out."""

    id: int
    kind: str
    address: str
    port: int | None = None
    interval: float = 60.0
    timeout: float = 5.0
    retries: int = 1
    path: str = "/"
    expected_status: int | None = None
    keyword: str = ""
    verify_tls: bool = True
    cert_warning_days: int = 14
    host_header: str = ""
    query: str = ""
    record_type: str = "A"
    expected: str = ""
    community: str = "public"
    version: str = "v2c"

    @classmethod
    def from_payload(cls, item: dict) -> CheckTarget:
        known = {name for name in cls.__dataclass_fields__}
        values = {name: value for name, value in item.items() if name in known and value is not None}
        values["id"] = int(item["id"])
        values["interval"] = max(1.0, float(item.get("interval") or 60))
        values["timeout"] = max(0.05, float(item.get("timeout") or 5))
        values["retries"] = max(0, int(item.get("retries") or 0))
        return cls(**values)


@dataclass
class CheckResult:
    """What one run of a check found."""

    check: int
    ok: bool
    at: float
    response_ms: float | None = None
    message: str = ""
    cert_expires_at: float | None = None

    def as_dict(self) -> dict:
        item = {"check": self.check, "ok": self.ok, "at": iso(self.at), "message": self.message}
        if self.response_ms is not None:
            item["response_ms"] = round(self.response_ms, 3)
        if self.cert_expires_at is not None:
            item["cert_expires_at"] = iso(self.cert_expires_at)
        return item


class Prober:
    """Runs one check once: the probe of its kind, with its retries; never raises."""

    def __init__(self, *, pinger: IcmpPinger | None = None, snmp_client=None):
        self.pinger = pinger or IcmpPinger()
        self.snmp_client = snmp_client

    async def _attempt(self, target: CheckTarget) -> tuple[float, str, float | None]:
        kind = target.kind
        if kind == "icmp":
            return await self.pinger.ping(target.address, timeout=target.timeout), "echo reply", None
        if kind == "tcp":
            return await tcp_connect(target.address, int(target.port or 0), timeout=target.timeout), "connected", None
        if kind in ("http", "https"):
            return await self._http(target)
        if kind == "dns":
            elapsed, answers = await dns_resolve(
                target.address, int(target.port or 53), target.query, target.record_type, timeout=target.timeout
            )
            if not answers:
                raise ProbeError(f"no {target.record_type} record for {target.query}")
            if target.expected and target.expected.lower().rstrip(".") not in {a.lower().rstrip(".") for a in answers}:
                raise ProbeError(f"{target.query} answers {', '.join(answers[:3])}, not {target.expected}")
            return elapsed, ", ".join(answers[:3]), None
        if kind == "snmp":
            return await self._snmp(target)
        raise ProbeError(f"unknown check kind {kind!r}")

    async def _http(self, target: CheckTarget) -> tuple[float, str, float | None]:
        tls = target.kind == "https"
        outcome = await http_get(
            target.address,
            int(target.port or (443 if tls else 80)),
            path=target.path or "/",
            tls=tls,
            verify=target.verify_tls,
            host_header=target.host_header,
            timeout=target.timeout,
            read_body=bool(target.keyword),
        )
        expected = target.expected_status
        if (expected and outcome.status != expected) or (not expected and not 200 <= outcome.status < 400):
            raise ProbeError(f"HTTP {outcome.status}" + (f", expected {expected}" if expected else ""))
        if target.keyword and target.keyword.encode() not in outcome.body:
            raise ProbeError(f"HTTP {outcome.status} without {target.keyword!r}")
        message = f"HTTP {outcome.status}"
        if outcome.cert_expires_at is not None:
            days = (outcome.cert_expires_at - time.time()) / DAY
            if days < 0:
                raise ProbeError(f"certificate expired {-days:.0f} days ago")
            if days < target.cert_warning_days:
                message += f"; certificate expires in {days:.0f} days"
        return outcome.response_ms, message, outcome.cert_expires_at

    async def _snmp(self, target: CheckTarget) -> tuple[float, str, float | None]:
        from collector.snmp import SnmpClient, SnmpError, Target

        if self.snmp_client is None:
            self.snmp_client = SnmpClient(concurrency=50)
        snmp_target = Target(
            device_id=target.id,
            host=target.address,
            port=int(target.port or 161),
            community=target.community,
            timeout=target.timeout,
            retries=0,
        )
        started = time.perf_counter()
        try:
            await self.snmp_client.get_scalar(snmp_target, SYS_UPTIME)
        except (SnmpError, OSError) as error:
            raise ProbeError(f"SNMP: {error}") from error
        return (time.perf_counter() - started) * 1000, "SNMP answers", None

    async def run(self, target: CheckTarget) -> CheckResult:
        message = ""
        for _attempt in range(1 + target.retries):
            wall = time.time()
            try:
                elapsed, message, expires = await self._attempt(target)
            except ProbeError as error:
                message = str(error)
                continue
            except Exception as error:  # noqa: BLE001 - a bug in one probe must not stop the others
                log.exception("check %s failed unexpectedly", target.id)
                message = f"probe error: {type(error).__name__}"
                continue
            return CheckResult(target.id, True, wall, elapsed, message, expires)
        return CheckResult(target.id, False, time.time(), None, message[:255])

    def close(self) -> None:
        self.pinger.close()
        if self.snmp_client is not None:
            self.snmp_client.close()


@dataclass
class LagMeter:
    """How late the event loop wakes up for a timer (the worst and the mean, in ms)."""

    samples: int = 0
    total_ms: float = 0.0
    worst_ms: float = 0.0

    def add(self, lag_ms: float) -> None:
        self.samples += 1
        self.total_ms += lag_ms
        self.worst_ms = max(self.worst_ms, lag_ms)

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self.samples if self.samples else 0.0


async def measure_loop_lag(meter: LagMeter, stop: asyncio.Event, *, every: float = 0.05) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        due = loop.time() + every
        await asyncio.sleep(every)
        meter.add(max(0.0, (loop.time() - due) * 1000))


@dataclass
class CheckRunner:
    """Schedules the shard's checks and reports their results; see the module docstring."""

    portal: PortalClient | None = None
    shard: Shard = field(default_factory=Shard)
    rrd: CheckRrdWriter | None = None
    prober: Prober = field(default_factory=Prober)
    concurrency: int = 1000
    flush_every: float = 5.0
    targets_every: float = 300.0

    def __post_init__(self):
        self.targets: dict[int, CheckTarget] = {}
        self.results: list[CheckResult] = []
        self.stats = {"checks_run": 0, "checks_failed": 0, "results_posted": 0}
        self.lag = LagMeter()
        self._heap: list[tuple[float, int]] = []
        self._due: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(self.concurrency)

    # Targets -----------------------------------------------------------------------------------------

    def apply_targets(self, payload: dict) -> None:
        """Adopt the portal's checks: new ones are due soon (spread over their interval), removed ones stop."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        seen = set()
        for item in payload.get("checks", []):
            target = CheckTarget.from_payload(item)
            if not self.shard.owns(target.id):
                continue
            seen.add(target.id)
            old = self.targets.get(target.id)
            self.targets[target.id] = target
            if old is None or old.interval != target.interval:
                # Spread first runs over up to 5 s so that a shard's checks do not all fire at once.
                self._schedule(target.id, now + (target.id * 0.6180339887) % 1 * min(target.interval, 5.0))
        for check_id in set(self.targets) - seen:
            del self.targets[check_id]
            self._due.pop(check_id, None)
        self._wake.set()

    def _schedule(self, check_id: int, due: float) -> None:
        self._due[check_id] = due
        heapq.heappush(self._heap, (due, check_id))

    async def load_targets(self) -> bool:
        if self.portal is None:
            return False
        try:
            self.apply_targets(await self.portal.check_targets(str(self.shard)))
        except PortalError as error:
            log.warning("could not fetch checks: %s", error)
            return False
        return True

    # Running -----------------------------------------------------------------------------------------

    async def _run_one(self, target: CheckTarget) -> None:
        try:
            result = await self.prober.run(target)
        finally:
            self._slots.release()
        self.stats["checks_run"] += 1
        if not result.ok:
            self.stats["checks_failed"] += 1
        self.results.append(result)
        if self.rrd is not None:
            self.rrd.add(
                check_id=target.id,
                timestamp=int(result.at),
                response_ms=result.response_ms,
                ok=result.ok,
                interval=int(target.interval),
            )

    async def scheduler(self, stop: asyncio.Event) -> None:
        """Start every check when it is due, then plan its next run one interval later (never back to back)."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            now = loop.time()
            while self._heap and self._heap[0][0] <= now:
                due, check_id = heapq.heappop(self._heap)
                if self._due.get(check_id) != due or check_id not in self.targets:
                    continue  # rescheduled or removed since
                target = self.targets[check_id]
                await self._slots.acquire()
                task = asyncio.create_task(self._run_one(target))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
                next_due = due + target.interval
                now = loop.time()
                self._schedule(check_id, next_due if next_due > now else now + target.interval)
            self._wake.clear()
            delay = (self._heap[0][0] - loop.time()) if self._heap else 1.0
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, min(delay, 1.0)))
            except TimeoutError:
                pass

    async def run_all_once(self) -> list[CheckResult]:
        """Run every check once, concurrently (``--once`` and tests)."""
        before = len(self.results)

        async def one(target):
            await self._slots.acquire()
            await self._run_one(target)

        await asyncio.gather(*(one(target) for target in list(self.targets.values())))
        return self.results[before:]

    # Output ------------------------------------------------------------------------------------------

    def drain(self) -> dict | None:
        if not self.results:
            return None
        batch = {
            "shard": str(self.shard),
            "sent_at": iso(time.time()),
            "results": [result.as_dict() for result in self.results],
            "stats": {**self.stats, "loop_lag_worst_ms": round(self.lag.worst_ms, 1)},
        }
        self.stats["results_posted"] += len(self.results)
        self.results = []
        return batch

    async def flush(self) -> bool:
        if self.rrd is not None:
            try:
                await asyncio.to_thread(self.rrd.flush)
            except OSError as error:
                log.error("check RRD flush failed: %s", error)
            del self.rrd.errors[: max(0, len(self.rrd.errors) - 100)]
        if self.portal is None:
            return True
        return await self.portal.send(self.drain())

    async def run_once(self) -> dict:
        if not await self.load_targets() and not self.targets:
            raise PortalError("no checks: the portal did not answer")
        await self.run_all_once()
        await self.flush()
        return dict(self.stats)

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set: targets, the scheduler, the flusher and the lag meter."""
        while not await self.load_targets():
            try:
                await asyncio.wait_for(stop.wait(), timeout=5)
                return
            except TimeoutError:
                continue
        loop = asyncio.get_running_loop()
        background = [
            asyncio.create_task(self.scheduler(stop)),
            asyncio.create_task(measure_loop_lag(self.lag, stop)),
        ]
        next_targets = loop.time() + self.targets_every
        try:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.flush_every)
                except TimeoutError:
                    pass
                await self.flush()
                if loop.time() >= next_targets:
                    await self.load_targets()
                    next_targets = loop.time() + self.targets_every
        finally:
            self._wake.set()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            if self._running:
                await asyncio.wait(list(self._running), timeout=10)
            await self.flush()
            self.prober.close()


def check_portal(base_url: str, token: str, *, backlog_limit: int = 1000) -> PortalClient:
    """The portal client of the check results (its own backlog beside the SNMP ingest's)."""
    return PortalClient(base_url, token, backlog_limit=backlog_limit, ingest_path=CHECK_RESULTS_PATH)
