"""Simulated BMCs (IPMI 2.0 over LAN) on 127.0.0.1 for tests, the demo and the benchmarks.

Django-free and runnable as a script (``python -P site/remote/simulator.py --bmc PORT:NAME ...``): one process
serves one or many BMCs, each on its own UDP port, built on pyghmi's own BMC (``pyghmi.ipmi.bmc.Bmc``) as
``../shared/TESTBED.md`` describes:

* bound to 127.0.0.1 only (pyghmi's ``fakebmc`` listens on every address);
* the RMCP+ open-session request for cipher suite 17 (SHA-256) is refused, so pyghmi's client falls back to
  suite 3 (SHA-1), the only one pyghmi's server side speaks;
* every reply is sent about 1 ms late: a reply that arrives before pyghmi's client waits for it makes the
  client sit out its whole timeout;
* serial-over-LAN packets carry up to 255 bytes (pyghmi's server offers 1 by default); SOL needs the host on;
* "Get Payload Instance Info", the keepalive pyghmi's console sends after about 25 s idle, is answered (pyghmi's
  server does not know it, and the console ends on the error);
* console output never blocks the process: pyghmi's ``ServerConsole.send_data`` waits (up to 12.5 s) for the
  client's acknowledgement, so one slow console stalled every BMC of the process, and a console that was never
  acknowledged raised out of the loop (an AttributeError in pyghmi's error path) and ended the whole simulator.
  Here a packet is sent and the loop goes on; unacknowledged packets are sent again from the loop, and a console
  whose client stays silent is deactivated, as a real BMC does.

Each BMC simulates its host too: power state (on, off, soft shutdown, reset, cycle), a serial console with a
tiny shell that echoes keystrokes, boot messages after power-on/reset, and sensors served from a real SDR
repository (temperatures, fans, power draw) plus the DCMI power reading.

A control socket (TCP, one JSON object per line, on ``--control PORT``) lets tests and the demo look inside:
``{"op": "state", "bmc": PORT}`` answers power state, action counts and what the console received;
``{"op": "push", "bmc": PORT, "text": "..."}`` writes host output to an open console;
``{"op": "set_sensor", "bmc": PORT, "name": "CPU1 Temp", "value": 95}`` changes a reading;
``{"op": "set_power", "bmc": PORT, "state": "off"}`` flips the power without IPMI;
``{"op": "ping"}`` answers ``{"ok": true}``.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
import traceback

import pyghmi.ipmi.bmc as bmc
import pyghmi.ipmi.console as console
import pyghmi.ipmi.private.serversession as serversession
import pyghmi.ipmi.private.session as ipmisession

REPLY_DELAY = 0.001
SOL_PACKET_SIZE = 255
# RMCP+ status code 0x11: "invalid authentication algorithm" (IPMI 2.0 table 13-15).
RMCP_INVALID_AUTH_ALGORITHM = 0x11
SHA256_AUTH_ALGORITHM = 3

# name, number, sensor type (IPMI table 42-3), base unit (table 43-15), M (reading = raw * M), value,
# upper non-critical, upper critical. Readings are unsigned bytes, so fans and power use a multiplier.
DEFAULT_SENSORS = (
    ("Inlet Temp", 1, 0x01, 1, 1, 24, 40, 45),
    ("CPU1 Temp", 2, 0x01, 1, 1, 52, 85, 95),
    ("CPU2 Temp", 3, 0x01, 1, 1, 49, 85, 95),
    ("FAN1", 4, 0x04, 18, 60, 7200, 13800, 15000),
    ("FAN2", 5, 0x04, 18, 60, 7080, 13800, 15000),
    ("Power Draw", 6, 0x08, 6, 4, 240, 800, 900),
)
TEMPERATURE_OFF = 22
HOST_PROMPT = "root@{name}:~# "


class Sensor:
    """One threshold sensor of a simulated host, described by an SDR full sensor record."""

    def __init__(self, name, number, sensor_type, unit, multiplier, value, upper_warning, upper_critical):
        self.name = name
        self.number = number
        self.sensor_type = sensor_type
        self.unit = unit
        self.multiplier = multiplier
        self.value = value
        self.upper_warning = upper_warning
        self.upper_critical = upper_critical

    def raw(self, value) -> int:
        return max(0, min(255, round(value / self.multiplier)))

    def record(self, record_id: int) -> bytes:
        """The SDR full sensor record (type 01h, IPMI 2.0 table 43-1)."""
        name = self.name.encode()[:16]
        body = (
            bytes(
                [
                    0x20,
                    0,
                    self.number,  # owner (BMC), LUN, sensor number
                    0x07,
                    1,  # entity: system board, instance 1
                    0x7F,
                    0x68,  # initialisation, capabilities (thresholds readable)
                    self.sensor_type,
                    0x01,  # threshold-based event/reading type
                    0,
                    0,
                    0,
                    0,  # assertion/deassertion event masks
                    0x18,
                    0x18,  # readable thresholds: upper non-critical and critical
                    0x00,
                    self.unit,
                    0,  # unsigned, base unit, no modifier
                    0,  # linear
                    self.multiplier & 0xFF,
                    (self.multiplier >> 8) & 0x03,  # M
                    0,
                    0,
                    0,
                    0,  # B, accuracy, exponents
                    0x01,
                    self.raw(self.value),
                    0,
                    0,
                    255,
                    0,  # flags, nominal, normal max/min, sensor max/min
                    0,
                    self.raw(self.upper_critical),
                    self.raw(self.upper_warning),  # upper thresholds
                    0,
                    0,
                    0,  # lower thresholds
                    0,
                    0,
                    0,
                    0,
                    0,  # hysteresis, reserved, OEM
                    0xC0 | len(name),  # 8-bit ASCII id string
                ]
            )
            + name
        )
        return struct.pack("<HBBB", record_id, 0x51, 0x01, len(body)) + body

    def reading(self, powered: bool) -> list[int]:
        """The Get Sensor Reading answer: value, scanning enabled, threshold states."""
        value = self.current(powered)
        states = 0
        if value >= self.upper_warning:
            states |= 0b1000
        if value >= self.upper_critical:
            states |= 0b10000
        return [self.raw(value), 0x40, states]

    def current(self, powered: bool):
        if powered:
            return self.value
        return TEMPERATURE_OFF if self.sensor_type == 0x01 else 0


class DelayedServerSession(serversession.ServerSession):
    """pyghmi's server session with the two fixes TESTBED.md lists: suite 17 refused, replies 1 ms late."""

    # pyghmi's console error path unregisters its keepalive on the session; a server session never set this.
    _customkeepalives = None

    def create_open_session_response(self, request):
        request = bytearray(request)
        if len(request) > 12 and request[12] == SHA256_AUTH_ALGORITHM:
            self.clientsessionid = request[4:8]
            return bytearray([request[0], RMCP_INVALID_AUTH_ALGORITHM, 0, 0]) + self.clientsessionid
        return super().create_open_session_response(request)

    def _xmit_packet(self, *args, **kwargs):
        time.sleep(REPLY_DELAY)
        return super()._xmit_packet(*args, **kwargs)

    def sessionless_data(self, data, sockaddr):
        # pyghmi hands a packet of a client it already has a session with, but outside that session (a new login
        # from the same address and port), to the session; the BMC is the one to answer it.
        return self.bmc.sessionless_data(data, sockaddr)


