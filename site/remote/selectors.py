"""Reads of the remote app: recent jobs and sessions of a server, the collector's BMC targets."""

from __future__ import annotations

from dcim.models import Device
from remote.models import ConsoleSession, PowerJob


def recent_power_jobs(*, device: Device, limit: int = 10) -> list[PowerJob]:
    """The latest power jobs of ``device``, newest first (one query)."""
    return list(PowerJob.objects.filter(device=device).order_by("-requested_at", "-pk")[:limit])


def recent_console_sessions(*, device: Device, limit: int = 5) -> list[ConsoleSession]:
    return list(ConsoleSession.objects.filter(device=device).order_by("-opened_at", "-pk")[:limit])


def bmc_targets(*, shard_index: int = 0, shard_count: int = 1) -> list[dict]:
    """The BMCs of one shard with their credentials decrypted: only for the collector channel."""
    from collector.shard import shard_of

    devices = (
        Device.objects.filter(ipmi_address__isnull=False)
        .exclude(ipmi_username="")
        .only("pk", "name", "ipmi_address", "ipmi_port", "ipmi_username", "ipmi_password")
        .order_by("pk")
    )
    return [
        {
            "id": device.pk,
            "name": device.name,
            "address": device.ipmi_address,
            "port": device.ipmi_port,
            "username": device.ipmi_username,
            "password": device.ipmi_password,
            "interval": 60,
        }
        for device in devices
        if shard_of(device.pk, shard_count) == shard_index and device.ipmi_password
    ]
