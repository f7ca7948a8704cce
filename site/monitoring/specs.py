"""Declarations of the monitoring models."""

from core.registry import ModelSpec, register
from monitoring.choices import EVENT_SEVERITY_COLOURS
from monitoring.models import CollectorToken, DeviceHealth, InterfaceState, MonitoringEvent

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
