"""Declarations of the IPAM models: admin, API, filters and import/export are generated from these."""

from core.registry import ModelSpec, register
from ipam import services
from ipam.choices import (
    ASSIGNMENT_KIND_COLOURS,
    IP_ADDRESS_STATUS_COLOURS,
    JUSTIFICATION_STATUS_COLOURS,
    PREFIX_STATUS_COLOURS,
)
from ipam.models import RIR, VLAN, Aggregate, Assignment, IPAddress, IPJustification, Prefix

# Overrides of generated classes outside admin.py, imported by core.registry.autodiscover() after every spec.
OVERRIDES = ("ipam.resources", "ipam.api.viewsets")

register(
    ModelSpec(
        model=RIR,
        list_display=("name", "slug", "is_private"),
        search_fields=("name", "slug"),
        filter_fields=("is_private",),
        import_id_fields=("slug",),
        create=services.rir_record_create,
        update=services.rir_update,
        delete=services.rir_delete,
    )
)

register(
    ModelSpec(
        model=Aggregate,
        list_display=("prefix", "rir", "family", "date_allocated", "description"),
        search_fields=("^prefix", "description", "rir__name"),
        filter_fields=("rir", "family"),
        select_related=("rir",),
        ordering=("family", "network_start"),
        export_fields=("id", "prefix", "rir", "date_allocated", "description", "comments"),
        api_read_only_fields=("family", "network_start", "network_end", "prefix_length"),
        create=services.aggregate_record_create,
        update=services.aggregate_update,
        delete=services.aggregate_delete,
    )
)

register(
    ModelSpec(
        model=VLAN,
        list_display=("vid", "name", "description"),
        search_fields=("name", "=vid"),
        ordering=("vid",),
        create=services.vlan_record_create,
        update=services.vlan_update,
        delete=services.vlan_delete,
    )
)

register(
    ModelSpec(
        model=Prefix,
        list_display=("prefix", "status", "role", "company", "vlan", "aggregate", "description"),
        search_fields=("^prefix", "description", "company__name"),
        filter_fields=("status", "role", "family", "company", "vlan", "site", "aggregate"),
        select_related=("company", "vlan", "aggregate"),
        badges={"status": PREFIX_STATUS_COLOURS},
        ordering=("family", "network_start", "prefix_length"),
        # phpIPAM / Ubersmith migrations: the prefix text is the key; bounds are derived on import.
        export_fields=("id", "prefix", "status", "role", "vlan", "site", "is_pool", "description", "comments"),
        import_id_fields=("prefix",),
        admin_addable=False,
        api_fields=(
            "id",
            "prefix",
            "family",
            "prefix_length",
            "status",
            "role",
            "vlan",
            "site",
            "company",
            "aggregate",
            "is_pool",
            "description",
        ),
        tenancy="company",
        create=services.prefix_record_create,
        update=services.prefix_update,
        delete=services.prefix_delete,
        instance_arg="record",
    )
)

register(
    ModelSpec(
        model=IPAddress,
        list_display=("address", "status", "company", "prefix", "dns_name", "description"),
        search_fields=("^address", "dns_name", "description", "company__name"),
        filter_fields=("status", "family", "company", "prefix"),
        select_related=("company", "prefix"),
        badges={"status": IP_ADDRESS_STATUS_COLOURS},
        ordering=("family", "value"),
        export_fields=("id", "address", "status", "dns_name", "description", "comments"),
        import_id_fields=("address",),
        admin_addable=False,
        api_fields=("id", "address", "family", "status", "company", "prefix", "dns_name", "description"),
        tenancy="company",
        create=services.ipaddress_record_create,
        update=services.ipaddress_update,
        delete=services.ipaddress_delete,
        instance_arg="record",
    )
)

register(
    ModelSpec(
        model=Assignment,
        list_display=("network", "kind", "company", "reason", "started_at", "ended_at", "assigned_by"),
        search_fields=("^network", "company__name", "reason"),
        filter_fields=("kind", "family", "company"),
        select_related=("company", "assigned_by"),
        badges={"kind": ASSIGNMENT_KIND_COLOURS},
        ordering=("-started_at",),
        importable=False,
        admin_addable=False,
        readonly_fields=(
            "kind",
            "network",
            "family",
            "start",
            "end",
            "address",
            "prefix",
            "company",
            "service_type",
            "service_id",
            "interface",
            "justification",
            "started_at",
            "ended_at",
            "assigned_by",
            "released_by",
        ),
        api_fields=(
            "id",
            "kind",
            "network",
            "family",
            "address",
            "prefix",
            "company",
            "service_type",
            "service_id",
            "interface",
            "justification",
            "reason",
            "started_at",
            "ended_at",
            "release_reason",
        ),
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=IPJustification,
        list_display=("customer_name", "company", "purpose", "hosts_now", "hosts_in_12_months", "status", "created"),
        search_fields=("customer_name", "company__name", "purpose", "network_name"),
        filter_fields=("status", "company", "requested_family"),
        select_related=("company",),
        autocomplete_fields=("company",),
        badges={"status": JUSTIFICATION_STATUS_COLOURS},
        api_fields=(
            "id",
            "company",
            "customer_name",
            "network_name",
            "purpose",
            "hosts_now",
            "hosts_in_6_months",
            "hosts_in_12_months",
            "requested_family",
            "requested_prefix_length",
            "utilisation_plan",
            "status",
            "created",
        ),
        tenancy="company",
        create=services.ipjustification_record_create,
        update=services.ipjustification_update,
        delete=services.ipjustification_delete,
    )
)

# Overrides of generated API classes live beside the declarations, so they exist before the router is built.
