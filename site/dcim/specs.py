"""Declarations of the DCIM models: admin, API, filters and import/export are generated from these."""

from core.registry import ModelSpec, register
from dcim import services
from dcim.choices import (
    CABLE_STATUS_COLOURS,
    CROSS_CONNECT_STATUS_COLOURS,
    DEVICE_ROLE_COLOURS,
    DEVICE_STATUS_COLOURS,
    POWER_CIRCUIT_STATUS_COLOURS,
    RACK_STATUS_COLOURS,
)
from dcim.models import (
    Cable,
    CrossConnect,
    Device,
    DeviceType,
    Interface,
    Manufacturer,
    PowerCircuit,
    PowerOutlet,
    PowerPanel,
    PowerPort,
    Rack,
    RackReservation,
    Room,
    Row,
    SecretReveal,
    Site,
)

# Overrides of generated classes outside admin.py, imported by core.registry.autodiscover() after every spec.
OVERRIDES = ("dcim.api.serializers",)

DEVICE_SECRETS = ("snmp_community", "snmp_auth_key", "snmp_priv_key", "ipmi_password", "root_password")

register(
    ModelSpec(
        model=Site,
        list_display=("name", "code", "slug", "time_zone"),
        search_fields=("name", "code", "slug"),
        filter_fields=("time_zone",),
        import_id_fields=("slug",),
        ordering=("name",),
        create=services.site_create,
        update=services.site_update,
        delete=services.site_delete,
    )
)

register(
    ModelSpec(
        model=Room,
        list_display=("name", "site", "kind"),
        search_fields=("name", "site__name"),
        filter_fields=("site", "kind"),
        select_related=("site",),
        autocomplete_fields=("site",),
        create=services.room_create,
        update=services.room_update,
        delete=services.room_delete,
    )
)

register(
    ModelSpec(
        model=Row,
        list_display=("name", "room", "room__site"),
        search_fields=("name", "room__name"),
        filter_fields=("room",),
        select_related=("room__site",),
        autocomplete_fields=("room",),
        create=services.row_create,
        update=services.row_update,
        delete=services.row_delete,
    )
)

register(
    ModelSpec(
        model=Rack,
        list_display=("name", "site", "room", "row", "company", "status", "u_height", "power_budget_kw"),
        search_fields=("name", "facility_id", "site__name", "room__name", "company__name"),
        filter_fields=("site", "room", "status", "company", "numbering"),
        select_related=("site", "room", "row", "company"),
        autocomplete_fields=("site", "room", "row", "company"),
        badges={"status": RACK_STATUS_COLOURS},
        ordering=("site__name", "name"),
        tenancy="company",
        create=services.rack_create,
        update=services.rack_update,
        delete=services.rack_delete,
    )
)

register(
    ModelSpec(
        model=RackReservation,
        list_display=("rack", "first_u", "last_u", "company", "reason", "expires_on"),
        search_fields=("rack__name", "company__name", "reason"),
        filter_fields=("rack", "company"),
        select_related=("rack", "company"),
        autocomplete_fields=("rack", "company"),
        tenancy="company",
        create=services.rack_reserve,
        delete=services.rack_reservation_release,
        instance_arg="reservation",
    )
)

register(
    ModelSpec(
        model=Manufacturer,
        list_display=("name", "slug"),
        search_fields=("name", "slug"),
        import_id_fields=("slug",),
        create=services.manufacturer_create,
        update=services.manufacturer_update,
        delete=services.manufacturer_delete,
    )
)

register(
    ModelSpec(
        model=DeviceType,
        list_display=("model", "manufacturer", "u_height", "is_full_depth", "power_draw_watts", "memory_gb"),
        search_fields=("model", "slug", "manufacturer__name", "cpu"),
        filter_fields=("manufacturer", "is_full_depth"),
        select_related=("manufacturer",),
        autocomplete_fields=("manufacturer",),
        import_id_fields=("slug",),
        create=services.devicetype_create,
        update=services.devicetype_update,
        delete=services.devicetype_delete,
    )
)

register(
    ModelSpec(
        model=Device,
        list_display=(
            "name",
            "device_type",
            "role",
            "status",
            "company",
            "ownership",
            "site",
            "rack",
            "position",
            "management_ip",
        ),
        search_fields=("name", "=serial", "=asset_tag", "company__name", "rack__name", "=management_ip"),
        filter_fields=("status", "role", "ownership", "company", "site", "rack", "device_type"),
        select_related=("device_type", "company", "site", "rack"),
        autocomplete_fields=("device_type", "company", "site", "rack", "power_circuit"),
        readonly_fields=("welcome_email_sent_at",),
        badges={"status": DEVICE_STATUS_COLOURS, "role": DEVICE_ROLE_COLOURS},
        secret_fields=DEVICE_SECRETS,
        tenancy="company",
        create=services.device_add,
        update=services.device_update,
        delete=services.device_delete,
    )
)