class NonBlockingServerConsole(console.ServerConsole):
    """pyghmi's server console whose sends return at once; :meth:`resend_due` (called from the simulator's loop)
    sends an unacknowledged packet again, and gives up on a client that never answers."""

    RESEND_AFTER = 0.5
    RESENDS = 5

    def _sendoutput(self, output, sendbreak=False):
        self.myseq = (self.myseq + 1) & 0xF or 1
        if isinstance(output, str):
            output = output.encode("utf8")
        payload = bytearray((self.myseq, 0, 0, 0b10000 if sendbreak else 0)) + output
        self.lasttextsize = len(output)
        self.awaitingack = True
        self.lastpayload = payload
        self.sent_at = time.monotonic()
        self.resends = 0
        self.send_payload(payload, retry=False, needskeepalive=not output)

    def resend_due(self) -> bool:
        """Send the unacknowledged packet again when due; False once the client is given up on."""
        if not self.awaitingack or time.monotonic() - self.sent_at < self.RESEND_AFTER:
            return True
        if self.resends >= self.RESENDS:
            self.awaitingack = False
            return False
        self.resends += 1
        self.sent_at = time.monotonic()
        self.send_payload(self.lastpayload, retry=False)
        return True


class SimulatedBmc(bmc.Bmc):
    """A BMC and its host: power, a serial console with a small shell, sensors. See the module docstring."""

    def __init__(self, *, port: int, name: str, username: str = "admin", password: str = "password", power="on"):
        super().__init__({username: password}, port=port, address="127.0.0.1")
        self.name = name
        self.powerstate = power
        self.actions: collections.Counter = collections.Counter()
        self.history: list[tuple[float, str]] = []
        self.received = bytearray()
        self.line = bytearray()
        self.outbox: collections.deque[bytes] = collections.deque()
        self.sensors = [Sensor(*row) for row in DEFAULT_SENSORS]
        self.sessions_opened = 0
        self.sol_session = None
        self.deviceid = 0x20
        self.mfgid = 0x1A2B
        self.prodid = 0x0101

    # Sessions ------------------------------------------------------------------------------------------

    def sessionless_data(self, data, sockaddr):
        raw = bytearray(data)
        if len(raw) >= 22 and raw[0] == 6 and raw[2:4] == b"\xff\x07" and raw[4] == 6 and raw[5] == 16:
            self.sessions_opened += 1
            DelayedServerSession(self.authdata, self.kg, sockaddr, self.serversocket, raw[16:], self.uuid, bmc=self)
            return
        return super().sessionless_data(data, sockaddr)

    def send_auth_cap(self, *args):
        time.sleep(REPLY_DELAY)
        return super().send_auth_cap(*args)

    def send_cipher_suites(self, *args):
        time.sleep(REPLY_DELAY)
        return super().send_cipher_suites(*args)

    # Power ---------------------------------------------------------------------------------------------

    def _record(self, action: str) -> None:
        self.actions[action] += 1
        self.history.append((time.time(), action))

    def get_power_state(self):
        return self.powerstate

    def is_active(self):
        return self.powerstate == "on"

    def power_on(self):
        self._record("on")
        if self.powerstate != "on":
            self.powerstate = "on"
            self._boot()

    def power_off(self):
        self._record("off")
        self.powerstate = "off"
        self._say("\r\n[ power lost ]\r\n")

    def power_shutdown(self):
        self._record("shutdown")
        if self.powerstate == "on":
            self._say("\r\nThe system is going down for power off NOW!\r\n")
        self.powerstate = "off"

    def power_reset(self):
        self._record("reset")
        if self.powerstate == "on":
            self._boot()

    def power_cycle(self):
        self._record("cycle")
        self.powerstate = "on"
        self._boot()

    def pulse_diag(self):
        self._record("diag")

    def cold_reset(self):
        self._record("bmc_reset")
        return 0

    def get_system_guid(self):
        return self.uuid

    def _boot(self) -> None:
        self._say(
            "\r\n[    0.000000] Linux version 6.1.0-serverstock (simulated) booting\r\n"
            f"[    1.204118] Reached target Multi-User System.\r\n\r\n{self.name} login: root (automatic login)\r\n"
            + HOST_PROMPT.format(name=self.name)
        )

    # Serial over LAN -----------------------------------------------------------------------------------

    def activate_payload(self, request, session):
        """pyghmi's activation, offering 255-byte SOL packets instead of 1."""
        if not self.is_active():
            session.send_ipmi_response(code=0x81)
        elif self.activated:
            session.send_ipmi_response(code=0x80)
        else:
            self.activated = True
            size = list(struct.pack("<H", SOL_PACKET_SIZE))
            solport = list(struct.unpack("BB", struct.pack("!H", self.port)))
            session.send_ipmi_response(data=[0, 0, 0, 0, *size, *size, *solport, 0xFF, 0xFF])
            self.sol = NonBlockingServerConsole(session, self.iohandler)
            self.sol_session = session
            self._say(f"\r\n{HOST_PROMPT.format(name=self.name)}")

    def deactivate_payload(self, request, session):
        if not self.activated:
            session.send_ipmi_response(code=0x80)
            return
        session.send_ipmi_response()
        if self.sol is not None:
            self.sol.close()
        self.activated = False
        self.sol = None
        self.sol_session = None

    def _say(self, text: str) -> None:
        """Queue host output for the console; the main loop sends it (a send waits for the client's ack)."""
        if self.activated:
            self.outbox.append(text.encode())

    def iohandler(self, data):
        """Keystrokes from the console: echo them and run a line when Enter comes."""
        if isinstance(data, dict):
            return
        self.received.extend(data)
        echo = bytearray()
        for byte in data:
            if byte in (13, 10):
                line = self.line.decode(errors="replace").strip()
                self.line.clear()
                echo += b"\r\n" + self._run(line).encode() + HOST_PROMPT.format(name=self.name).encode()
            elif byte in (8, 127):
                if self.line:
                    self.line.pop()
                    echo += b"\b \b"
            elif byte >= 32:
                self.line.append(byte)
                echo.append(byte)
        if echo:
            self.outbox.append(bytes(echo))

    def _run(self, line: str) -> str:
        if not line:
            return ""
        command, _, rest = line.partition(" ")
        if command == "echo":
            return rest + "\r\n"
        if command == "hostname":
            return self.name + "\r\n"
        if command == "uptime":
            return " 12:00:00 up 3 days,  1 user,  load average: 0.01, 0.03, 0.00\r\n"
        return f"-bash: {command}: command not found\r\n"

    def flush_console(self) -> None:
        """Hand queued host output to the console (sent as the client acknowledges), resend what is due."""
        while self.outbox and self.sol is not None and self.activated:
            self.sol.send_data(self.outbox.popleft())
        if self.sol is not None and not self.sol.resend_due():
            self._drop_console()  # the client went away without deactivating: free the payload for the next one
        if not self.activated:
            self.outbox.clear()

    def _drop_console(self) -> None:
        self.activated = False
        self.sol = None
        self.sol_session = None

    # Sensors, SDR and DCMI -----------------------------------------------------------------------------

    def sensor(self, name: str) -> Sensor:
        for item in self.sensors:
            if item.name == name:
                return item
        raise KeyError(name)

    def handle_raw_request(self, request, session):
        netfn, command, data = request["netfn"], request["command"], bytearray(request["data"])
        try:
            if netfn == 0x06 and command == 0x4B:  # Get Payload Instance Info: pyghmi's SOL keepalive
                # The owner's session id, else zero; pyghmi's console ends itself ("Invalid command" before this
                # answer existed) when it is not its own, so every console died after its first ~25 s idle.
                owner = self.sol_session.managedsessionid if self.activated and self.sol_session else bytes(4)
                return session.send_ipmi_response(data=[*bytearray(owner), 0, 0, 0, 0, 0, 0, 0, 0])
            if netfn == 0x0A and command == 0x20:  # Get SDR Repository Info
                count = len(self.sensors)
                return session.send_ipmi_response(data=[0x51, count, 0, 0xFF, 0xFF, 1, 0, 0, 0, 0, 0, 0, 0, 0x02])
            if netfn == 0x0A and command == 0x22:  # Reserve SDR Repository
                return session.send_ipmi_response(data=[1, 0])
            if netfn == 0x0A and command == 0x23:  # Get SDR
                return self._get_sdr(data, session)
            if netfn == 0x04 and command == 0x2D:  # Get Sensor Reading
                for item in self.sensors:
                    if item.number == data[0]:
                        return session.send_ipmi_response(data=item.reading(self.is_active()))
                return session.send_ipmi_response(code=0xCB)
            if netfn == 0x2C and command == 0x02 and data[:1] == b"\xdc":  # DCMI Get Power Reading
                watts = int(self.sensor("Power Draw").current(self.is_active()))
                stamp = list(struct.pack("<I", int(time.time())))
                values = list(struct.pack("<HHHH", watts, watts, watts, watts))
                return session.send_ipmi_response(data=[0xDC, *values, *stamp, 1, 0, 0, 0, 0x40])
        except (IndexError, KeyError):
            return session.send_ipmi_response(code=0xC7)
        return super().handle_raw_request(request, session)

    def _get_sdr(self, data: bytearray, session) -> None:
        record_id = data[2] | (data[3] << 8)
        offset, size = data[4], data[5]
        index = 0 if record_id == 0 else record_id - 1
        if index >= len(self.sensors):
            return session.send_ipmi_response(code=0xCB)
        record = self.sensors[index].record(index + 1)
        following = index + 2 if index + 1 < len(self.sensors) else 0xFFFF
        chunk = record[offset:] if size == 0xFF else record[offset : offset + size]
        session.send_ipmi_response(data=[following & 0xFF, following >> 8, *chunk])

    # Control -------------------------------------------------------------------------------------------

    def state(self) -> dict:
        return {
            "name": self.name,
            "port": self.port,
            "power": self.powerstate,
            "actions": dict(self.actions),
            "history": self.history[-50:],
            "received": self.received.decode(errors="replace"),
            "console_active": bool(self.activated),
            "sessions_opened": self.sessions_opened,
            "sensors": {item.name: item.current(self.is_active()) for item in self.sensors},
        }


