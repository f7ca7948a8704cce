"""Live dedicated-server stock for the website, read from DCIM when it is installed.

DCIM's ``dcim.selectors.server_stock()`` returns ``[{"device_type": str, "slug": str, "available": int}, …]``.
It is imported lazily so that the website works (showing no counts) on an installation without DCIM, and its
answer is cached briefly: a landing page should not count servers on every request.
"""

import logging
from collections.abc import Callable

from django.apps import apps
from django.core.cache import cache

logger = logging.getLogger(__name__)

STOCK_CACHE_KEY = "cms:marketing:server-stock"
STOCK_CACHE_SECONDS = 60


def stock_function() -> Callable[[], list[dict]] | None:
    """DCIM's stock selector, or None while DCIM is not installed (the seam tests replace)."""
    if not apps.is_installed("dcim"):
        return None
    try:
        from dcim.selectors import server_stock
    except ImportError:
        logger.warning("dcim is installed but dcim.selectors.server_stock is missing; showing no stock counts.")
        return None
    return server_stock


def server_stock() -> dict[str, dict] | None:
    """Stock by device-type slug (``{"slug": {"device_type", "slug", "available"}}``), or None when unknown.

    None means "no stock data" (no DCIM, or DCIM failed): pages then show no counts rather than zero.
    """
    cached = cache.get(STOCK_CACHE_KEY)
    if cached is not None:
        return cached
    function = stock_function()
    if function is None:
        return None
    try:
        rows = list(function())
    except Exception:  # noqa: BLE001 - a broken selector must not take the marketing site down
        logger.exception("Reading server stock from DCIM failed; showing no stock counts.")
        return None
    stock = {}
    for row in rows:
        slug = str(row.get("slug") or "")
        if slug:
            stock[slug] = {
                "device_type": str(row.get("device_type") or slug),
                "slug": slug,
                "available": max(int(row.get("available") or 0), 0),
            }
    cache.set(STOCK_CACHE_KEY, stock, STOCK_CACHE_SECONDS)
    return stock
