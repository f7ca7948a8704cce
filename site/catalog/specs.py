"""Declarations of the catalog models (admin, API, filters, import/export are generated from these)."""

from catalog import services
from catalog.choices import (
    CANCELLATION_STATUS_COLOURS,
    ORDER_STATUS_COLOURS,
    PRODUCT_KIND_COLOURS,
    REQUEST_STATUS_COLOURS,
    SERVER_RETURN_STATUS_COLOURS,
    SERVICE_STATUS_COLOURS,
)
from catalog.models import (
    AdditionalIPRequest,
    CancellationRequest,
    ManagedServiceRequest,
    Order,
    OrderLine,
    Plan,
    Product,
    ProductCategory,
    ProductOption,
    ServerReturn,
    Service,
    ServiceEvent,
    ServicePlanPeriod,
)
from core.registry import ModelSpec, register

# Overrides of generated classes outside admin.py, imported by core.registry.autodiscover() after every spec.
OVERRIDES = ("catalog.api.views",)

register(
    ModelSpec(
        model=ProductCategory,
        list_display=("name", "slug", "position", "is_active"),
        search_fields=("name", "slug"),
        filter_fields=("is_active",),
        ordering=("position", "name"),
        create=services.productcategory_create,
        update=services.productcategory_update,
        delete=services.productcategory_delete,
    )
)

register(
    ModelSpec(
        model=Product,
        list_display=("name", "category", "kind", "is_active", "is_orderable"),
        search_fields=("name", "slug", "hardware_configuration"),
        filter_fields=("category", "kind", "is_active", "is_orderable"),
        select_related=("category",),
        badges={"kind": PRODUCT_KIND_COLOURS},
        import_id_fields=("slug",),
        create=services.product_create,
        update=services.product_update,
        delete=services.product_delete,
    )
)

register(
    ModelSpec(
        model=Plan,
        list_display=(
            "name",
            "product",
            "recurring_amount",
            "recurring_period",
            "one_time_amount",
            "currency",
            "taxable",
            "is_active",
        ),
        search_fields=("name", "product__name"),
        filter_fields=("product", "recurring_period", "currency", "taxable", "is_active"),
        select_related=("product",),
        autocomplete_fields=("product",),
        create=services.plan_create,
        update=services.plan_update,
        delete=services.plan_delete,
    )
)

register(
    ModelSpec(
        model=ProductOption,
        list_display=("name", "product", "recurring_amount", "one_time_amount", "currency", "is_active"),
        search_fields=("name", "product__name"),
        filter_fields=("product", "is_active"),
        select_related=("product",),
        autocomplete_fields=("product",),
        create=services.productoption_create,
        update=services.productoption_update,
        delete=services.productoption_delete,
    )
)

register(
    ModelSpec(
        model=Service,
        list_display=("__str__", "company", "plan", "quantity", "status", "contract_start", "next_billing_date"),
        search_fields=("label", "=id", "company__name", "plan__name", "plan__product__name"),
        filter_fields=("status", "plan__product__kind", "company"),
        list_filter=("status", "plan__product__kind"),
        select_related=("company", "plan__product"),
        autocomplete_fields=("company", "plan", "order"),
        badges={"status": SERVICE_STATUS_COLOURS},
        readonly_fields=(
            "status",
            "billing_start_date",
            "billing_end_date",
            "cancellation_effective_date",
        ),
        api_read_only_fields=("status",),
        tenancy="company",
        create=services.service_open,
        update=services.service_update,
    )
)

register(
    ModelSpec(
        model=ServicePlanPeriod,
        list_display=("service", "plan", "quantity", "unit_price", "setup_fee", "starts_on", "ends_on"),
        search_fields=("service__label", "service__company__name", "plan__name"),
        list_filter=("starts_on",),
        select_related=("service__company", "service__plan__product", "plan__product"),
        autocomplete_fields=("service", "plan"),
        admin_addable=False,
        tenancy="service__company",
    )
)

register(
    ModelSpec(
        model=ServiceEvent,
        list_display=("service", "kind", "from_status", "to_status", "at", "actor"),
        search_fields=("service__label", "service__company__name", "reason"),
        filter_fields=("kind", "to_status"),
        select_related=("service__company", "service__plan__product", "actor"),
        autocomplete_fields=("service",),
        admin_addable=False,
        importable=False,
        tenancy="service__company",
    )
)

register(
    ModelSpec(
        model=Order,
        list_display=(
            "number",
            "company",
            "kind",
            "status",
            "total_recurring",
            "total_one_time",
            "currency",
            "created",
        ),
        search_fields=("=number", "company__name"),
        filter_fields=("status", "kind", "company"),
        list_filter=("status", "kind"),
        select_related=("company",),
        autocomplete_fields=("company", "service"),
        badges={"status": ORDER_STATUS_COLOURS},
        admin_addable=False,
        import_id_fields=("number",),
        api_read_only_fields=("status", "company", "placed_by", "total_recurring", "total_one_time", "ticket"),
        tenancy="company",
        # Customers place orders (order_place checks their role); staff approve or reject them by action.
        customer_creatable=True,
    )
)

register(
    ModelSpec(
        model=OrderLine,
        list_display=("description", "order", "quantity", "unit_recurring", "unit_one_time", "recurring_period"),
        search_fields=("description", "=order__number"),
        select_related=("order__company",),
        autocomplete_fields=("order", "plan"),
        admin_addable=False,
        tenancy="order__company",
    )
)

register(
    ModelSpec(
        model=AdditionalIPRequest,
        list_display=("__str__", "company", "service", "requested_prefix_length", "status", "created"),
        search_fields=("company__name", "justification__purpose"),
        filter_fields=("status", "requested_family"),
        select_related=("company", "service__plan__product"),
        autocomplete_fields=("company", "service", "order"),
        badges={"status": REQUEST_STATUS_COLOURS},
        admin_addable=False,
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=ManagedServiceRequest,
        list_display=("__str__", "company", "service_kind", "status", "created"),
        search_fields=("company__name", "details"),
        filter_fields=("status", "service_kind"),
        select_related=("company",),
        autocomplete_fields=("company", "plan", "for_service"),
        badges={"status": REQUEST_STATUS_COLOURS},
        admin_addable=False,
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=CancellationRequest,
        list_display=("__str__", "company", "requested_by", "status", "requested_end_date", "created"),
        search_fields=("company__name", "reason"),
        filter_fields=("status",),
        select_related=("company", "requested_by"),
        autocomplete_fields=("company",),
        badges={"status": CANCELLATION_STATUS_COLOURS},
        admin_addable=False,
        importable=False,
        secret_fields=("nonce",),
        tenancy="company",
    )
)

register(
    ModelSpec(
        model=ServerReturn,
        list_display=("__str__", "device", "company", "status", "created", "returned_at"),
        search_fields=("device__name", "device__serial", "company__name"),
        filter_fields=("status",),
        select_related=("device", "company", "service__plan__product"),
        badges={"status": SERVER_RETURN_STATUS_COLOURS},
        admin_addable=False,
        importable=False,
        api=False,
    )
)
