from core.registry import ModelSpec, register
from tests.testapp.models import Widget
from tests.testapp.services import widget_create, widget_delete, widget_update

register(
    ModelSpec(
        model=Widget,
        list_display=("name", "company", "created"),
        search_fields=("name",),
        filter_fields=("company",),
        select_related=("company",),
        tenancy="company",
        secret_fields=("secret",),
        create=widget_create,
        update=widget_update,
        delete=widget_delete,
    )
)
