"""Shared by the DCIM services: the secret-reveal permission, unit ranges in words."""

from __future__ import annotations

from dcim.models import (
    unit_range_text,
)

SECRET_REVEAL_PERMISSION = "dcim.reveal_device_secret"


def _units_text(units) -> str:
    units = sorted(units)
    return unit_range_text(units[0], units[-1])
