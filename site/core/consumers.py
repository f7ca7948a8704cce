"""The base of every WebSocket consumer: signed-in users only, staff with a second factor when required."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings


def _may_connect(user, *, staff_only: bool) -> bool:
    from accounts.mfa import user_has_mfa

    if not user or not user.is_authenticated or not user.is_active:
        return False
    if staff_only and not user.is_staff:
        return False
    return not (user.is_staff and settings.SERVERSTOCK_REQUIRE_STAFF_MFA and not user_has_mfa(user))


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Closes the socket (code 4401/4403) unless the user may connect; subclasses add their groups."""

    staff_only = False

    async def connect(self):
        user = self.scope.get("user")
        if not user or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await database_sync_to_async(_may_connect)(user, staff_only=self.staff_only):
            await self.close(code=4403)
            return
        await self.accept()
        await self.on_connected()

    async def on_connected(self):
        """Hook for subclasses: join groups, send the initial state."""


class PingConsumer(AuthenticatedConsumer):
    """Answers ``{"type": "ping"}`` with ``{"type": "pong"}``: lets clients and tests check the socket path."""

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "user": self.scope["user"].email})
