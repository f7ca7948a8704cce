"""The base of every WebSocket consumer: signed-in users only, staff from a session that passed MFA.

A socket outlives the request that opened it, so its right to stay open is checked again:

* on every message the client sends (before the consumer acts on it);
* at once when its session signs out (``user_logged_out`` sends ``socket.close`` to the session's group) and
  when the user's staff flag, groups, memberships or second factor change (``socket.recheck`` to the user's
  group, see :mod:`core.socket_signals`);
* every ``SERVERSTOCK_WEBSOCKET_RECHECK_SECONDS`` (15 s by default) for anything else (session expiry, a
  password change elsewhere).

Each check reloads the session from the session store and the user from the database, as Django's
``get_user`` does for a request, so a signed-out, deactivated or demoted user is closed (4401/4403).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def user_socket_group(user_id: int) -> str:
    """The Channels group of every socket of one user."""
    return f"sockets.user.{user_id}"


def session_socket_group(session_key: str) -> str:
    """The Channels group of the sockets opened by one session (the key itself never leaves the process)."""
    return f"sockets.session.{hashlib.sha256(session_key.encode()).hexdigest()[:40]}"


def recheck_seconds() -> float:
    return float(getattr(settings, "SERVERSTOCK_WEBSOCKET_RECHECK_SECONDS", 15))


def _fresh_session(session_key: str | None):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store(session_key=session_key) if session_key else None


# How a staff session is judged (e.g. "did it pass MFA?"): functions (user, session) -> a refusal or None,
# registered by the app that owns sign-in (accounts.apps), so core needs no import of it.
STAFF_SESSION_CHECKS: list[Callable] = []


def register_staff_session_check(check: Callable) -> None:
    if check not in STAFF_SESSION_CHECKS:
        STAFF_SESSION_CHECKS.append(check)


def staff_session_refused(user, session) -> bool:
    """Whether a staff user's socket session is refused; with no check registered while staff MFA is required,
    it is (closed by default)."""
    if not STAFF_SESSION_CHECKS:
        return bool(getattr(settings, "SERVERSTOCK_REQUIRE_STAFF_MFA", False))
    return any(check(user, session) is not None for check in STAFF_SESSION_CHECKS)


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Closes the socket (code 4401/4403) unless the user may connect, and again once they may no longer.

    Subclasses set ``staff_only`` / ``permissions``, may narrow with :meth:`permitted` (sync, runs in a
    thread), join their groups in :meth:`on_connected` and act on client messages in :meth:`on_message`.
    """

    staff_only = False
    # Model permissions the user must hold (checked on connect and on every re-check).
    permissions: tuple[str, ...] = ()

    async def connect(self):
        user = self.scope.get("user")
        if not user or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        refusal = await database_sync_to_async(self.refusal)()
        if refusal is not None:
            await self.close(code=refusal)
            return
        await self.accept()
        self.socket_groups = [user_socket_group(self.user_id)]
        if self.session_key:
            self.socket_groups.append(session_socket_group(self.session_key))
        for group in self.socket_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.rechecker = asyncio.create_task(self._recheck_periodically())
        await self.on_connected()

    async def on_connected(self):
        """Hook for subclasses: join groups, send the initial state."""

    def permitted(self, user) -> bool:
        """Hook for subclasses (sync, in a thread): whether ``user`` may still use this socket."""
        return True

    def refusal(self) -> int | None:
        """The close code if this socket's user may not (or no longer) use it, else None (sync, in a thread)."""
        from django.contrib.auth import get_user

        session = _fresh_session(self.session_key)
        if session is None:
            return CLOSE_UNAUTHENTICATED
        # Django's own check: the session still exists, names this user, and the password did not change since.
        user = get_user(SimpleNamespace(session=session))
        if not user.is_authenticated or user.pk != self.user_id or not user.is_active:
            return CLOSE_UNAUTHENTICATED
        if self.staff_only and not user.is_staff:
            return CLOSE_FORBIDDEN
        if user.is_staff and staff_session_refused(user, session):
            return CLOSE_FORBIDDEN
        if self.permissions and not user.has_perms(self.permissions):
            return CLOSE_FORBIDDEN
        if not self.permitted(user):
            return CLOSE_FORBIDDEN
        self.scope["user"] = user
        return None

    async def still_allowed(self) -> bool:
        """Re-check now; closes the socket and answers False when the user may no longer use it."""
        refusal = await database_sync_to_async(self.refusal)()
        if refusal is None:
            return True
        await self.close(code=refusal)
        return False

    async def _recheck_periodically(self):
        while True:
            await asyncio.sleep(recheck_seconds())
            if not await self.still_allowed():
                return

    async def receive_json(self, content, **kwargs):
        if not await self.still_allowed():
            return
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "Send a JSON object."})
            return
        await self.on_message(content)

    async def on_message(self, content: dict):
        """Hook for subclasses: act on one client message (permission already re-checked)."""

    async def socket_recheck(self, message):
        """``socket.recheck``: something about the user changed; check again at once."""
        await self.still_allowed()

    async def socket_close(self, message):
        """``socket.close``: the session signed out."""
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def disconnect(self, code):
        rechecker = getattr(self, "rechecker", None)
        if rechecker is not None and rechecker is not asyncio.current_task():
            rechecker.cancel()
        for group in getattr(self, "socket_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)


class PingConsumer(AuthenticatedConsumer):
    """Answers ``{"type": "ping"}`` with ``{"type": "pong"}``: lets clients and tests check the socket path."""

    async def on_message(self, content):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "user": self.scope["user"].email})
