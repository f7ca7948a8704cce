"""OpenAPI schema helpers for drf-spectacular."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_api_endpoints(endpoints, **kwargs):
    """Keep ``/api/`` endpoints only (Wagtail's own admin API is not ours to document)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from the portal's Account page: 'Authorization: Bearer ss_…'.",
        }


def install_enum_name_overrides() -> None:
    """Name every declared model's choice sets ``<Model><Field>Enum`` in the OpenAPI schema.

    Without this, fields called ``status`` or ``role`` in several apps collide and drf-spectacular picks
    hash-suffixed names (and warns, which fails ``check --deploy``). A choice set shared by several fields
    keeps the first name, since one set may have only one name.
    """
    from django.conf import settings
    from django.utils.encoding import force_str
    from drf_spectacular.plumbing import list_hash

    from core.registry import all_specs

    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    taken = set()
    for spec in all_specs():
        for field in spec.model._meta.concrete_fields:
            if not field.choices:
                continue
            choices = [(value, force_str(label)) for value, label in field.flatchoices if value not in ("", None)]
            choice_hash = list_hash(choices)
            if choice_hash in taken:
                continue
            taken.add(choice_hash)
            name = f"{spec.model.__name__}{''.join(part.title() for part in field.name.split('_'))}Enum"
            overrides.setdefault(name, choices)
