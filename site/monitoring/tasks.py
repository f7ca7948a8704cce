"""django-q2 tasks of the monitoring app: thin wrappers around services."""

from monitoring import bandwidth


def check_bandwidth_thresholds(interface_ids: list[int] | None = None) -> int:
    """Announces commit thresholds crossed by ``interface_ids`` (every interface with rates when None)."""
    if interface_ids is None:
        return len(bandwidth.thresholds_evaluate_all())
    return len(bandwidth.thresholds_evaluate(interface_ids=interface_ids))
