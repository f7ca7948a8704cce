"""Declarations of the monitoring models.

Write services (the ``create=/update=/delete=`` contract, wired by the lead once ``ModelSpec`` has the fields):
``AbuseReport``: ``monitoring.abuse.abuse_report_create`` / ``abuse_report_update`` / ``abuse_report_delete``.
Bandwidth usage, reports and notices are made by ``monitoring.overage`` and ``monitoring.bandwidth`` only (read-only).
"""

from core.registry import ModelSpec, register
from monitoring import abuse
from monitoring.choices import ABUSE_STATUS_COLOURS, EVENT_SEVERITY_COLOURS
from monitoring.models import (
    AbuseReport,
    BandwidthNotice,
    BandwidthReport,
    BandwidthUsage,
    CollectorToken,
    DeviceHealth,
    InterfaceState,
    MonitoringEvent,
)

register(
    ModelSpec(
        model=CollectorToken,
        list_display=("name", "prefix", "created_at", "last_used_at", "revoked_at"),
        search_fields=("name", "prefix"),
        readonly_fields=("prefix", "created_at", "last_used_at"),
        admin_addable=False,
        importable=False,
        export_fields=("name", "prefix", "created_at", "last_used_at", "revoked_at"),
        api=False,
        secret_fields=("secret_hash",),
        tenancy=None,
    )
)

register(
    ModelSpec(
        model=DeviceHealth,
        list_display=("device", "reachable", "changed_at", "last_seen_at"),
        search_fields=("device__name",),
        filter_fields=("reachable",),
        select_related=("device",),
        autocomplete_fields=("device",),
        admin_addable=False,
        importable=False,
        api_read_only_fields=("device", "reachable", "changed_at", "last_seen_at"),
        tenancy="device__company",
    )
)

register(
    ModelSpec(
        model=InterfaceState,
        list_display=("interface", "oper_status", "in_mbps", "out_mbps", "commit_mbps", "rates_at"),
        search_fields=("interface__name", "interface__device__name", "alias"),
        filter_fields=("oper_status",),
        select_related=("interface__device",),
        autocomplete_fields=("interface",),
        readonly_fields=(
            "if_index",
            "oper_status",
            "status_changed_at",
            "in_bps",
            "out_bps",
            "in_errors_ps",
            "out_errors_ps",
            "in_discards_ps",
            "out_discards_ps",
            "rates_at",
        ),
        admin_addable=False,
        api_read_only_fields=("interface", "if_index", "oper_status", "in_bps", "out_bps", "rates_at"),
        tenancy="interface__device__company",
    )
)

register(
    ModelSpec(
        model=MonitoringEvent,
        list_display=("occurred_at", "device", "interface", "kind", "severity", "message"),
        search_fields=("message", "device__name", "interface__name"),
        filter_fields=("kind", "severity", "device"),
        select_related=("device", "interface"),
        autocomplete_fields=("device", "interface"),
        admin_addable=False,
        importable=False,
        badges={"severity": EVENT_SEVERITY_COLOURS},
        ordering=("-occurred_at",),
        tenancy="device__company",
    )
)

# Service monitoring (checks, contacts, incidents) is declared in its own module.
from monitoring import check_specs  # noqa: E402, F401

register(
    ModelSpec(
        model=BandwidthUsage,
        list_display=(
            "period_start",
            "service",
            "commit_mbps",
            "billed_p95_mbps",
            "utilisation_percent",
            "overage_mbps",
            "overage_amount",
            "currency",
            "final",
        ),
        search_fields=("service__company__name", "service__label", "service__plan__product__name"),
        filter_fields=("period_start", "final", "currency"),
        select_related=("service__company", "service__plan__product"),
        autocomplete_fields=("service",),
        admin_addable=False,
        importable=False,
        ordering=("-period_start", "service__company__name"),
        api_read_only_fields=(
            "service",
            "period_start",
            "period_end",
            "samples",
            "expected_samples",
            "in_p95_bps",
            "out_p95_bps",
            "billed_p95_bps",
            "in_bytes",
            "out_bytes",
            "commit_mbps",
            "burst_mbps",
            "overage_mbps",
            "overage_price",
            "overage_amount",
            "currency",
            "final",
            "charge_id",
        ),
        tenancy="service__company",
    )
)

register(
    ModelSpec(
        model=BandwidthReport,
        list_display=("__str__", "services", "services_over", "charges_recorded", "sent_at"),
        ordering=("-period_start",),
        admin_addable=False,
        importable=False,
        api=False,
        tenancy=None,
    )
)

register(
    ModelSpec(
        model=BandwidthNotice,
        list_display=("created_at", "company", "service", "interface", "level", "percent", "commit_mbps"),
        search_fields=("company__name", "interface__device__name", "interface__name"),
        filter_fields=("level", "period_start", "company"),
        select_related=("company", "service__plan__product", "interface__device"),
        autocomplete_fields=("company", "service", "interface"),
        admin_addable=False,
        importable=False,
        api_read_only_fields=(
            "company",
            "service",
            "interface",
            "level",
            "percent",
            "measured_bps",
            "commit_mbps",
            "period_start",
            "period_end",
            "emailed_to",
        ),
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=AbuseReport,
        # The admin's form goes through these too (monitoring.admin.AbuseReportAdmin gives them the form's fields).
        create=abuse.abuse_report_create,
        update=abuse.abuse_report_update,
        delete=abuse.abuse_report_delete,
        list_display=("reported_at", "company", "kind", "summary", "status", "service", "ip_address", "ticket"),
        search_fields=("summary", "company__name", "ip_address"),
        filter_fields=("status", "kind", "company"),
        select_related=("company", "service__plan__product", "ticket"),
        autocomplete_fields=("company", "service", "ticket"),
        badges={"status": ABUSE_STATUS_COLOURS},
        readonly_fields=("acknowledged_at", "acknowledged_by", "resolved_at", "created_by"),
        api_read_only_fields=("company", "status", "acknowledged_at", "resolved_at", "ticket"),
        ordering=("-reported_at",),
        tenancy="company",
    )
)
