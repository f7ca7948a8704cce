"""A bridge between pyghmi's serial-over-LAN console and asyncio (one per open browser console).

pyghmi is synchronous: packets its I/O thread receives are only processed by whoever calls
``Session.wait_for_rsp``, and ``Console.send_data`` blocks until the BMC acknowledges (retrying for up to
12.5 s). It is not safe to drive one session from several threads either (two threads may process one
session's packets at once, out of order). So every console of the process is driven by one thread,
:class:`SolLoop`: it opens, types into and closes the consoles (the event loop hands it work through a queue
and wakes it), processes every packet, and sends SOL data without waiting for the acknowledgement
(:class:`_NonBlockingConsole`; unacknowledged packets are sent again from the loop), and activates and
deactivates the SOL payload through callbacks, never with pyghmi's synchronous commands (one waits for the
session's command in flight, whose answer only this thread would process). One console waiting for its BMC
never delays another, and a keystroke costs no thread-pool hop. Output reaches the event loop through
``call_soon_threadsafe``, coalesced (one wake-up per batch of packets). Credentials are bytes
(``../shared/TESTBED.md``).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import Callable

from collector.ipmi import BmcTarget, pyghmi_without_lock_inversion

log = logging.getLogger("remote.console")

# SOL acknowledgement: send again after this long, give up ("Connection lost") after this many resends.
RESEND_AFTER = 0.5
RESENDS = 6
# The loop's longest sleep: it is woken at once for work and packets; this bounds a missed wake-up.
LOOP_SLICE = 0.02
CLOSE_TIMEOUT = 5.0
# Activate Payload's own completion codes (IPMI 2.0, 24.1).
SOL_ACTIVATE_CODES = {
    0x81: "SOL is disabled",
    0x82: "Maximum SOL session count reached",
    0x83: "Cannot activate payload with encryption",
    0x84: "Cannot activate payload without encryption",
}


# Activate / Deactivate Payload (application netfn): SOL, instance 1; activation encrypted and authenticated.
ACTIVATE_PAYLOAD, ACTIVATE_SOL = 0x48, (1, 1, 0b11000000, 0, 0, 0)
DEACTIVATE_PAYLOAD, DEACTIVATE_SOL = 0x49, (1, 1, 0, 0, 0, 0)


def _send(session, command: int, data: tuple, callback) -> bool:
    """An application-netfn command answered through ``callback`` (never waits); False if the session broke."""
    try:
        session.raw_command(netfn=6, command=command, data=data, callback=session._keepalive_wrapper(callback))
    except Exception:  # noqa: BLE001 - pyghmi raises several kinds for a session that broke
        return False
    return True


class ConsoleError(Exception):
    """The console could not be opened or broke."""


_console_class = None


def _nonblocking_console_class():
    """pyghmi's ``Console`` whose sends return at once (built on first use: pyghmi is imported lazily)."""
    global _console_class
    if _console_class is not None:
        return _console_class
    from pyghmi import exceptions
    from pyghmi.ipmi import console
    from pyghmi.ipmi.private import constants

    pyghmi_without_lock_inversion()

    class _NonBlockingConsole(console.Console):
        sent_at = 0.0
        resends = 0
        # Payload activation, sent from the loop's turns (activate_due) rather than from pyghmi's logon callback.
        session_ready = False
        activation_sent = False
        release_first = False
        activating_on = None

        def _got_session(self, response):
            # pyghmi's version activates the SOL payload with a synchronous raw_command, on whichever thread
            # processed the logon: on a session shared with earlier consoles that is this loop, in Console's
            # constructor. raw_command first waits for any command already in flight on the session (its
            # keepalive, sent by this loop a moment before) without processing packets, and this loop is the only
            # thread that would process that command's answer: every console of the process stalled until the
            # command expired (9 to 20 s), and this one failed ("the BMC did not answer").
            if "error" in response:
                self._print_error(response["error"])
                return
            if not self.ipmi_session:
                self.callgotsession = response  # the constructor calls this again once the session is kept
                return
            self.session_ready = True

        def activate_due(self) -> None:
            """Send Activate Payload (or first the Deactivate Payload it asked for) once the session is logged in
            and has no command in flight; answers arrive through callbacks, on this loop."""
            session = self.ipmi_session
            if not self.session_ready or self.activation_sent or self.broken or session is None:
                return
            if not session.logged or session._isincommand():
                return  # a later turn: the command in flight is answered through this loop meanwhile
            if self.release_first:  # the payload is active for another client and force was asked for
                self.release_first = False
                _send(session, DEACTIVATE_PAYLOAD, DEACTIVATE_SOL, lambda answer: None)
                return
            self.activation_sent = True
            self.activating_on = session
            if not _send(session, ACTIVATE_PAYLOAD, ACTIVATE_SOL, self._activated):
                self._print_error("Session no longer connected")

        def _activated(self, response: dict) -> None:
            session, code = self.activating_on, response.get("code")
            if self.broken or self.ipmi_session is None:
                # Closed while the activation was on its way: give back what the BMC has just activated (the
                # callback cleared the session's command, so this sends at once).
                if not code and "error" not in response and not session._isincommand():
                    _send(session, DEACTIVATE_PAYLOAD, DEACTIVATE_SOL, lambda answer: None)
                return
            if code == 0x80 and self.force_session and not self.retriedpayload:
                self.retriedpayload = 1  # active for another client: deactivate it, then activate again
                self.release_first, self.activation_sent = True, False
                return
            if code:
                self._print_error(
                    constants.ipmi_completion_codes.get(code)
                    or SOL_ACTIVATE_CODES.get(code)
                    or f"SOL encountered unrecognised error code {code}"
                )
                return
            if "error" in response:
                self._print_error(response["error"])
                return
            data = response.get("data") or b""
            if len(data) < 10:
                self._print_error("the BMC answered Activate Payload with too little data")
                return
            port = data[8] + (data[9] << 8)
            if port not in (self.port, int.from_bytes(self.port.to_bytes(2, "big"), "little")):
                self._print_error(f"the BMC serves its serial console on port {port}, which is not supported")
                return
            self.activated = True
            self.maxoutcount = (data[5] << 8) + data[4]
            if session.sol_handler is not None:
                session.sol_handler({"error": "Session Disconnected"})  # the console this one replaces
            # One SOL keepalive per session: those of consoles this session carried before go (two in one turn
            # would wait for each other the way activation did).
            for key, (_, callback) in list((session._customkeepalives or {}).items()):
                owner = getattr(callback, "__self__", None)
                if owner is not self and isinstance(owner, console.Console):
                    session.unregister_keepalive(key)
            self.keepaliveid = session.register_keepalive(
                cmd={"netfn": 6, "command": 0x4B, "data": (1, 1)}, callback=self._got_payload_instance_info
            )
            session.sol_handler = self._got_sol_payload
            self.connected = True
            self._sendpendingoutput()

        def _sendoutput(self, output, sendbreak=False):
            # pyghmi's version then waits for the acknowledgement in a loop of wait_for_rsp (which processes
            # every session's packets, re-entrantly, on whichever thread typed); here the loop resends instead.
            self.myseq = (self.myseq + 1) & 0xF or 1
            if isinstance(output, str):
                output = output.encode("utf8")
            payload = bytearray((self.myseq, 0, 0, 0b10000 if sendbreak else 0)) + output
            self.lasttextsize = len(output)
            self.awaitingack = True
            self.lastpayload = payload
            self.sent_at = time.monotonic()
            self.resends = 0
            try:
                self.send_payload(payload, retry=False, needskeepalive=not output)
            except exceptions.IpmiException:
                pass  # send_payload has told the handler (broken session)

        def resend_due(self, now: float) -> None:
            if not self.awaitingack or self.broken or now - self.sent_at < RESEND_AFTER:
                return
            if self.resends >= RESENDS:
                self.awaitingack = False
                self._print_error("Connection lost")
                return
            self.resends += 1
            self.sent_at = now
            try:
                self.send_payload(self.lastpayload, retry=False, needskeepalive=self.lasttextsize == 0)
            except exceptions.IpmiException:
                pass

    _console_class = _NonBlockingConsole
    return _console_class


