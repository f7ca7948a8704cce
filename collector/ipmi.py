"""IPMI 2.0 over LAN with pyghmi: power commands for the portal's jobs, BMC sensors polled into RRD.

Django-free. pyghmi is synchronous and runs its own I/O thread, so every call here runs in a worker thread
with a hard deadline (:func:`call_with_deadline`): a BMC that does not answer costs its caller ``timeout``
seconds, never more, and never blocks an event loop. Credentials are handed to pyghmi as bytes
(``../shared/TESTBED.md``: with str a second session to the same BMC in one process hangs).

``python -m collector ipmi [--shard I/N] [--once]`` (see ``collector/__main__.py``) runs :class:`IpmiCollector`:
targets (with credentials) come only from the portal's collector channel
(``/api/remote/collector/targets/``); power state, temperatures, fans and power draw (DCMI when the BMC has
it, else the SDR's watts sensors) go to one RRD file per sensor; a BMC that stops answering, a sensor that
leaves its normal range, and their recoveries are posted once each to ``/api/remote/collector/events/``,
from where they reach the NOC board.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("collector.ipmi")

# Chassis Control directives (IPMI 2.0 table 28-4).
CHASSIS_DIRECTIVES = {"off": 0, "on": 1, "cycle": 2, "reset": 3, "shutdown": 5}
SENSOR_KINDS = {"Temperature": "temperature", "Fan": "fan", "Power Supply": "power", "Current": "power"}
UNIT_KINDS = {"°C": "temperature", "C": "temperature", "RPM": "fan", "W": "power"}
STEP = 60
_EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=32, thread_name_prefix="ipmi")


class BmcError(Exception):
    """The BMC refused the request or the session broke."""


class BmcTimeout(BmcError):
    """The BMC did not answer within the deadline."""


@dataclass(frozen=True)
class BmcTarget:
    """Where a BMC is and how to sign in to it."""

    host: str
    username: str
    password: str
    port: int = 623
    device_id: int = 0
    name: str = ""
    interval: float = 60.0


def call_with_deadline(function, *args, timeout: float):
    """Run ``function(*args)`` in a worker thread; BmcTimeout when it has not returned after ``timeout`` s.

    The thread itself cannot be interrupted: pyghmi gives up on its own a little later (its retries end).
    """
    future = _EXECUTOR.submit(function, *args)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError as error:
        raise BmcTimeout(f"no answer within {timeout:g} s") from error


def _command(target: BmcTarget):
    from pyghmi import exceptions
    from pyghmi.ipmi import command

    try:
        # pyghmi shares one logged-in session per (host, user, password, port) in the process.
        return command.Command(
            bmc=target.host, userid=target.username.encode(), password=target.password.encode(), port=target.port
        )
    except exceptions.IpmiException as error:
        raise BmcError(str(error)) from error


def _power(target: BmcTarget, action: str) -> dict:
    from pyghmi import exceptions

    started = time.monotonic()
    ipmi = _command(target)
    try:
        before = ipmi.get_power()["powerstate"]
        answer: dict = {"before": before}
        if action != "status":
            response = ipmi.raw_command(netfn=0, command=2, data=[CHASSIS_DIRECTIVES[action]])
            if response.get("code"):
                raise BmcError(response.get("error") or f"completion code 0x{response['code']:02x}")
            answer["completion_code"] = 0
        answer["powerstate"] = ipmi.get_power()["powerstate"]
    except exceptions.IpmiException as error:
        raise BmcError(str(error)) from error
    answer["seconds"] = round(time.monotonic() - started, 3)
    return answer


def power_command(target: BmcTarget, action: str, *, timeout: float = 15.0) -> dict:
    """Ask the BMC for ``action`` (status, on, off, shutdown, reset, cycle); returns the power state read
    before and after (``{"before": "on", "powerstate": "on", "seconds": 0.03}``)."""
    if action != "status" and action not in CHASSIS_DIRECTIVES:
        raise ValueError(f"unknown power action {action!r}")
    return call_with_deadline(_power, target, action, timeout=timeout)


# Sensors ------------------------------------------------------------------------------------------------


@dataclass
class SensorSample:
    """One sensor reading: ``kind`` is temperature, fan or power; ``health`` ok, warning or critical."""

    name: str
    kind: str
    value: float | None
    unit: str
    health: str = "ok"
    states: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "value": self.value,
            "unit": self.unit,
            "health": self.health,
            "states": self.states,
        }


@dataclass
class BmcSample:
    """What one poll of a BMC found."""

    power: str
    sensors: list[SensorSample]
    watts: float | None
    wall: float


def _health(value: int) -> str:
    # pyghmi.constants.Health: ok 0, warning 1, critical 2, failed 4 (bit flags).
    if value & 0b110:
        return "critical"
    if value & 0b1:
        return "warning"
    return "ok"


def _kind(reading) -> str | None:
    return SENSOR_KINDS.get(getattr(reading, "type", ""), None) or UNIT_KINDS.get(getattr(reading, "units", ""))


def _poll(target: BmcTarget) -> BmcSample:
    from pyghmi import exceptions

    ipmi = _command(target)
    try:
        power = ipmi.get_power()["powerstate"]
        sensors = []
        for reading in ipmi.get_sensor_data():
            kind = _kind(reading)
            if kind is None or reading.value is None and not reading.unavailable:
                continue
            sensors.append(
                SensorSample(
                    name=reading.name,
                    kind=kind,
                    value=None if reading.unavailable else float(reading.value),
                    unit=reading.units or "",
                    health=_health(reading.health),
                    states=list(reading.states),
                )
            )
        try:
            watts = float(ipmi.get_system_power_watts())
        except (exceptions.IpmiException, IndexError, TypeError, NotImplementedError):
            watts = next((s.value for s in sensors if s.kind == "power" and s.value is not None), None)
    except exceptions.IpmiException as error:
        raise BmcError(str(error)) from error
    return BmcSample(power=power, sensors=sensors, watts=watts, wall=time.time())


def read_sensors(target: BmcTarget, *, timeout: float = 20.0) -> BmcSample:
    """Power state, every temperature/fan/power sensor of the SDR, and the DCMI power reading."""
    return call_with_deadline(_poll, target, timeout=timeout)


# RRD ----------------------------------------------------------------------------------------------------

SENSOR_ARCHIVES = ((1, 1440), (5, 576), (30, 672), (120, 744), (1440, 732))


def sensor_file_name(name: str) -> str:
    """``CPU1 Temp`` -> ``CPU1_Temp.rrd`` (stable, filesystem-safe)."""
    return (re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "sensor") + ".rrd"


def sensor_rrd_path(rrd_dir: Path | str, device_id: int, name: str) -> Path:
    """Where a BMC sensor's RRD lives: beside the device's interface files, under ``bmc/``."""
    return Path(rrd_dir) / f"device-{int(device_id)}" / "bmc" / sensor_file_name(name)


def write_sample(rrd_dir: Path | str, device_id: int, sample: BmcSample, *, step: int = STEP) -> int:
    """One RRD update per sensor, plus ``power_state`` (1 on, 0 off) and ``power_watts``; returns the count."""
    import rrdtool

    timestamp = int(sample.wall)
    values = {s.name: s.value for s in sample.sensors}
    values["power_state"] = 1.0 if sample.power == "on" else 0.0
    if sample.watts is not None:
        values["power_watts"] = sample.watts
    written = 0
    for name, value in values.items():
        path = sensor_rrd_path(rrd_dir, device_id, name)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            archives = [f"RRA:{cf}:0.5:{steps}:{rows}" for cf in ("AVERAGE", "MAX") for steps, rows in SENSOR_ARCHIVES]
            rrdtool.create(
                str(path),
                "--step",
                str(step),
                "--start",
                str(timestamp - step),
                f"DS:value:GAUGE:{10 * step}:U:U",
                *archives,
            )
        try:
            rrdtool.update(str(path), f"{timestamp}:{'U' if value is None else value}")
            written += 1
        except rrdtool.OperationalError as error:  # an update in the same second as the last one
            log.debug("RRD update of %s refused: %s", path, error)
    return written


# The poller ---------------------------------------------------------------------------------------------


def iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, tz=UTC).isoformat()


@dataclass
class BmcState:
    """What the poller remembers about one BMC between polls."""

    target: BmcTarget
    reachable: bool | None = None
    missed: int = 0
    health: dict[str, str] = field(default_factory=dict)


class IpmiCollector:
    """Polls the BMCs of one shard on their intervals; see the module docstring."""

    def __init__(
        self,
        *,
        portal,
        rrd_dir: Path | str,
        shard,
        down_after: int = 2,
        timeout: float = 20.0,
        concurrency: int = 32,
        step: int = STEP,
    ):
        self.portal = portal
        self.rrd_dir = Path(rrd_dir)
        self.shard = shard
        self.down_after = down_after
        self.timeout = timeout
        self.step = step
        self.bmcs: dict[int, BmcState] = {}
        self.events: list[dict] = []
        self.readings: dict[int, dict] = {}
        self.stats = {"polls": 0, "failures": 0, "sensors": 0}
        self._slots = asyncio.Semaphore(concurrency)

    def apply_targets(self, payload: dict) -> None:
        seen = set()
        for item in payload.get("bmcs", []):
            device_id = int(item["id"])
            if not self.shard.owns(device_id):
                continue
            seen.add(device_id)
            target = BmcTarget(
                host=item["address"],
                port=int(item.get("port", 623)),
                username=item["username"],
                password=item["password"],
                device_id=device_id,
                name=item.get("name", ""),
                interval=float(item.get("interval", 60)),
            )
            state = self.bmcs.get(device_id)
            if state is None:
                reachable = item.get("reachable")
                state = self.bmcs[device_id] = BmcState(target, reachable if isinstance(reachable, bool) else None)
            state.target = target
        for device_id in set(self.bmcs) - seen:
            del self.bmcs[device_id]

    async def poll(self, state: BmcState) -> None:
        """Poll one BMC; events for reachability and sensor health changes, RRD updates for the readings."""
        target = state.target
        async with self._slots:
            try:
                sample = await asyncio.to_thread(read_sensors, target, timeout=self.timeout)
            except BmcError as error:
                self.stats["failures"] += 1
                state.missed += 1
                log.info("BMC of device %s missed a poll (%d in a row): %s", target.device_id, state.missed, error)
                if state.missed >= self.down_after and state.reachable is not False:
                    state.reachable = False
                    self.events.append(
                        {
                            "type": "bmc",
                            "device": target.device_id,
                            "status": "unreachable",
                            "message": str(error)[:200],
                            "at": iso(time.time()),
                        }
                    )
                return
        self.stats["polls"] += 1
        self.stats["sensors"] += len(sample.sensors)
        state.missed = 0
        if state.reachable is False:
            self.events.append(
                {"type": "bmc", "device": target.device_id, "status": "reachable", "at": iso(sample.wall)}
            )
        state.reachable = True
        for sensor in sample.sensors:
            before = state.health.get(sensor.name, "ok")
            if sensor.health != before:
                self.events.append(
                    {
                        "type": "sensor",
                        "device": target.device_id,
                        "sensor": sensor.name,
                        "status": sensor.health,
                        "previous": before,
                        "value": sensor.value,
                        "unit": sensor.unit,
                        "at": iso(sample.wall),
                    }
                )
            state.health[sensor.name] = sensor.health
        self.readings[target.device_id] = {
            "device": target.device_id,
            "power": sample.power,
            "watts": sample.watts,
            "sensors": [s.as_dict() for s in sample.sensors],
            "at": iso(sample.wall),
        }
        await asyncio.to_thread(write_sample, self.rrd_dir, target.device_id, sample, step=self.step)

    def drain(self) -> dict | None:
        if not (self.events or self.readings):
            return None
        batch = {
            "shard": str(self.shard),
            "events": self.events,
            "readings": list(self.readings.values()),
            "stats": dict(self.stats),
        }
        self.events, self.readings = [], {}
        return batch

    async def load_targets(self) -> bool:
        from collector.portal import PortalError

        try:
            self.apply_targets(await self.portal.ipmi_targets(str(self.shard)))
        except PortalError as error:
            log.warning("could not fetch BMC targets: %s", error)
            return False
        return True

    async def run_once(self) -> dict:
        await self.load_targets()
        await asyncio.gather(*(self.poll(state) for state in list(self.bmcs.values())))
        await self.portal.send_ipmi(self.drain())
        return dict(self.stats)

    async def run(self, stop: asyncio.Event, *, flush_every: float = 5.0, targets_every: float = 300.0) -> None:
        """Poll every BMC on its interval until ``stop`` is set."""
        while not await self.load_targets():
            try:
                await asyncio.wait_for(stop.wait(), timeout=5)
                return
            except TimeoutError:
                continue
        loop = asyncio.get_running_loop()
        tasks: dict[int, asyncio.Task] = {}

        async def device_loop(device_id: int) -> None:
            await asyncio.sleep((device_id * 0.6180339887) % 1 * 5)
            due = loop.time()
            while (state := self.bmcs.get(device_id)) is not None:
                try:
                    await self.poll(state)
                except Exception:  # one BMC's bug must not end its polling for good
                    log.exception("polling the BMC of device %s failed", device_id)
                due = max(due + state.target.interval, loop.time())
                await asyncio.sleep(due - loop.time())

        def sync() -> None:
            for device_id in list(tasks):
                if device_id not in self.bmcs:
                    tasks.pop(device_id).cancel()
            for device_id in self.bmcs:
                if device_id not in tasks or tasks[device_id].done():
                    tasks[device_id] = asyncio.create_task(device_loop(device_id))

        sync()
        next_targets = loop.time() + targets_every
        try:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), timeout=flush_every)
                except TimeoutError:
                    pass
                await self.portal.send_ipmi(self.drain())
                if loop.time() >= next_targets:
                    await self.load_targets()
                    sync()
                    next_targets = loop.time() + targets_every
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
            await self.portal.send_ipmi(self.drain())
