"""django-q2 tasks of the monitoring app: thin wrappers around services."""


def check_bandwidth_thresholds(interface_ids: list[int] | None = None) -> int:
    """Queued after each ingest batch with rates: announces the bandwidth levels reached."""
    from monitoring.bandwidth import thresholds_evaluate

    return len(thresholds_evaluate(interface_ids=interface_ids))


def bandwidth_month_end(run_date: str | None = None) -> str:
    """Scheduled on the 1st (``monitoring: bandwidth month end``): last month's usage, report and overage."""
    from datetime import date

    from monitoring.overage import month_end_run

    return month_end_run(run_date=date.fromisoformat(run_date) if run_date else None).summary()


def bandwidth_usage_refresh() -> int:
    """Scheduled hourly: the running month's 95th percentile of every bandwidth service (portal and notices)."""
    from monitoring.overage import usage_refresh_current

    return usage_refresh_current()
