from core.registry import ModelSpec, register
from tests.testapp.models import Widget

register(
    ModelSpec(
        model=Widget,
        list_display=("name", "company", "created"),
        search_fields=("name",),
        filter_fields=("company",),
        select_related=("company",),
        tenancy="company",
        secret_fields=("secret",),
    )
)
