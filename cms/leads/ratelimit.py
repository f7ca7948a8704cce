"""A fixed-window rate limit per client IP address, kept in the Django cache (Redis in production)."""

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMIT = 5
DEFAULT_WINDOW_SECONDS = 3600


def client_ip(request) -> str:
    """The visitor's address: ``REMOTE_ADDR``, or the header named by ``CMS_CLIENT_IP_HEADER`` behind a proxy.

    The proxy header (e.g. ``HTTP_X_REAL_IP``) is only trusted when configured, since clients can forge it.
    """
    header = getattr(settings, "CMS_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:45]


def quote_rate_limit_exceeded(ip: str) -> bool:
    """Count one attempt for ``ip``; True when it has made more than the allowed attempts in this window."""
    limit = getattr(settings, "CMS_QUOTE_RATE_LIMIT", DEFAULT_LIMIT)
    window = getattr(settings, "CMS_QUOTE_RATE_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)
    key = f"cms:quote-attempts:{ip}"
    cache.add(key, 0, timeout=window)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        attempts = 1
    return attempts > limit