class SolLoop:
    """The one thread that drives pyghmi for every console of the process (see the module docstring).

    :meth:`call` runs a function on it; it runs while any console is open and stops 30 s after the last.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._calls: collections.deque[Callable[[], None]] = collections.deque()
        self._bridges: set[SolBridge] = set()
        self._thread: threading.Thread | None = None

    def call(self, function: Callable[[], None]) -> None:
        """Run ``function`` on the loop's thread, soon (starts the thread when needed)."""
        self._calls.append(function)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="pyghmi-sol", daemon=True)
                self._thread.start()
        self._wake()

    def attach(self, bridge: SolBridge) -> None:
        """Called on the loop's thread: ``bridge`` is ticked (opening deadline, resends) until detached."""
        self._bridges.add(bridge)

    def detach(self, bridge: SolBridge) -> None:
        self._bridges.discard(bridge)

    @staticmethod
    def _wake() -> None:
        # pyghmi's own way to break its I/O thread's select (a packet shorter than 4 bytes to its first socket):
        # that wakes every thread waiting in wait_for_rsp without an address, i.e. this loop.
        from pyghmi.ipmi.private import session

        sockets, myself = session.iosockets, session.myself
        if sockets and myself:
            try:
                sockets[0].sendto(b"\x01", (myself, sockets[0].getsockname()[1]))
            except OSError:
                pass

    def _run(self) -> None:
        from pyghmi.ipmi.private import session

        idle_since = None
        while True:
            while self._calls:
                function = self._calls.popleft()
                try:
                    function()
                except Exception:  # one console's failure must not end the others'
                    log.exception("SOL loop call failed")
            now = time.monotonic()
            for bridge in list(self._bridges):
                try:
                    bridge._tick(now)
                except Exception:  # noqa: BLE001 - as above
                    log.exception("SOL console tick failed")
            if self._bridges or self._calls:
                idle_since = None
            else:
                idle_since = idle_since or now
                if now - idle_since > 30:
                    with self._lock:
                        if not self._calls:
                            self._thread = None
                            return
            if session.iothread is None or not session.iothreadready:
                time.sleep(LOOP_SLICE)  # no pyghmi session yet: its I/O thread would never wake this one
                continue
            try:
                session.Session.wait_for_rsp(timeout=LOOP_SLICE)
            except Exception:  # a broken session must not end the loop for the others  # noqa: BLE001
                time.sleep(LOOP_SLICE)


