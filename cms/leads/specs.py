from cms.leads.choices import LEAD_STATUS_COLOURS
from cms.leads.models import Lead
from core.registry import ModelSpec, register

register(
    ModelSpec(
        model=Lead,
        list_display=("name", "company_name", "email", "service", "status", "created"),
        search_fields=("name", "email", "company_name", "phone", "message"),
        filter_fields=("status", "service"),
        readonly_fields=("details", "page", "source_ip", "created"),
        ordering=("-created",),
        export_fields=("id", "created", "status", "name", "email", "company_name", "phone", "service", "message"),
        importable=False,
        admin_addable=False,
        api=False,
        tenancy=None,
        badges={"status": LEAD_STATUS_COLOURS},
    )
)