class Simulator:
    """Several simulated BMCs in one process, served by one pyghmi event loop, plus the control socket."""

    def __init__(self, bmcs: list[SimulatedBmc]):
        self.bmcs = {item.port: item for item in bmcs}
        self.requests: collections.deque = collections.deque()
        self.stopping = threading.Event()

    def find(self, message: dict) -> SimulatedBmc:
        key = message.get("bmc")
        if key is None and len(self.bmcs) == 1:
            return next(iter(self.bmcs.values()))
        for item in self.bmcs.values():
            if key in (item.port, item.name):
                return item
        raise KeyError(f"no simulated BMC {key!r}")

    def control(self, message: dict) -> dict:
        """Run one control request (called on the pyghmi loop's thread, between IPMI packets)."""
        op = message.get("op")
        if op == "ping":
            return {"ok": True, "bmcs": sorted(self.bmcs)}
        if op == "stop":
            self.stopping.set()
            return {"ok": True}
        target = self.find(message)
        if op == "state":
            return {"ok": True, **target.state()}
        if op == "push":
            target._say(str(message.get("text", "")))
            return {"ok": True, "console_active": bool(target.activated)}
        if op == "set_sensor":
            target.sensor(message["name"]).value = float(message["value"])
            return {"ok": True}
        if op == "set_power":
            target.powerstate = "on" if message.get("state") == "on" else "off"
            return {"ok": True, "power": target.powerstate}
        return {"ok": False, "error": f"unknown op {op!r}"}

    def serve_control(self, port: int) -> socketserver.ThreadingTCPServer:
        simulator = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                for line in self.rfile:
                    try:
                        message = json.loads(line)
                    except ValueError:
                        answer = {"ok": False, "error": "not JSON"}
                    else:
                        done = threading.Event()
                        slot: dict = {}
                        simulator.requests.append((message, slot, done))
                        done.wait(10)
                        answer = slot.get("answer", {"ok": False, "error": "no answer"})
                    self.wfile.write(json.dumps(answer).encode() + b"\n")
                    self.wfile.flush()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def run(self) -> None:
        """pyghmi's event loop, in short slices so that console output and control requests get their turn."""
        while not self.stopping.is_set():
            try:
                ipmisession.Session.wait_for_rsp(timeout=0.005)
            except Exception:  # one malformed exchange must not take every simulated BMC down
                traceback.print_exc()
            while self.requests:
                message, slot, done = self.requests.popleft()
                try:
                    slot["answer"] = self.control(message)
                except Exception as error:  # a bad request must not end the simulator
                    slot["answer"] = {"ok": False, "error": str(error)}
                done.set()
            for item in self.bmcs.values():
                if item.outbox or item.sol is not None:
                    try:
                        item.flush_console()
                    except Exception:  # one broken console must not take every simulated BMC down
                        traceback.print_exc()
                        item._drop_console()


