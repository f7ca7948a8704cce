"""Declarations of the remote app's models: audits only, read-only everywhere (rows come from services)."""

from core.registry import ModelSpec, register
from remote.choices import JOB_STATUS_COLOURS
from remote.models import BmcStatus, ConsoleSession, PowerJob

register(
    ModelSpec(
        model=PowerJob,
        list_display=(
            "requested_at",
            "device_name",
            "action",
            "status",
            "user_email",
            "ip_address",
            "source",
            "power_state",
        ),
        search_fields=("device_name", "user_email", "bmc_address"),
        filter_fields=("action", "status", "source", "as_staff", "device"),
        select_related=("device", "company", "user"),
        autocomplete_fields=("device", "company", "user"),
        readonly_fields=(
            "device",
            "device_name",
            "company",
            "user",
            "user_email",
            "as_staff",
            "ip_address",
            "user_agent",
            "action",
            "status",
            "source",
            "bmc_address",
            "bmc_port",
            "power_state",
            "bmc_answer",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
        ),
        admin_addable=False,
        importable=False,
        badges={"status": JOB_STATUS_COLOURS},
        ordering=("-requested_at",),
        api_fields=(
            "id",
            "device",
            "device_name",
            "action",
            "status",
            "source",
            "user_email",
            "as_staff",
            "ip_address",
            "power_state",
            "bmc_answer",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
        ),
        api_read_only_fields=(
            "id",
            "device",
            "device_name",
            "action",
            "status",
            "source",
            "user_email",
            "as_staff",
            "ip_address",
            "power_state",
            "bmc_answer",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
        ),
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=ConsoleSession,
        list_display=("opened_at", "device_name", "user_email", "ip_address", "closed_at", "end_reason"),
        search_fields=("device_name", "user_email"),
        filter_fields=("end_reason", "as_staff", "device"),
        select_related=("device", "company", "user"),
        autocomplete_fields=("device", "company", "user"),
        readonly_fields=(
            "device",
            "device_name",
            "company",
            "user",
            "user_email",
            "as_staff",
            "ip_address",
            "user_agent",
            "opened_at",
            "closed_at",
            "end_reason",
            "bytes_to_host",
            "bytes_from_host",
            "transcript",
        ),
        admin_addable=False,
        importable=False,
        ordering=("-opened_at",),
        api_fields=(
            "id",
            "device",
            "device_name",
            "user_email",
            "as_staff",
            "ip_address",
            "opened_at",
            "closed_at",
            "end_reason",
            "bytes_to_host",
            "bytes_from_host",
        ),
        api_read_only_fields=(
            "id",
            "device",
            "device_name",
            "user_email",
            "as_staff",
            "ip_address",
            "opened_at",
            "closed_at",
            "end_reason",
            "bytes_to_host",
            "bytes_from_host",
        ),
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=BmcStatus,
        list_display=("device", "reachable", "power_state", "watts", "read_at"),
        search_fields=("device__name",),
        filter_fields=("reachable", "power_state"),
        select_related=("device",),
        autocomplete_fields=("device",),
        readonly_fields=("device", "reachable", "power_state", "watts", "sensors", "read_at", "changed_at"),
        admin_addable=False,
        importable=False,
        api_read_only_fields=("device", "reachable", "power_state", "watts", "sensors", "read_at", "changed_at"),
        tenancy="device__company",
    )
)


def _read_only_viewsets() -> None:
    """The audits are never written through the API, whatever a staff member's model permissions say."""
    from core.registry import generated_viewset, override

    for model in (PowerJob, ConsoleSession, BmcStatus):
        override(model, "viewset")(
            type(
                f"{model.__name__}ReadOnlyViewSet",
                (generated_viewset(model),),
                {"http_method_names": ["get", "head", "options"]},
            )
        )


_read_only_viewsets()
