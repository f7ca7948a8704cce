"""Stable assignment of devices to collector shards (``--shard I/N``).

The hash is of the device id only (not Python's salted ``hash()``), so every collector and the portal agree
on which shard owns a device, across processes and restarts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based)."""

    index: int = 0
    count: int = 1

    def __post_init__(self):
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"A shard is I/N with 0 <= I < N; got {self.index}/{self.count}.")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Parse ``"I/N"`` (e.g. ``"0/2"``)."""
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError as error:
            raise ValueError(f"A shard is written I/N, e.g. 0/2; got {text!r}.") from error
        return cls(index, count)

    def owns(self, device_id: int) -> bool:
        """Whether this shard polls ``device_id``."""
        return shard_of(device_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(device_id: int, count: int) -> int:
    """The shard (0..count-1) that owns ``device_id``: a stable hash, evenly spread."""
    digest = hashlib.blake2b(str(int(device_id)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count
