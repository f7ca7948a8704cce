"""A bridge between pyghmi's serial-over-LAN console and asyncio (one per open browser console).

pyghmi is synchronous and keeps its own I/O thread: packets it receives are only processed by whoever calls
``Session.wait_for_rsp``. So one daemon thread per process (:class:`_Pump`) calls it in a loop for every
console; ``Console.send_data`` blocks until the BMC acknowledges, so keystrokes go out from a single worker
thread per console (in order, never on the event loop); output reaches the loop through
``call_soon_threadsafe``. Credentials are bytes (``../shared/TESTBED.md``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable

from collector.ipmi import BmcTarget


class _Pump:
    """Runs pyghmi's event loop in one daemon thread while any console is open."""

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="pyghmi-sol-pump", daemon=True)
                self._thread.start()

    def release(self) -> None:
        with self._lock:
            self._users = max(0, self._users - 1)

    def _run(self) -> None:
        from pyghmi.ipmi.private import session

        idle_since = None
        while True:
            with self._lock:
                if self._users == 0:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > 30:
                        self._thread = None
                        return
                else:
                    idle_since = None
            try:
                session.Session.wait_for_rsp(timeout=0.05)
            except Exception:  # a broken session must not end the pump for the others  # noqa: BLE001
                time.sleep(0.05)


PUMP = _Pump()


class ConsoleError(Exception):
    """The console could not be opened or broke."""


class SolBridge:
    """One SOL console: ``open()`` connects, ``send()`` types, output and errors arrive on the callbacks."""

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
        self._sender = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sol-send")

    def _handler(self, data) -> None:
        # Called on pyghmi's threads, which serve every console of the process: raising here would break
        # another console's packet handling (pyghmi calls every session's handler from whichever thread waits).
        if self.closed:
            return
        if isinstance(data, dict):
            if "error" in data:
                self._deliver(self.on_error, str(data["error"]))
            return
        self._deliver(self.on_output, bytes(data))

    def _deliver(self, callback, *args) -> None:
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the event loop is closed: nobody is left to tell, stop listening
            self.closed = True

    def _open(self, timeout: float) -> None:
        from pyghmi.ipmi import console

        PUMP.acquire()
        self.console = console.Console(
            bmc=self.target.host,
            userid=self.target.username.encode(),
            password=self.target.password.encode(),
            port=self.target.port,
            iohandler=self._handler,
            force=True,
        )
        deadline = time.monotonic() + timeout
        while not (self.console.connected or self.console.broken) and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self.console.connected:
            raise ConsoleError(
                "the BMC did not open its serial console in time"
                if not self.console.broken
                else "the BMC refused the serial console"
            )

    async def open(self, *, timeout: float = 10.0) -> None:
        """Connect (in a worker thread); ConsoleError when the BMC does not answer or refuses within ``timeout``."""
        try:
            await asyncio.wait_for(self.loop.run_in_executor(self._sender, self._open, timeout), timeout + 2)
        except TimeoutError as error:
            raise ConsoleError("the BMC did not answer") from error

    def _send(self, data: bytes) -> None:
        if self.console is not None and not self.closed:
            self.console.send_data(data)

    async def send(self, data: bytes) -> None:
        """Type ``data`` (queued behind earlier keystrokes; returns at once)."""
        if not self.closed:
            self.loop.run_in_executor(self._sender, self._send, data)

    def _close(self) -> None:
        try:
            if self.console is not None:
                self.console.close()
        finally:
            PUMP.release()

    async def close(self) -> None:
        """Deactivate the SOL payload (best effort, bounded) and stop the worker."""
        if self.closed:
            return
        self.closed = True
        try:
            await asyncio.wait_for(self.loop.run_in_executor(self._sender, self._close), 5)
        except (TimeoutError, Exception):  # noqa: BLE001 - closing a dead BMC's console is best effort
            pass
        self._sender.shutdown(wait=False)
