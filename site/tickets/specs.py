"""Declarations of the tickets models: admin, API, filters and import/export are generated from these.

Customers reach tickets, replies, attachments and billable work of their own company. Internal notes share
the Message model, so the API and portal narrow messages (and their attachments) to public ones for
customers (``tickets/api.py``); queues, calendars, SLA policies and canned replies are staff only.
"""

from core.registry import ModelSpec, register
from tickets import services
from tickets.choices import TICKET_CATEGORY_COLOURS, TICKET_PRIORITY_COLOURS, TICKET_STATUS_COLOURS
from tickets.models import (
    Attachment,
    BusinessCalendar,
    CannedReply,
    Message,
    PartUsed,
    Queue,
    SLAPolicy,
    Ticket,
    TimeEntry,
)

# Overrides of generated classes outside admin.py, imported by core.registry.autodiscover() after every spec.
OVERRIDES = ("tickets.api.views",)

TICKET_API_FIELDS = (
    "id",
    "number",
    "subject",
    "company",
    "requester",
    "queue",
    "category",
    "priority",
    "status",
    "assignee",
    "device",
    "service",
    "sla_policy",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "sla_paused_since",
    "first_response_breached",
    "resolution_breached",
    "last_message_at",
    "created",
    "last_updated",
)

register(
    ModelSpec(
        model=Queue,
        list_display=("name", "slug", "email", "is_active"),
        search_fields=("name", "slug"),
        filter_fields=("is_active",),
        ordering=("name",),
        import_id_fields=("slug",),
        create=services.queue_create,
        update=services.queue_update,
        delete=services.queue_delete,
    )
)

register(
    ModelSpec(
        model=BusinessCalendar,
        list_display=("name", "time_zone", "site_code", "is_default"),
        search_fields=("name", "site_code"),
        filter_fields=("is_default", "time_zone"),
        ordering=("name",),
        importable=False,
        create=services.businesscalendar_create,
        update=services.businesscalendar_update,
        delete=services.businesscalendar_delete,
    )
)

register(
    ModelSpec(
        model=SLAPolicy,
        list_display=("name", "priority", "company", "calendar", "first_response_minutes", "resolution_minutes"),
        search_fields=("name", "company__name"),
        filter_fields=("priority", "company", "is_active"),
        badges={"priority": TICKET_PRIORITY_COLOURS},
        select_related=("company", "calendar"),
        autocomplete_fields=("company",),
        importable=False,
        create=services.slapolicy_create,
        update=services.slapolicy_update,
        delete=services.slapolicy_delete,
    )
)

register(
    ModelSpec(
        model=Ticket,
        list_display=("number", "subject", "company", "status", "priority", "category", "queue", "assignee"),
        search_fields=("=number", "subject", "company__name", "requester__email"),
        filter_fields=("status", "priority", "category", "queue", "assignee", "company"),
        badges={
            "status": TICKET_STATUS_COLOURS,
            "priority": TICKET_PRIORITY_COLOURS,
            "category": TICKET_CATEGORY_COLOURS,
        },
        select_related=("company", "queue", "assignee", "requester"),
        autocomplete_fields=("company", "requester", "assignee", "cc_users", "device", "service"),
        ordering=("-created",),
        importable=False,
        api_fields=TICKET_API_FIELDS,
        # Opening goes through ticket_open, changes through ticket_update/assign/set_status (ticket_change).
        api_read_only_fields=tuple(
            f for f in TICKET_API_FIELDS if f not in {"subject", "category", "priority", "device", "service"}
        ),
        tenancy="company",
        customer_creatable=True,
        create=services.ticket_create,
        update=services.ticket_change,
    )
)

register(
    ModelSpec(
        model=Message,
        list_display=("__str__", "ticket", "author", "is_internal", "source", "created"),
        search_fields=("ticket__number", "body", "author__email"),
        filter_fields=("ticket", "is_internal", "source"),
        select_related=("ticket", "author"),
        autocomplete_fields=("ticket",),
        ordering=("-created",),
        importable=False,
        admin_addable=False,
        api_fields=("id", "ticket", "author", "body", "is_internal", "source", "created"),
        api_read_only_fields=("author", "source", "created"),
        tenancy="ticket__company",
        customer_creatable=True,
        hidden_from_customers={"is_internal": True},
        create=services.message_post,
    )
)

register(
    ModelSpec(
        model=Attachment,
        list_display=("original_name", "message", "content_type", "size", "uploaded_by", "created"),
        search_fields=("original_name", "message__ticket__number"),
        filter_fields=("content_type",),
        select_related=("message", "uploaded_by"),
        importable=False,
        admin_addable=False,
        export_fields=("id", "message", "original_name", "content_type", "size", "sha256", "uploaded_by", "created"),
        api_fields=("id", "message", "original_name", "content_type", "size", "created"),
        api_read_only_fields=("message", "original_name", "content_type", "size", "created"),
        secret_fields=("stored_name",),
        tenancy="message__ticket__company",
        hidden_from_customers={"message__is_internal": True},
    )
)

register(
    ModelSpec(
        model=TimeEntry,
        list_display=("ticket", "technician", "work_date", "minutes", "billable", "hourly_rate", "billed_at"),
        search_fields=("ticket__number", "work_done", "technician__email"),
        filter_fields=("billable", "technician", "work_date"),
        select_related=("ticket", "technician"),
        autocomplete_fields=("ticket",),
        ordering=("-work_date",),
        importable=False,
        api_fields=(
            "id",
            "ticket",
            "technician",
            "work_date",
            "minutes",
            "billable",
            "hourly_rate",
            "work_done",
            "billed_at",
        ),
        tenancy="ticket__company",
        readonly_fields=("technician", "billed_at", "billing_reference"),
        create=services.time_entry_log,
    )
)

register(
    ModelSpec(
        model=PartUsed,
        list_display=("name", "ticket", "quantity", "unit_price", "billable", "billed_at"),
        search_fields=("name", "ticket__number"),
        filter_fields=("billable",),
        select_related=("ticket",),
        autocomplete_fields=("ticket",),
        importable=False,
        api_fields=("id", "ticket", "name", "quantity", "unit_price", "billable", "billed_at", "created"),
        tenancy="ticket__company",
        create=services.ticket_add_part,
    )
)

register(
    ModelSpec(
        model=CannedReply,
        list_display=("title", "queue", "is_active"),
        search_fields=("title", "body"),
        filter_fields=("queue", "is_active"),
        select_related=("queue",),
        ordering=("title",),
        create=services.cannedreply_create,
        update=services.cannedreply_update,
        delete=services.cannedreply_delete,
    )
)