def control_request(port: int, message: dict, *, timeout: float = 10.0) -> dict:
    """Send one request to a simulator's control socket and return its answer (used by tests and the demo)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(json.dumps(message).encode() + b"\n")
        reader = connection.makefile("rb")
        return json.loads(reader.readline())


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A port on 127.0.0.1 that is free right now (UDP by default)."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def channel_auth_probe() -> bytes:
    """An RMCP "Get Channel Authentication Capabilities" request (IPMI 1.5 framing), any BMC answers it."""
    message = bytes([0x20, 0x18, 0xC8, 0x81, 0x00, 0x38, 0x8E, 0x04])
    return (
        bytes([0x06, 0x00, 0xFF, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x09])
        + message
        + bytes([-sum(message[3:]) & 0xFF])
    )


def wait_for_bmc(port: int, *, host: str = "127.0.0.1", deadline: float = 10.0) -> bool:
    """Whether a BMC answers the channel probe on ``host:port`` before ``deadline`` seconds pass."""
    end = time.monotonic() + deadline
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.1)
        while time.monotonic() < end:
            try:
                probe.sendto(channel_auth_probe(), (host, port))
                if probe.recvfrom(512)[0]:
                    return True
            except OSError:  # nothing listening yet (ICMP port unreachable) or no answer in time
                time.sleep(0.05)
    return False


@dataclasses.dataclass
class SimulatorProcess:
    """A running simulator process and the BMCs it serves (stopped by its PID)."""

    process: subprocess.Popen
    control_port: int
    bmcs: list[dict]

    @property
    def port(self) -> int:
        return self.bmcs[0]["port"]

    def control(self, message: dict, *, bmc=None) -> dict:
        if bmc is not None:
            message = {**message, "bmc": bmc}
        return control_request(self.control_port, message)

    def state(self, bmc=None) -> dict:
        return self.control({"op": "state"}, bmc=bmc if bmc is not None else self.port)

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def start_simulator(bmcs: list[dict], *, control_port: int | None = None, log_path=None, deadline: float = 15.0):
    """Start one simulator process for ``bmcs`` (dicts with ``name`` and optionally ``port``, ``username``,
    ``password``, ``power``); returns when every BMC answers the channel probe, or raises RuntimeError."""
    bmcs = [{"username": "admin", "password": "password", "power": "on", **item} for item in bmcs]
    for item in bmcs:
        item.setdefault("port", free_port())
    control_port = control_port or free_port(socket.SOCK_STREAM)
    argv = [sys.executable, "-P", __file__, "--control", str(control_port)]
    for item in bmcs:
        argv += ["--bmc", f"{item['port']}:{item['name']}:{item['username']}:{item['password']}:{item['power']}"]
    output = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
    running = SimulatorProcess(process=process, control_port=control_port, bmcs=bmcs)
    end = time.monotonic() + deadline
    for item in bmcs:
        if process.poll() is not None or not wait_for_bmc(item["port"], deadline=max(0.1, end - time.monotonic())):
            running.stop()
            raise RuntimeError(f"the simulated BMC on port {item['port']} did not start")
    return running


def parse_bmc(text: str) -> dict:
    """``PORT:NAME[:USER:PASSWORD[:POWER]]`` -> keyword arguments of :class:`SimulatedBmc`."""
    parts = text.split(":")
    values = {"port": int(parts[0]), "name": parts[1] if len(parts) > 1 else f"host-{parts[0]}"}
    if len(parts) > 3:
        values["username"], values["password"] = parts[2], parts[3]
    if len(parts) > 4:
        values["power"] = parts[4]
    return values


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Simulated IPMI 2.0 BMCs on 127.0.0.1 (see the module docstring).")
    parser.add_argument("--bmc", action="append", required=True, help="PORT:NAME[:USER:PASSWORD[:POWER]]")
    parser.add_argument("--control", type=int, required=True, help="TCP port of the control socket")
    args = parser.parse_args(argv)
    simulator = Simulator([SimulatedBmc(**parse_bmc(text)) for text in args.bmc])
    server = simulator.serve_control(args.control)
    print(f"simulated BMCs on {sorted(simulator.bmcs)}, control on {args.control}", flush=True)
    try:
        simulator.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
