"""IPMI 2.0 over LAN with pyghmi: power commands for the portal's jobs, BMC sensors polled into RRD.

Django-free. pyghmi is synchronous and runs its own I/O thread, so every call here runs in a thread of its own
with a hard deadline (:func:`call_with_deadline`, :func:`start_call`): a BMC that does not answer
costs its caller ``timeout`` seconds, never more, and never blocks an event loop. A pyghmi call cannot be
interrupted and may go on well past the deadline (its own retries last about 27 s against a BMC that stops
answering mid-session), so the thread is left to finish on its own, and the BMC gets no second call while it
runs (:class:`BmcBusy`): one stuck BMC holds one thread, and a poller slot only until its deadline. (With a
shared pool of 32 threads, calls that outlived their deadline kept their threads, and calls queued behind them
ran after their callers had given up.) pyghmi's own lock-order deadlock is removed at first use
(:func:`pyghmi_without_lock_inversion`). Credentials are handed to pyghmi as bytes
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
import threading
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


# A call still running this long after it started is given up on (see _start_call).
ABANDON_AFTER = 300.0
_PYGHMI_LOCK = threading.Lock()
_pyghmi_ready = False


def pyghmi_without_lock_inversion() -> None:
    """Make pyghmi's two global session locks one, once per process, before any pyghmi session exists.

    pyghmi 1.6 takes ``WAITING_SESSIONS`` then ``KEEPALIVE_SESSIONS`` in ``Session.awaitresponse`` (a timed-out
    request is resent while the first is held) and ``KEEPALIVE_SESSIONS`` then ``WAITING_SESSIONS`` in
    ``send_payload`` (``_xmit_packet`` runs while the first is held). Two threads doing these at once (a retry
    and a keepalive) deadlock, and every other pyghmi call of the process then waits on one of those locks for
    good: the 500-BMC collector stalled at 0 % CPU (seen with gdb) once BMCs stopped answering. Both are RLocks
    guarding short sections, so one RLock for both cannot deadlock; the one section that waited (a broken
    session's logout, below) no longer does. A session re-logging in mid-command no longer waits for itself, and
    a command waiting for the one in flight processes the answer it waits for, and a session given up on says
    why before it says it is broken.
    """
    global _pyghmi_ready
    if _pyghmi_ready:
        return
    with _PYGHMI_LOCK:
        if not _pyghmi_ready:
            from pyghmi.ipmi.private import session

            session.WAITING_SESSIONS = session.KEEPALIVE_SESSIONS
            logout = session.Session.logout

            def logout_without_waiting(self, sessionok=True):
                # A session given up on (``_mark_broken``, called with that lock held) sends its Close Session
                # without waiting for the command it abandoned to time out first: pyghmi's raw_command waits for
                # ``incommand`` to clear, and every other pyghmi thread of the process waited on the lock as long.
                if not sessionok:
                    self.incommand = False
                return logout(self, sessionok)

            session.Session.logout = logout_without_waiting
            relog = session.Session._relog

            def relog_without_waiting_for_itself(self):
                # A session that timed out mid-command logs in again and re-sends the command once logged in; the
                # login's own Set Session Privilege waited (raw_command's _cmdwait) for the abandoned command's
                # ``incommand`` to expire, i.e. for itself, holding the caller's thread for its whole deadline.
                self.incommand = False
                return relog(self)

            session.Session._relog = relog_without_waiting_for_itself

            def cmdwait_processing_answers(self):
                # A command waits for the one in flight on its session (a keepalive, sent with a callback by
                # whichever thread's wait_for_rsp found it due) without processing packets: when no other thread
                # was pumping, the keepalive's answer sat in the queue until the command expired (9 to 20 s) and
                # the poll, power command or console waiting behind it failed. The waiter processes its session's
                # packets as awaitresponse does.
                while self._isincommand():
                    session._io_wait(self._isincommand(), self.sockaddr, self.evq)
                    self.process_pktqueue()

            session.Session._cmdwait = cmdwait_processing_answers
            mark_broken = session.Session._mark_broken

            def mark_broken_saying_why_first(self, error=None):
                # _mark_broken logs out (which marks the session broken) before it records why; a thread waiting
                # for the logon on another thread's packet processing raised IpmiException(self.errormsg) in
                # between: "AttributeError 'Session' object has no attribute 'errormsg'" instead of the reason
                # ("Incorrect password provided"), seen in CI.
                self.errormsg = error
                return mark_broken(self, error)

            session.Session._mark_broken = mark_broken_saying_why_first
            _pyghmi_ready = True


class BmcBusy(BmcTimeout):
    """An earlier call to the BMC outlived its deadline and is still running: no second call is started."""


# The BMC calls still running, by (host, port): their threads and when they started.
_IN_FLIGHT: dict[tuple[str, int], tuple[threading.Thread, float]] = {}
_IN_FLIGHT_LOCK = threading.Lock()


def calls_in_flight() -> int:
    """How many BMC calls are running now (those past their deadline included)."""
    with _IN_FLIGHT_LOCK:
        return len(_IN_FLIGHT)


def _start_call(key: tuple[str, int], function, args) -> concurrent.futures.Future:
    """Run ``function(*args)`` in a new daemon thread (one per call: a thread stuck in pyghmi never takes a pool
    slot); BmcBusy when the previous call to the same BMC has not returned yet."""
    pyghmi_without_lock_inversion()
    future: concurrent.futures.Future = concurrent.futures.Future()

    def run() -> None:
        # Running: a caller past its deadline can no longer cancel it (and set_result stays valid).
        if future.set_running_or_notify_cancel():
            try:
                result, error = function(*args), None
            except BmcError as raised:
                result, error = None, raised
            except Exception as raised:  # noqa: BLE001 - a pyghmi bug is this BMC's failure, not the poller's
                # pyghmi's shared session state is not thread-safe everywhere (e.g. wait_for_rsp pops an empty
                # sessionqueue another thread emptied first: IndexError); fail this call, not the whole round.
                result, error = None, BmcError(f"pyghmi failed: {type(raised).__name__} {raised}".strip())
        else:
            result, error = None, None
        with _IN_FLIGHT_LOCK:  # before the result: the caller may call this BMC again at once
            if _IN_FLIGHT.get(key, (None,))[0] is threading.current_thread():
                del _IN_FLIGHT[key]
        if future.cancelled():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    with _IN_FLIGHT_LOCK:
        running = _IN_FLIGHT.get(key)
        if running is not None and running[0].is_alive():
            waited = time.monotonic() - running[1]
            if waited < ABANDON_AFTER:
                raise BmcBusy(f"an earlier call to this BMC is still waiting for it ({waited:.0f} s)")
            # pyghmi gives up on its own within about 30 s; a call still running after this is stuck for good:
            # forget it (its thread is left behind) rather than leave the BMC unpolled for ever.
            log.warning("abandoning a call to the BMC at %s:%s stuck for %.0f s", key[0], key[1], waited)
        thread = threading.Thread(target=run, name=f"ipmi {key[0]}:{key[1]}", daemon=True)
        _IN_FLIGHT[key] = (thread, time.monotonic())
    thread.start()
    return future


def call_with_deadline(function, target: BmcTarget, *args, timeout: float):
    """``function(target, *args)`` in its own thread; BmcTimeout when it has not returned after ``timeout`` s,
    BmcBusy (at once) while an earlier call to the same BMC is still running."""
    future = _start_call((target.host, target.port), function, (target, *args))
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError as error:
        raise BmcTimeout(f"no answer within {timeout:g} s") from error


def start_call(function, target: BmcTarget, *args) -> asyncio.Future:
    """``function(target, *args)`` started in its own thread, as an asyncio future (for an event loop: no thread is
    held while it waits); BmcBusy (at once) while an earlier call to the same BMC is still running."""
    return asyncio.wrap_future(_start_call((target.host, target.port), function, (target, *args)))


def _command(target: BmcTarget):
    from pyghmi import exceptions
    from pyghmi.ipmi import command

    pyghmi_without_lock_inversion()
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
        slot_seconds: float | None = None,
        step: int = STEP,
    ):
        self.portal = portal
        self.rrd_dir = Path(rrd_dir)
        self.shard = shard
        self.down_after = down_after
        self.timeout = timeout
        self.slot_seconds = slot_seconds
        self.step = step
        self.bmcs: dict[int, BmcState] = {}
        self.events: list[dict] = []
        self.readings: dict[int, dict] = {}
        self.stats = {"polls": 0, "failures": 0, "sensors": 0}
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting = 0  # calls past slot_seconds that gave their slot up (see _read)
        self._max_waiting = concurrency

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
        try:
            sample = await self._read(target)
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

    async def _read(self, target: BmcTarget) -> BmcSample:
        """One poll of ``target`` within ``timeout``, holding one of ``concurrency`` slots until it returns or
        its deadline passes. With ``slot_seconds`` set, a call still running after that long hands its slot to
        the next BMC and waits on to its deadline (no more than ``concurrency`` calls wait so). That shortens a
        round in which many BMCs stopped answering (100 of them, 32 slots: about 100 x slot_seconds / 32 plus the
        deadline, instead of 100 x the deadline / 32), but it is off by default: under load, calls slowed past
        slot_seconds let more calls into pyghmi, which slowed every call further (rounds of 30-145 s with
        failures on healthy simulators at load 6-8; none with the slot held, same load)."""
        loop = asyncio.get_running_loop()
        await self._slots.acquire()
        holding = True
        try:
            started = loop.time()  # the deadline runs from the call's start, not from the wait for a slot
            call = start_call(_poll, target)
            done, _ = await asyncio.wait({call}, timeout=min(self.timeout, self.slot_seconds or self.timeout))
            if not done and self.slot_seconds and self._waiting < self._max_waiting:
                self._waiting += 1
                holding = False
                self._slots.release()
            try:
                await asyncio.wait_for(call, max(0.0, self.timeout - (loop.time() - started)))
            except TimeoutError as error:
                raise BmcTimeout(f"no answer within {self.timeout:g} s") from error
            finally:
                if not holding:
                    self._waiting -= 1
            return call.result()
        finally:
            if holding:
                self._slots.release()

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
