"""WebSockets of the monitoring app: the NOC board (staff) and a company's own events (customers)."""

import asyncio
import json

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async

from core.consumers import AuthenticatedConsumer
from monitoring.services import NOC_GROUP, company_group

# Events are coalesced: at most one message per client per this many seconds.
COALESCE_SECONDS = 0.25
# Handlers that only buffer in memory: they skip Channels' per-message hop to a thread that closes stale database
# connections (with 500 boards, that hop was an eighth of the ASGI process's CPU in a burst).
IN_MEMORY_HANDLERS = frozenset({"monitoring.events", "monitoring.checks"})


def events_fragment(message: dict) -> str:
    """The events of a ``monitoring.events`` message as the inside of a JSON array.

    The sender encodes them once for every socket (``events_json``, see ``monitoring.services._publish``); a
    message with a plain ``events`` list is encoded here.
    """
    text = message.get("events_json")
    if text is None:
        text = json.dumps(message.get("events") or [])
    return text.strip()[1:-1].strip()


class CoalescingConsumer(AuthenticatedConsumer):
    """Buffers ``monitoring.events`` and sends them in at most a few messages per second."""

    groups_joined: list[str]

    async def on_connected(self):
        self.buffer = []
        self.check_buffer = {}
        self.flusher = None
        if not await self.may_join():
            await self.close(code=4403)
            return
        self.groups_joined = await self.groups_for_user()
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"type": "hello", "groups": len(self.groups_joined)})

    async def groups_for_user(self) -> list[str]:
        raise NotImplementedError

    async def may_join(self) -> bool:
        return True

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "flusher", None):
            self.flusher.cancel()
        await super().disconnect(code)

    async def dispatch(self, message):
        if message.get("type") in IN_MEMORY_HANDLERS:
            handler = getattr(self, get_handler_name(message), None)
            if handler is not None:
                await handler(message)
                return
        await super().dispatch(message)

    async def monitoring_events(self, message):
        fragment = events_fragment(message)
        if fragment:
            self.buffer.append(fragment)
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._flush_later())

    async def monitoring_checks(self, message):
        # Only a check's latest change matters to a screen: later ones replace earlier ones in the buffer.
        for item in message["checks"]:
            self.check_buffer[item["check"]] = item
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._flush_later())

    async def _flush_later(self):
        await asyncio.sleep(COALESCE_SECONDS)
        events, self.buffer = self.buffer, []
        checks, self.check_buffer = list(self.check_buffer.values()), {}
        if events:
            # The fragments are the senders' JSON, joined: no socket encodes the events again.
            await self.send(text_data='{"type": "events", "events": [' + ",".join(events) + "]}")
        if checks:
            await self.send_json({"type": "checks", "checks": checks})


class NocConsumer(CoalescingConsumer):
    """The NOC board's feed: every event and check change; NOC and Administrator staff only."""

    staff_only = True
    # A staff member whose groups no longer grant monitoring is closed (within the re-check interval).
    permissions = ("monitoring.view_monitoringevent",)

    async def may_join(self) -> bool:
        from monitoring.noc_views import may_use_board

        return await database_sync_to_async(may_use_board)(self.scope["user"])

    async def groups_for_user(self) -> list[str]:
        return [NOC_GROUP]


class CompanyEventsConsumer(CoalescingConsumer):
    """A customer's feed: the events of the companies the user is a member of."""

    async def groups_for_user(self) -> list[str]:
        from core.tenancy import member_company_ids

        self.company_ids = set(await database_sync_to_async(member_company_ids)(self.scope["user"]))
        return [company_group(company_id) for company_id in sorted(self.company_ids)]

    def permitted(self, user) -> bool:
        """Closed once the user lost a membership this socket listens for (it reconnects with the rest)."""
        from core.tenancy import member_company_ids

        return set(member_company_ids(user)) >= getattr(self, "company_ids", set())
