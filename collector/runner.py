"""The polling loop: every device of the shard on its own interval, state changes and rates to the portal.

One :class:`Collector` per process. Each device has a task that polls it on a fixed cadence (60 s by
default, per device configurable); a flusher writes the queued RRD updates and posts the ingest batch every
few seconds; the targets are refreshed from the portal every few minutes. A device that misses
``down_after`` polls in a row is reported unreachable (once) and recovered (once) when it answers again.
An unreachable agent only occupies its own task, so it never stalls the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from collector import counters
from collector.config import Config
from collector.portal import PortalClient, PortalError
from collector.rrd import RrdWriter
from collector.snmp import OPER_STATUS, POLL_COLUMNS, DeviceSample, SnmpClient, SnmpError, Target

log = logging.getLogger("collector.runner")
REDISCOVER_EVERY = 3600.0
# Rates per ingest post at most: the portal's cost per post stays bounded (a bigger drain is split).
MAX_BATCH_RATES = 10_000


def split_batch(batch: dict | None, *, max_rates: int = MAX_BATCH_RATES) -> list[dict]:
    """``batch`` as posts of at most ``max_rates`` rates each (events, discovery and stats go with the first)."""
    if batch is None:
        return []
    rates = batch["rates"]
    if len(rates) <= max_rates:
        return [batch]
    first = {**batch, "rates": rates[:max_rates]}
    rest = [
        {**batch, "events": [], "discovered": [], "stats": {}, "rates": rates[start : start + max_rates]}
        for start in range(max_rates, len(rates), max_rates)
    ]
    return [first, *rest]


# The rates posted per interface: (counter, rate key, factor, counter bits, bounded by the link speed).
RATE_COLUMNS = tuple(
    (key, out_key, factor, POLL_COLUMNS[key][1], factor == 8)
    for key, out_key, factor in (
        ("in_octets", "in_bps", 8),
        ("out_octets", "out_bps", 8),
        ("in_errors", "in_errors_ps", 1),
        ("out_errors", "out_errors_ps", 1),
        ("in_discards", "in_discards_ps", 1),
        ("out_discards", "out_discards_ps", 1),
    )
)


def iso(wall: float) -> str:
    """A wall-clock timestamp as ISO 8601 in UTC."""
    return datetime.fromtimestamp(wall, tz=UTC).isoformat()


@dataclass
class DeviceState:
    """What the collector remembers about one device between polls."""

    target: Target
    name: str = ""
    interval: float = 60.0
    # Interface name -> what the portal knows (id, speed_mbps, oper_status).
    known: dict[str, dict] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    speeds: dict[int, int | None] = field(default_factory=dict)
    oper: dict[int, str] = field(default_factory=dict)
    last_sample: DeviceSample | None = None
    reachable: bool | None = None
    missed: int = 0
    discovered_at: float | None = None


def target_from_payload(device: dict) -> Target:
    """A :class:`Target` from one device of the portal's targets payload."""
    snmp = device.get("snmp", {})
    return Target(
        device_id=int(device["id"]),
        host=device["address"],
        port=int(device.get("port", 161)),
        version=snmp.get("version", "v2c"),
        community=snmp.get("community", "public"),
        user=snmp.get("user", ""),
        auth_protocol=snmp.get("auth_protocol", ""),
        auth_key=snmp.get("auth_key", ""),
        priv_protocol=snmp.get("priv_protocol", ""),
        priv_key=snmp.get("priv_key", ""),
        timeout=float(device.get("timeout", 2.0)),
        retries=int(device.get("retries", 1)),
    )


