"""django-q2 tasks of the monitoring app: thin wrappers around services."""

from monitoring import services


def check_bandwidth_thresholds() -> int:
    """Queued after each ingest batch with rates: announces commit thresholds crossed."""
    return len(services.bandwidth_thresholds_check())
