"""Every write of the catalog app (being split into modules by concern)."""

from catalog.services.lifecycle import *  # noqa: F403