class Collector:
    """Polls the devices of one shard; see the module docstring."""

    def __init__(
        self,
        config: Config,
        *,
        client: SnmpClient | None = None,
        writer: RrdWriter | None = None,
        portal: PortalClient | None = None,
    ):
        self.config = config
        self.client = client or SnmpClient(
            concurrency=config.concurrency, max_repetitions=config.max_repetitions, lean_decode=config.lean_decode
        )
        self.writer = writer or RrdWriter(
            config.rrd_dir, rrdcached_address=config.rrdcached_address, step=config.rrd_step
        )
        self.portal = portal or PortalClient(config.portal_url, config.token, backlog_limit=config.backlog_limit)
        self.devices: dict[int, DeviceState] = {}
        self.events: list[dict] = []
        self.rates: dict[tuple[int, str], dict] = {}
        self.discovered: dict[int, list[dict]] = {}
        self.stats = {"polls": 0, "failures": 0, "varbinds": 0, "dropped_samples": 0, "restarts": 0}
        self._tasks: dict[int, asyncio.Task] = {}

    # Targets -----------------------------------------------------------------------------------------

    def apply_targets(self, payload: dict) -> None:
        """Adopt the portal's device list, keeping the state of devices already known."""
        seen = set()
        for device in payload.get("devices", []):
            device_id = int(device["id"])
            if not self.config.shard.owns(device_id):
                continue
            seen.add(device_id)
            state = self.devices.get(device_id)
            target = target_from_payload(device)
            if state is None:
                state = DeviceState(target=target)
                reachable = device.get("reachable")
                state.reachable = reachable if isinstance(reachable, bool) else None
                self.devices[device_id] = state
            state.target = target
            state.name = device.get("name", "")
            state.interval = float(device.get("interval", 60))
            state.known = {item["name"]: item for item in device.get("interfaces", [])}
        for device_id in set(self.devices) - seen:
            del self.devices[device_id]

    async def load_targets(self) -> bool:
        """Fetch the shard's targets; False (keeping the old ones) when the portal is unreachable."""
        try:
            self.apply_targets(await self.portal.targets(str(self.config.shard)))
        except PortalError as error:
            log.warning("could not fetch targets: %s", error)
            return False
        return True

    # Polling -----------------------------------------------------------------------------------------

    async def poll_device(self, state: DeviceState) -> None:
        """Poll one device once: discovery when due, the counters, then events, rates and RRD updates."""
        target = state.target
        try:
            now = time.monotonic()
            if state.discovered_at is None or now - state.discovered_at > REDISCOVER_EVERY:
                interfaces = await self.client.discover(target)
                state.names = {item.if_index: item.name for item in interfaces}
                state.speeds = {item.if_index: item.speed_mbps for item in interfaces}
                state.discovered_at = now
                self.discovered[target.device_id] = [item.as_dict() for item in interfaces]
            sample = await self.client.poll_interfaces(target)
        except (SnmpError, OSError) as error:
            self.stats["failures"] += 1
            state.missed += 1
            log.info("device %s missed a poll (%d in a row): %s", target.device_id, state.missed, error)
            if state.missed >= self.config.down_after and state.reachable is not False:
                state.reachable = False
                self.events.append(
                    {"type": "device", "device": target.device_id, "status": "unreachable", "at": iso(time.time())}
                )
            return
        self.stats["polls"] += 1
        self.stats["varbinds"] += sample.varbinds
        state.missed = 0
        if state.reachable is False:
            self.events.append(
                {"type": "device", "device": target.device_id, "status": "reachable", "at": iso(sample.wall)}
            )
        state.reachable = True
        if any(if_index not in state.names for if_index in sample.interfaces):
            state.discovered_at = None  # a new ifIndex: rediscover on the next poll
        self.process_sample(state, sample)

    def process_sample(self, state: DeviceState, sample: DeviceSample) -> None:
        """Turn a sample into link events, latest rates and RRD updates (no I/O besides the RRD queue)."""
        previous = state.last_sample
        device_id = state.target.device_id
        restarted = False
        elapsed = 0.0
        if previous is not None:
            elapsed = counters.elapsed_seconds(previous.monotonic, sample.monotonic, previous.uptime, sample.uptime)
            if previous.uptime is not None and sample.uptime is not None:
                restarted = counters.agent_restarted(previous.uptime, sample.uptime, elapsed=elapsed)
            if restarted:
                self.stats["restarts"] += 1
        timestamp = int(sample.wall)
        at = iso(sample.wall)
        for if_index, interface in sample.interfaces.items():
            name = state.names.get(if_index)
            if name is None:
                continue
            values = interface.values
            status = OPER_STATUS.get(values.get("oper_status", 4), "unknown")
            before = state.oper.get(if_index) or state.known.get(name, {}).get("oper_status") or None
            if before is not None and before != status:
                self.events.append(
                    {
                        "type": "link",
                        "device": device_id,
                        "interface": name,
                        "if_index": if_index,
                        "status": status,
                        "previous": before,
                        "at": at,
                    }
                )
            state.oper[if_index] = status
            speed = values.get("high_speed") or state.speeds.get(if_index) or state.known.get(name, {}).get("speed")
            rate = {"device": device_id, "interface": name, "if_index": if_index, "oper_status": status}
            rate["speed_mbps"] = speed or None
            rate["at"] = at
            old = previous.interfaces.get(if_index) if previous is not None else None
            old_values = old.values if old is not None else {}
            octets_limit = counters.octets_limit(speed)
            for key, out_key, factor, bits, is_octets in RATE_COLUMNS:
                result = counters.counter_rate(
                    old_values.get(key),
                    values.get(key),
                    elapsed=elapsed,
                    bits=bits,
                    restarted=restarted,
                    max_per_second=octets_limit if is_octets else None,
                )
                if result.dropped:
                    self.stats["dropped_samples"] += 1
                rate[out_key] = None if result.value is None else result.value * factor
            if old is not None:
                self.rates[(device_id, name)] = rate
            self.writer.add(
                device_id=device_id,
                interface_name=name,
                timestamp=timestamp,
                values={**values, "status": values.get("oper_status")},
                speed_mbps=speed,
            )
        state.last_sample = sample

    # Output ------------------------------------------------------------------------------------------

    def drain(self) -> dict | None:
        """The ingest batch of everything gathered since the last call (None when there is nothing)."""
        if not (self.events or self.rates or self.discovered):
            return None
        batch = {
            "shard": str(self.config.shard),
            "sent_at": iso(time.time()),
            "events": self.events,
            "rates": list(self.rates.values()),
            "discovered": [{"device": device, "interfaces": items} for device, items in self.discovered.items()],
            "stats": dict(self.stats),
        }
        self.events, self.rates, self.discovered = [], {}, {}
        return batch

    async def flush(self) -> bool:
        """Write queued RRD updates, then post the ingest batch (kept in the backlog if the portal is down)."""
        errors = len(self.writer.errors)
        try:
            await asyncio.to_thread(self.writer.flush)
        except OSError as error:  # rrdcached away: the updates are lost, polling goes on
            log.error("RRD flush failed: %s", error)
        for error in self.writer.errors[errors:]:
            log.warning("RRD update refused: %s", error)
        notices, self.writer.notices = self.writer.notices, []
        for level, message in notices:
            log.log(level, "%s", message)
        del self.writer.errors[: max(0, len(self.writer.errors) - 100)]  # keep the latest few for inspection
        *earlier, last = split_batch(self.drain()) or [None]
        for part in earlier:
            self.portal.queue(part)
        return await self.portal.send(last)

    # Loops -------------------------------------------------------------------------------------------

    async def run_once(self) -> dict:
        """One cycle: targets, every device polled once (concurrently), RRD written, batch posted."""
        if not await self.load_targets() and not self.devices:
            raise PortalError("no targets: the portal did not answer")
        await asyncio.gather(*(self.poll_device(state) for state in list(self.devices.values())))
        await self.flush()
        return dict(self.stats)

    async def _device_loop(self, device_id: int) -> None:
        loop = asyncio.get_running_loop()
        state = self.devices.get(device_id)
        if state is None:
            return
        # Spread the first polls over a few seconds so that a shard's devices do not all fire at once.
        await asyncio.sleep((device_id * 0.6180339887) % 1 * min(state.interval, 5.0))
        due = loop.time()
        while (state := self.devices.get(device_id)) is not None:
            try:
                await self.poll_device(state)
            except Exception:  # one device's bug must not end its polling for good
                log.exception("polling device %s failed", device_id)
            due += state.interval
            now = loop.time()
            if due < now:  # the poll overran its interval: skip ahead rather than fire back to back
                due = now
            await asyncio.sleep(due - now)

    def _sync_tasks(self) -> None:
        for device_id in list(self._tasks):
            if device_id not in self.devices:
                self._tasks.pop(device_id).cancel()
        for device_id in self.devices:
            if device_id not in self._tasks or self._tasks[device_id].done():
                self._tasks[device_id] = asyncio.create_task(self._device_loop(device_id))

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set (SIGTERM), then flush and return."""
        while not await self.load_targets():
            try:
                await asyncio.wait_for(stop.wait(), timeout=5)
                return
            except TimeoutError:
                continue
        self._sync_tasks()
        loop = asyncio.get_running_loop()
        next_targets = loop.time() + self.config.targets_every
        try:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.config.flush_every)
                except TimeoutError:
                    pass
                await self.flush()
                if loop.time() >= next_targets:
                    await self.load_targets()
                    self._sync_tasks()
                    next_targets = loop.time() + self.config.targets_every
        finally:
            for task in self._tasks.values():
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            self._tasks.clear()
            await self.flush()
