"""Declarations of service monitoring's models (checks, maintenance windows, contacts, incidents)."""

from core.registry import ModelSpec, register
from monitoring import checks as check_services
from monitoring.check_models import Check, Incident, MaintenanceWindow, MonitoringContact
from monitoring.choices import CHECK_STATE_COLOURS

# The services that write each model (the generated admin and API call only these; Incident is read-only there:
# results open and close incidents, staff acknowledge through monitoring.incidents).

WRITE_SERVICES = {
    Check: {
        "create": check_services.check_create,
        "update": check_services.check_update,
        "delete": check_services.check_delete,
    },
    MaintenanceWindow: {
        "create": check_services.maintenance_window_create,
        "update": check_services.maintenance_window_update,
        "delete": check_services.maintenance_window_delete,
    },
    MonitoringContact: {
        "create": check_services.contact_create,
        "update": check_services.contact_update,
        "delete": check_services.contact_delete,
    },
    Incident: {},  # opened and closed by results only; acknowledged through monitoring.incidents
}

register(
    ModelSpec(
        model=Check,
        **WRITE_SERVICES[Check],
        list_display=("name", "company", "kind", "state", "last_response_ms", "last_checked_at", "paused"),
        search_fields=("name", "host", "company__name", "device__name", "ip_address__address"),
        filter_fields=("kind", "state", "paused", "company"),
        select_related=("company", "device", "ip_address"),
        autocomplete_fields=("company", "device", "ip_address"),
        readonly_fields=(
            "state",
            "state_changed_at",
            "consecutive_failures",
            "last_checked_at",
            "last_ok",
            "last_response_ms",
            "last_message",
            "cert_expires_at",
        ),
        export_fields=(
            "id",
            "company",
            "name",
            "kind",
            "device",
            "ip_address",
            "host",
            "port",
            "path",
            "expected_status",
            "keyword",
            "interval_seconds",
            "timeout_seconds",
            "retries",
            "down_after",
            "paused",
        ),
        importable=False,
        api_fields=(
            "id",
            "company",
            *check_services.CHECK_EDITABLE,
            "state",
            "state_changed_at",
            "last_checked_at",
            "last_ok",
            "last_response_ms",
            "last_message",
            "cert_expires_at",
        ),
        api_read_only_fields=(
            "state",
            "state_changed_at",
            "last_checked_at",
            "last_ok",
            "last_response_ms",
            "last_message",
            "cert_expires_at",
        ),
        badges={"state": CHECK_STATE_COLOURS},
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=MaintenanceWindow,
        **WRITE_SERVICES[MaintenanceWindow],
        list_display=("service_check", "starts_at", "ends_at", "reason"),
        search_fields=("service_check__name", "reason"),
        filter_fields=("service_check__company",),
        select_related=("service_check__company", "service_check__device", "service_check__ip_address"),
        autocomplete_fields=("service_check",),
        importable=False,
        api_fields=("id", "service_check", "starts_at", "ends_at", "reason"),
        ordering=("-starts_at",),
        tenancy="service_check__company",
    )
)

register(
    ModelSpec(
        model=MonitoringContact,
        **WRITE_SERVICES[MonitoringContact],
        list_display=("name", "company", "email", "phone", "notify_down", "notify_up", "is_active"),
        search_fields=("name", "email", "company__name"),
        filter_fields=("company", "is_active"),
        select_related=("company",),
        autocomplete_fields=("company",),
        importable=False,
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=Incident,
        list_display=("service_check", "company", "opened_at", "closed_at", "flapping", "acknowledged_by"),
        search_fields=("service_check__name", "company__name", "cause"),
        filter_fields=("company", "flapping"),
        select_related=(
            "service_check__device",
            "service_check__ip_address",
            "company",
            "acknowledged_by",
        ),
        autocomplete_fields=("service_check", "company"),
        readonly_fields=(
            "service_check",
            "company",
            "opened_at",
            "closed_at",
            "cause",
            "flapping",
            "acknowledged_by",
            "acknowledged_at",
        ),
        admin_addable=False,
        importable=False,
        api_read_only_fields=(
            "service_check",
            "company",
            "opened_at",
            "closed_at",
            "cause",
            "flapping",
            "acknowledged_by",
            "acknowledged_at",
        ),
        ordering=("-opened_at",),
        tenancy="company",
    )
)
