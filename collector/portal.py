"""A small async client for the portal's collector API (standard library only: urllib in a thread).

``targets()`` fetches the shard's devices; ``send()`` posts an ingest batch, keeping a bounded backlog
while the portal is unreachable and re-sending it, oldest first, once it answers again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from collections import deque

log = logging.getLogger("collector.portal")


class PortalError(Exception):
    """The portal could not be reached or refused the request."""


class PortalClient:
    """Talks to ``/api/monitoring/collector/`` with the collector token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 15.0,
        retries: int = 3,
        backoff: float = 0.5,
        backlog_limit: int = 1000,
        ingest_path: str = "/api/monitoring/collector/ingest/",
    ):
        self.ingest_path = ingest_path
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.backlog: deque[dict] = deque(maxlen=backlog_limit)
        self.dropped_batches = 0

    def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - our portal
                payload = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode(errors="replace")
            raise PortalError(f"{method} {path}: HTTP {error.code} {detail}") from error
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            raise PortalError(f"{method} {path}: {error}") from error
        return json.loads(payload) if payload else {}

    async def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        """One request with retries and exponential backoff; client errors (4xx) are not retried."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return await asyncio.to_thread(self._request, method, path, body)
            except PortalError as error:
                if " HTTP 4" in str(error) or attempt == self.retries:
                    raise
                log.warning("portal request failed (%s); retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    async def targets(self, shard: str) -> dict:
        """The devices and interfaces of ``shard`` (``I/N``)."""
        return await self._call("GET", f"/api/monitoring/collector/targets/?shard={shard}")

    def queue(self, batch: dict) -> None:
        """Add ``batch`` to the backlog (the oldest is dropped when it is full); :meth:`send` posts it."""
        if len(self.backlog) == self.backlog.maxlen:
            self.dropped_batches += 1
        self.backlog.append(batch)

    async def check_targets(self, shard: str) -> dict:
        """The service checks of ``shard`` (``I/N``)."""
        return await self._call("GET", f"/api/monitoring/collector/checks/?shard={shard}")

    async def send(self, batch: dict | None) -> bool:
        """Queue ``batch`` and post the backlog oldest first; False when something is still waiting."""
        if batch:
            self.queue(batch)
        while self.backlog:
            try:
                await self._call("POST", self.ingest_path, self.backlog[0])
            except PortalError as error:
                if " HTTP 400 " in str(error):
                    # The portal will never accept this batch; keeping it would block every later one.
                    log.error("ingest batch rejected and dropped: %s", error)
                    self.backlog.popleft()
                    self.dropped_batches += 1
                    continue
                log.warning("ingest failed, %d batch(es) kept for later: %s", len(self.backlog), error)
                return False
            self.backlog.popleft()
        return True

    # IPMI (collector/ipmi.py): its own endpoints in the portal's remote app, apart from the SNMP ingest.

    async def ipmi_targets(self, shard: str) -> dict:
        """The BMCs of ``shard`` with their credentials."""
        return await self._call("GET", f"/api/remote/collector/targets/?shard={shard}")

    async def send_ipmi(self, batch: dict | None) -> bool:
        """Post BMC events and latest readings; a batch the portal cannot take now is dropped (the next poll
        brings fresh readings, and the reachability events are re-derived from the portal's state)."""
        if not batch:
            return True
        try:
            await self._call("POST", "/api/remote/collector/events/", batch)
        except PortalError as error:
            log.warning("IPMI batch not delivered: %s", error)
            return False
        return True