LOOP = SolLoop()


class SolBridge:
    """One SOL console: ``open()`` connects, ``send()`` types, output and errors arrive on the callbacks (on the
    event loop). Everything touching pyghmi runs on :data:`LOOP`'s thread."""

    def __init__(
        self,
        target: BmcTarget,
        *,
        loop: asyncio.AbstractEventLoop,
        on_output: Callable[[bytes], None],
        on_error: Callable[[str], None],
    ):
        self.target = target
        self.loop = loop
        self.on_output = on_output
        self.on_error = on_error
        self.console = None
        self.closed = False
        self._opened: asyncio.Future | None = None
        self._closing: asyncio.Future | None = None
        # State kept on the SOL loop's thread only.
        self._opening = False
        self._refusal = ""
        self._open_deadline = 0.0
        self._close_deadline = 0.0
        self._close_sent = False
        self._close_done = False
        self._output: list[bytes] = []
        self._output_lock = threading.Lock()

    # On the event loop -------------------------------------------------------------------------------

    async def open(self, *, timeout: float = 10.0) -> None:
        """Connect; ConsoleError when the BMC does not answer or refuses within ``timeout``."""
        self._opened = self.loop.create_future()
        self._open_deadline = time.monotonic() + timeout
        LOOP.call(self._start_open)
        try:
            await asyncio.wait_for(asyncio.shield(self._opened), timeout + 2)
        except TimeoutError as error:
            raise ConsoleError("the BMC did not answer") from error

    async def send(self, data: bytes) -> None:
        """Type ``data`` (queued behind earlier keystrokes, in order; returns at once)."""
        if not self.closed:
            LOOP.call(lambda: self._send(data))

    async def close(self) -> None:
        """Deactivate the SOL payload (best effort, bounded) and stop listening."""
        if self.closed:
            return
        self.closed = True
        self._closing = self.loop.create_future()
        LOOP.call(self._start_close)
        try:
            await asyncio.wait_for(asyncio.shield(self._closing), CLOSE_TIMEOUT + 1)
        except (TimeoutError, Exception):  # noqa: BLE001 - closing a dead BMC's console is best effort
            pass

    # On the SOL loop's thread ------------------------------------------------------------------------

    def _resolve(self, future: asyncio.Future | None, error: Exception | None = None) -> None:
        if future is None:
            return

        def settle():
            if not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)

        self._deliver(settle)

    def _deliver(self, callback, *args) -> None:
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the event loop is closed: nobody is left to tell, stop listening
            self.closed = True

    def _handler(self, data) -> None:
        # pyghmi calls this on whichever thread processes the packet (normally the SOL loop); raising here would
        # break another console's packet handling.
        if self.closed:
            return
        if isinstance(data, dict):
            if "error" in data and self._opening:  # _tick reports it as the refusal's reason
                self._refusal = str(data["error"])
            elif "error" in data:
                self._deliver(self.on_error, str(data["error"]))
            return
        with self._output_lock:
            self._output.append(bytes(data))
            if len(self._output) > 1:
                return  # a drain is already scheduled and will take this too
        self._deliver(self._drain_output)

    def _drain_output(self) -> None:  # on the event loop
        with self._output_lock:
            data, self._output = b"".join(self._output), []
        if data and not self.closed:
            self.on_output(data)

    def _open_result(self, error: Exception | None = None) -> None:
        if self._opening:
            self._opening = False
            self._resolve(self._opened, error)

    def _start_open(self) -> None:
        LOOP.attach(self)
        self._opening = True
        try:
            self.console = _nonblocking_console_class()(
                bmc=self.target.host,
                userid=self.target.username.encode(),
                password=self.target.password.encode(),
                port=self.target.port,
                iohandler=self._handler,
                force=True,
            )
        except Exception as error:  # noqa: BLE001 - pyghmi raises several kinds for an unreachable BMC
            self._open_result(ConsoleError(str(error) or type(error).__name__))

    def _send(self, data: bytes) -> None:
        if self.console is not None and not self.closed:
            self.console.send_data(data)

    def _tick(self, now: float) -> None:
        if self.closed and not self._close_deadline:  # the event loop went away without closing
            self._start_close()
        if self._close_deadline:
            self._tick_close(now)
            return
        console = self.console
        if console is None:
            return
        if self._opening:
            console.activate_due()
            if console.connected:
                self._open_result()
            elif console.broken:
                reason = f" ({self._refusal})" if self._refusal else ""
                self._open_result(ConsoleError(f"the BMC refused the serial console{reason}"))
            elif now > self._open_deadline:
                self._open_result(ConsoleError("the BMC did not open its serial console in time"))
            return
        console.resend_due(now)

    def _start_close(self) -> None:
        self._close_deadline = time.monotonic() + CLOSE_TIMEOUT
        self._tick_close(time.monotonic())

    def _tick_close(self, now: float) -> None:
        """Deactivate the payload without blocking the loop: sent once the session has no command in flight,
        answered through a callback, given up after CLOSE_TIMEOUT."""
        if self._close_done:
            return
        console = self.console
        session = console.ipmi_session if console is not None else None
        if now >= self._close_deadline or session is None or not console.activated or not session.logged:
            self._finish_close()
            return
        if self._close_sent or session._isincommand():
            return  # the answer is awaited, or a keepalive is in flight (sent on a later tick)
        session.unregister_keepalive(console.keepaliveid)
        self._close_sent = True
        if not _send(session, DEACTIVATE_PAYLOAD, DEACTIVATE_SOL, lambda response: self._finish_close()):
            self._finish_close()  # the session broke: nothing left to deactivate

    def _finish_close(self) -> None:
        if self._close_done:
            return
        self._close_done = True
        console = self.console
        if console is not None:
            console.activated = False
            console.broken = True
            session = console.ipmi_session
            if session is not None:
                session.unregister_keepalive(console.keepaliveid)
                if getattr(session.sol_handler, "__self__", None) is console:
                    session.sol_handler = None
        LOOP.detach(self)
        self._open_result(ConsoleError("closed"))
        self._resolve(self._closing)