register(
    ModelSpec(
        model=Interface,
        list_display=("name", "device", "type", "speed", "enabled", "mac_address"),
        search_fields=("name", "device__name", "mac_address"),
        filter_fields=("type", "enabled", "device"),
        select_related=("device",),
        autocomplete_fields=("device", "rear_port"),
        tenancy="device__company",
        create=services.interface_create,
        update=services.interface_update,
        delete=services.interface_delete,
    )
)

register(
    ModelSpec(
        model=Cable,
        list_display=("__str__", "a_interface", "b_interface", "media", "status", "length_m"),
        search_fields=("label", "a_interface__device__name", "b_interface__device__name"),
        filter_fields=("status", "media"),
        select_related=("a_interface__device", "b_interface__device"),
        autocomplete_fields=("a_interface", "b_interface"),
        badges={"status": CABLE_STATUS_COLOURS},
        create=services.cable_create,
        delete=services.cable_disconnect,
    )
)

register(
    ModelSpec(
        model=CrossConnect,
        list_display=("circuit_id", "company", "status", "media", "a_rack", "a_port", "z_rack", "z_port", "loss_db"),
        search_fields=("circuit_id", "company__name", "z_party", "a_rack__name", "z_rack__name"),
        filter_fields=("status", "media", "company"),
        select_related=("company", "a_rack", "z_rack"),
        autocomplete_fields=("company", "a_rack", "a_panel", "z_rack", "z_panel"),
        badges={"status": CROSS_CONNECT_STATUS_COLOURS},
        import_id_fields=("circuit_id",),
        tenancy="company",
        create=services.crossconnect_create,
        update=services.crossconnect_update,
        delete=services.crossconnect_delete,
    )
)

register(
    ModelSpec(
        model=PowerPanel,
        list_display=("name", "site", "room"),
        search_fields=("name", "site__name"),
        filter_fields=("site",),
        select_related=("site", "room"),
        autocomplete_fields=("site", "room"),
        create=services.powerpanel_create,
        update=services.powerpanel_update,
        delete=services.powerpanel_delete,
    )
)

register(
    ModelSpec(
        model=PowerCircuit,
        list_display=(
            "__str__",
            "status",
            "feed",
            "voltage",
            "amperage",
            "phase",
            "rack",
            "company",
            "allocated_kw",
            "capacity_kw",
        ),
        search_fields=("name", "panel__name", "rack__name", "company__name"),
        filter_fields=("status", "feed", "phase", "company", "panel"),
        select_related=("panel", "rack", "company"),
        autocomplete_fields=("panel", "rack", "company", "redundancy_partner"),
        badges={"status": POWER_CIRCUIT_STATUS_COLOURS},
        tenancy="company",
        create=services.powercircuit_create,
        update=services.powercircuit_update,
        delete=services.powercircuit_delete,
    )
)

register(
    ModelSpec(
        model=PowerPort,
        list_display=("name", "device", "type", "allocated_draw_w", "maximum_draw_w", "outlet"),
        search_fields=("name", "device__name"),
        filter_fields=("type", "device"),
        select_related=("device", "outlet__pdu"),
        autocomplete_fields=("device",),
        tenancy="device__company",
        create=services.power_port_create,
        update=services.power_port_update,
        instance_arg="power_port",
    )
)

register(
    ModelSpec(
        model=PowerOutlet,
        list_display=("name", "pdu", "feed", "power_port"),
        search_fields=("name", "pdu__name", "power_port__device__name"),
        filter_fields=("feed",),
        select_related=("pdu", "power_port__device"),
        autocomplete_fields=("pdu", "power_port"),
        create=services.poweroutlet_create,
        update=services.poweroutlet_update,
        delete=services.poweroutlet_delete,
    )
)

register(
    ModelSpec(
        model=SecretReveal,
        list_display=("revealed_at", "device", "field", "user", "as_customer", "ip_address"),
        search_fields=("device__name", "user__email"),
        filter_fields=("field", "as_customer"),
        select_related=("device", "user"),
        readonly_fields=("device", "field", "user", "revealed_at", "ip_address", "as_customer"),
        importable=False,
        admin_addable=False,
        api=False,
    )
)

# Overrides of generated API classes live beside the declarations, so they exist before the router is built.
