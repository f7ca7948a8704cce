"""The serial console in the browser: a WebSocket bridging xterm.js to the server's SOL through pyghmi.

``ws/remote/console/<device id>/``. Opens only for a user who may use the server's console (staff with
``remote.use_console``; the owning company's owner/technical members; another company's server is "not
found") and who re-authenticated within allauth's timeout. One session per server: a new one takes over
and the first is told. Closed on idle, when access is withdrawn (re-checked every
``REMOTE_CONSOLE_RECHECK_SECONDS``), or at sign-out. Every session is audited (``ConsoleSession``).

Messages: client ``{"type": "input", "data": "..."}``, ``{"type": "resize", "cols": 80, "rows": 24}``;
server ``{"type": "output", "data": "..."}``, ``{"type": "status", "state": "connecting"|"connected"|"closed",
"message": "..."}``.
"""

from __future__ import annotations

import asyncio
import codecs
import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from core.consumers import AuthenticatedConsumer
from remote.choices import ConsoleEnd

MAX_INPUT = 4096


def console_group(device_id: int) -> str:
    return f"remote-console-{device_id}"


def user_group(user_id: int) -> str:
    return f"remote-user-{user_id}"


def _device_for(user, device_id: int):
    from core.tenancy import for_user
    from dcim.models import Device

    return for_user(Device, user).filter(pk=device_id).first()


