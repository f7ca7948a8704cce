"""Shared by the DCIM services: the secret-reveal permission, unit ranges in words."""

from __future__ import annotations

from dcim.selectors import _units_text  # noqa: F401 - the services' own name for it

SECRET_REVEAL_PERMISSION = "dcim.reveal_device_secret"