def _open_audit(user, device_id: int, session, address, agent):
    """The device and its audit row, or (None, message, close code) when the user may not."""
    from remote import reauth, services

    device = _device_for(user, device_id)
    if device is None:
        return None, None, "Server not found.", 4404
    if not services.may_use_console(device=device, user=user):
        return None, None, f"You may not open the console of {device.name}.", 4403
    if not reauth.recently_reauthenticated(user=user, session=session):
        return None, None, "Confirm your password on the console page first.", 4401
    try:
        audit = services.console_session_open(device=device, actor=user, ip_address=address, user_agent=agent)
    except (PermissionDenied, ValidationError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return None, None, text, 4403
    return device, audit, "", 0


def _still_allowed(user, device_id: int) -> bool:
    from accounts.models import User
    from remote import services

    fresh = User.objects.filter(pk=user.pk, is_active=True).first()
    device = _device_for(fresh, device_id) if fresh else None
    return device is not None and services.may_use_console(device=device, user=fresh)


def _others_open(device_id: int, audit_pk: int) -> bool:
    """Whether another console session of the server is still open (its SOL payload not yet released)."""
    from remote.models import ConsoleSession

    return ConsoleSession.objects.filter(device_id=device_id, closed_at__isnull=True).exclude(pk=audit_pk).exists()


def _close_audit(audit, reason, to_host, from_host, transcript):
    from remote import services

    services.console_session_close(
        console_session=audit, reason=reason, bytes_to_host=to_host, bytes_from_host=from_host, transcript=transcript
    )


class ConsoleConsumer(AuthenticatedConsumer):
    """See the module docstring."""

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # An application that is cancelled (server shutdown, a client gone past the server's close timeout,
            # a test communicator's time-out) never gets websocket.disconnect: still end the BMC's console and
            # close the audit row, or the SOL session and the pump stay open for good.
            if getattr(self, "bridge", None) is not None or getattr(self, "audit", None) is not None:
                await asyncio.shield(self._teardown())

    async def on_connected(self):
        from remote.console import ConsoleError, SolBridge
        from remote.services import bmc_target

        self.bridge = None
        self.audit = None
        self.reason = ConsoleEnd.CLOSED
        self.to_host = self.from_host = 0
        self.transcript: list[str] = []
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.outgoing: list[str] = []
        self.flusher: asyncio.Future | None = None
        self.last_input = time.monotonic()
        self.watchers: list[asyncio.Task] = []
        user = self.scope["user"]
        self.device_id = int(self.scope["url_route"]["kwargs"]["device_id"])
        headers = dict(self.scope.get("headers") or [])
        address = (self.scope.get("client") or [None])[0]
        agent = headers.get(b"user-agent", b"").decode(errors="replace")
        device, audit, message, code = await database_sync_to_async(_open_audit)(
            user, self.device_id, self.scope.get("session"), address, agent
        )
        if device is None:
            await self.send_json({"type": "status", "state": "closed", "message": message})
            await self.close(code=code)
            return
        self.audit = audit
        self.group = console_group(self.device_id)
        # Take over: everyone else on this server's console is told and closes, then this one joins.
        await self.channel_layer.group_send(
            self.group, {"type": "console.takeover", "by": user.email, "channel": self.channel_name}
        )
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        # The console taken over releases the BMC's SOL payload, then closes its session row: wait for that
        # (bounded by its own 5 s goodbye), or its deactivation would end this console as soon as it opens.
        release_by = asyncio.get_running_loop().time() + 6
        while asyncio.get_running_loop().time() < release_by and await database_sync_to_async(_others_open)(
            self.device_id, audit.pk
        ):
            await asyncio.sleep(0.2)
        await self.send_json({"type": "status", "state": "connecting", "message": f"Connecting to {device.name}…"})
        target = await database_sync_to_async(bmc_target)(device)
        loop = asyncio.get_running_loop()
        timeout = float(getattr(settings, "REMOTE_CONSOLE_CONNECT_TIMEOUT", 10))
        deadline = loop.time() + timeout
        while True:
            self.bridge = SolBridge(target, loop=loop, on_output=self._output, on_error=self._bmc_error)
            try:
                await self.bridge.open(timeout=max(1.0, deadline - loop.time()))
                break
            except ConsoleError as error:
                # A console taken over a moment ago may still hold the BMC's SOL payload: try again until the
                # connect timeout, then say why.
                if self.bridge is not None:
                    await self.bridge.close()
                if loop.time() + 0.5 >= deadline:
                    await self._finish(ConsoleEnd.BMC_ERROR, f"Could not open the console of {device.name}: {error}.")
                    return
                await asyncio.sleep(0.5)
        await self.send_json({"type": "status", "state": "connected", "message": f"Connected to {device.name}."})
        self.watchers = [asyncio.create_task(self._watch())]

    # From the BMC (on the event loop, via call_soon_threadsafe) ------------------------------------

    def _output(self, data: bytes) -> None:
        self.from_host += len(data)
        text = self.decoder.decode(data)
        if getattr(settings, "REMOTE_CONSOLE_TRANSCRIPTS", False):
            self.transcript.append(text)
        if text:
            # One sender at a time, so output keeps its order; what arrives while it sends goes in one message.
            self.outgoing.append(text)
            if self.flusher is None or self.flusher.done():
                self.flusher = asyncio.ensure_future(self._flush_output())

    async def _flush_output(self) -> None:
        while self.outgoing:
            text = "".join(self.outgoing)
            self.outgoing.clear()
            await self.send_json({"type": "output", "data": text})

    def _bmc_error(self, message: str) -> None:
        if self.bridge is not None and not self.bridge.closed:
            asyncio.ensure_future(self._finish(ConsoleEnd.BMC_ERROR, f"The BMC ended the console: {message}."))

    # From the browser ------------------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        # Keystrokes are not re-checked one by one (a query each); the periodic re-check and the sign-out,
        # role and membership signals (core.consumers) close the console when access goes.
        if self.bridge is None or self.bridge.closed:
            return
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "input":
            data = str(content.get("data", ""))[:MAX_INPUT].encode()
            if data:
                self.last_input = time.monotonic()
                self.to_host += len(data)
                await self.bridge.send(data)
        elif kind == "resize":
            cols, rows = content.get("cols"), content.get("rows")
            if isinstance(cols, int) and isinstance(rows, int) and 0 < cols <= 1000 and 0 < rows <= 1000:
                # SOL carries no window size; the page's terminal re-flows, the host keeps its own settings.
                await self.send_json({"type": "resized", "cols": cols, "rows": rows})
        elif kind == "ping":
            await self.send_json({"type": "pong"})

    # Group messages --------------------------------------------------------------------------------

    async def console_takeover(self, event):
        if event.get("channel") == self.channel_name:
            return
        await self._finish(
            ConsoleEnd.TAKEN_OVER, f"{event.get('by', 'Someone')} opened this console; you were disconnected."
        )

    async def console_signed_out(self, event):
        await self._finish(ConsoleEnd.SIGNED_OUT, "You signed out.")

    async def socket_close(self, message):
        """core's ``socket.close`` (the session signed out): end the console with its reason and audit first."""
        await self._finish(ConsoleEnd.SIGNED_OUT, "You signed out.")

    async def still_allowed(self) -> bool:
        """core's re-check (periodic, and on role or membership changes): a console that loses access ends with
        its reason and audit, not a bare close."""
        refusal = await database_sync_to_async(self.refusal)()
        if refusal is None:
            return True
        await self._finish(ConsoleEnd.ACCESS_LOST, "Your access to this server was withdrawn.")
        return False

    # Watchers and the end --------------------------------------------------------------------------

    async def _watch(self):
        idle = float(getattr(settings, "REMOTE_CONSOLE_IDLE_SECONDS", 900))
        recheck = float(getattr(settings, "REMOTE_CONSOLE_RECHECK_SECONDS", 15))
        next_check = time.monotonic() + recheck
        while self.bridge is not None and not self.bridge.closed:
            await asyncio.sleep(min(1.0, idle / 4, recheck / 4))
            if time.monotonic() - self.last_input > idle:
                await self._finish(ConsoleEnd.IDLE, f"Closed after {idle / 60:g} minutes without typing.")
                return
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + recheck
                if not await database_sync_to_async(_still_allowed)(self.scope["user"], self.device_id):
                    await self._finish(ConsoleEnd.ACCESS_LOST, "Your access to this server was withdrawn.")
                    return

    async def _finish(self, reason: str, message: str) -> None:
        if getattr(self, "finished", False):
            return
        self.finished = True
        self.reason = reason
        if reason != ConsoleEnd.TAKEN_OVER:  # taken over: closed once the payload is released (_teardown)
            await self._close_audit()  # recorded before the user is told
        try:
            await self.send_json({"type": "status", "state": "closed", "reason": reason, "message": message})
        except Exception:  # noqa: BLE001 - the socket may be gone already
            pass
        await self._teardown()
        await self.close(code=4000)

    async def _teardown(self) -> None:
        for task in getattr(self, "watchers", []):
            if task is not asyncio.current_task():
                task.cancel()
        if getattr(self, "reason", None) != ConsoleEnd.TAKEN_OVER:
            await self._close_audit()  # before the BMC's (bounded, possibly slow) goodbye
        bridge, self.bridge = getattr(self, "bridge", None), None
        if bridge is not None:
            await bridge.close()
        await self._close_audit()  # taken over: after the payload is released, which the new console waits for
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)
            user = self.scope.get("user")
            await self.channel_layer.group_discard(user_group(user.pk), self.channel_name)

    async def _close_audit(self) -> None:
        audit, self.audit = getattr(self, "audit", None), None
        if audit is not None:
            await database_sync_to_async(_close_audit)(
                audit, self.reason, self.to_host, self.from_host, "".join(self.transcript)
            )

    async def disconnect(self, code):
        await self._teardown()
        await super().disconnect(code)  # leaves the user's and session's groups, stops the periodic re-check
