"""The low-code core: one declaration per model, from which admin, API, filters and import/export are made.

Each app's ``specs.py`` calls :func:`register` with a :class:`ModelSpec`. ``core`` then generates, on
first use and once per model:

* the unfold ``ModelAdmin`` (with import/export and history)   -> :func:`generated_admin`
* the import-export ``ModelResource``                          -> :func:`generated_resource`
* the django-filter ``FilterSet``                              -> :func:`generated_filterset`
* the DRF serializer and viewset (tenancy-scoped queryset)     -> :func:`generated_serializer`,
  :func:`generated_viewset`

An app that needs behaviour of its own subclasses the generated class in its ``admin.py`` (or
``resources.py``, ``api/``) and hands it back with :func:`override`; everything else is registered as
generated. The generic test suites iterate over :func:`all_specs`, so a declared model is covered at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import models

KINDS = ("admin", "resource", "filterset", "serializer", "viewset")


@dataclass(frozen=True)
class ModelSpec:
    """What staff and customers need of one model.

    ``tenancy`` is the lookup path from the model to its ``Company`` ("" for ``Company`` itself,
    ``"service__company"`` for a model two hops away) or ``None`` for staff-only models. Customers reach a
    model through the API only when ``tenancy`` is set and ``api`` is true.
    """

    model: type[models.Model]
    list_display: Sequence[str] = ("__str__",)
    search_fields: Sequence[str] = ()
    list_filter: Sequence[Any] = ()
    select_related: Sequence[str] = ()
    prefetch_related: Sequence[str] = ()
    autocomplete_fields: Sequence[str] = ()
    readonly_fields: Sequence[str] = ()
    ordering: Sequence[str] = ()
    # Fields filterable in the API (and by the admin's list_filter when that is not given).
    filter_fields: Sequence[str] = ()
    # Import/export: None means every concrete field that is not secret.
    export_fields: Sequence[str] | None = None
    import_id_fields: Sequence[str] = ("id",)
    importable: bool = True
    # Whether staff may create rows in the admin (False where rows are only made by a service or flow).
    admin_addable: bool = True
    # API: the serializer's fields (None: every concrete field that is not secret).
    api: bool = True
    api_fields: Sequence[str] | None = None
    api_read_only_fields: Sequence[str] = ()
    api_basename: str | None = None
    tenancy: str | None = None
    # Whether customers may create/change through the API (staff always go by their model permissions).
    customer_writable: bool = False
    # Whether customers may create (POST) through the API, the service checking their role and company.
    customer_creatable: bool = False
    # The services that write the model (core.writes): none named means read-only in the admin and API.
    create: Callable | None = None  # service(**fields) -> instance
    update: Callable | None = None  # service(<instance_arg>=obj, **changed_fields) -> instance
    delete: Callable | None = None  # service(<instance_arg>=obj)
    # The keyword update/delete receive the instance under; default the model's lower-case name.
    instance_arg: str | None = None
    # Rows customers never see, whatever the company (lookups excluded by core.tenancy.for_user for them):
    # ``{"status": "draft"}`` hides draft invoices, ``{"is_internal": True}`` internal notes.
    hidden_from_customers: dict[str, Any] = field(default_factory=dict)
    # Secret fields never leave through export or API.
    secret_fields: Sequence[str] = ()
    # Fields only staff see or write through the API (staff notes); customers never get them serialised.
    staff_only_fields: Sequence[str] = ("comments",)
    # Choice fields shown as coloured badges: field name -> {value: colour}.
    badges: dict[str, dict] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def api_prefix(self) -> str:
        """The endpoint's path under ``/api/``, e.g. ``accounts/companies``."""
        from django.utils.text import slugify

        opts = self.model._meta
        return f"{opts.app_label}/{slugify(str(opts.verbose_name_plural))}"

    @property
    def is_customer_visible(self) -> bool:
        return self.tenancy is not None

    @property
    def is_read_only(self) -> bool:
        """Whether the spec names no write service (the generated admin and API then only read)."""
        return self.create is None and self.update is None and self.delete is None

    def plain_fields(self) -> list[str]:
        """Concrete, non-secret field names, in declaration order."""
        from core.fields import EncryptedTextField

        return [
            f.name
            for f in self.model._meta.concrete_fields
            if f.name not in self.secret_fields and not isinstance(f, EncryptedTextField)
        ]


_SPECS: dict[type[models.Model], ModelSpec] = {}
_OVERRIDES: dict[tuple[type[models.Model], str], type] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Declare a model; called from an app's ``specs.py``."""
    existing = _SPECS.get(spec.model)
    if existing is not None and existing != spec:
        raise ValueError(f"{spec.label} is declared twice.")
    _SPECS[spec.model] = spec
    return spec


def autodiscover() -> None:
    """Import every app's ``specs.py``, then the modules each names in its ``OVERRIDES`` tuple.

    Overrides of the API, resources and filtersets (``@override`` classes outside ``admin.py``) are registered
    here, explicitly and after every spec exists, rather than by an import at the bottom of a specs module. An
    import error in any of them fails startup loudly.
    """
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    modules = [
        import_module(f"{config.name}.specs")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "specs")
    ]
    for module in modules:
        for name in getattr(module, "OVERRIDES", ()):
            import_module(name)


def get_spec(model: type[models.Model]) -> ModelSpec | None:
    """The declaration of ``model`` (or of its concrete parent for proxies), or None."""
    return _SPECS.get(model) or _SPECS.get(model._meta.concrete_model)


def all_specs() -> list[ModelSpec]:
    """Every declaration, ordered by app and model label."""
    return sorted(_SPECS.values(), key=lambda spec: spec.label)


def override(model: type[models.Model], kind: str) -> Callable[[type], type]:
    """Class decorator: use this subclass of the generated class instead of the generated one."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")

    def decorate(cls: type) -> type:
        _OVERRIDES[(model, kind)] = cls
        return cls

    return decorate


def resolved(model: type[models.Model], kind: str) -> type:
    """The class to use for ``model``: the app's override if there is one, else the generated class."""
    if (model, kind) in _OVERRIDES:
        return _OVERRIDES[(model, kind)]
    return {
        "admin": generated_admin,
        "resource": generated_resource,
        "filterset": generated_filterset,
        "serializer": generated_serializer,
        "viewset": generated_viewset,
    }[kind](model)


def _spec(model: type[models.Model]) -> ModelSpec:
    spec = get_spec(model)
    if spec is None:
        raise LookupError(f"{model._meta.label} has no ModelSpec; declare it in its app's specs.py.")
    return spec


@cache
def generated_resource(model: type[models.Model]) -> type:
    """The import-export resource: the spec's export fields, secrets never included, formulas neutralised;
    imports write through the spec's services (:mod:`core.imports`)."""
    from core.exports import FormulaSafeResource
    from core.imports import ServiceWritesResource

    spec = _spec(model)
    fields = list(spec.export_fields) if spec.export_fields is not None else spec.plain_fields()
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": fields,
            "export_order": fields,
            "import_id_fields": list(spec.import_id_fields),
            "skip_unchanged": True,
            "report_skipped": True,
            "clean_model_instances": True,
        },
    )
    bases = (ServiceWritesResource, FormulaSafeResource)
    return type(f"{model.__name__}Resource", bases, {"Meta": meta, "__module__": __name__})


@cache
def generated_filterset(model: type[models.Model]) -> type:
    """The django-filter FilterSet: the spec's filter fields plus ``q``, a search over its search fields."""
    import django_filters
    from django.db.models import Q

    spec = _spec(model)

    def search(queryset, name, value):
        if not value.strip() or not spec.search_fields:
            return queryset
        condition = Q()
        for lookup in spec.search_fields:
            condition |= Q(**{_search_lookup(lookup): value.strip()})
        return queryset.filter(condition)

    meta = type("Meta", (), {"model": model, "fields": list(spec.filter_fields)})
    return type(
        f"{model.__name__}FilterSet",
        (django_filters.FilterSet,),
        {"Meta": meta, "q": django_filters.CharFilter(method=search, label="Search"), "__module__": __name__},
    )


def _search_lookup(field_spec: str) -> str:
    """Translate the admin's search-field prefixes (``^``, ``=``, ``@``) into ORM lookups."""
    if field_spec.startswith("^"):
        return f"{field_spec[1:]}__istartswith"
    if field_spec.startswith("="):
        return f"{field_spec[1:]}__iexact"
    if field_spec.startswith("@"):
        return f"{field_spec[1:]}__search"
    return f"{field_spec}__icontains"


@cache
def generated_serializer(model: type[models.Model]) -> type:
    """A ModelSerializer over the spec's API fields, with a ``display`` string (base: SpecModelSerializer)."""

    from core.api.serializers import DisplayField, SpecModelSerializer

    spec = _spec(model)
    fields = list(spec.api_fields) if spec.api_fields is not None else spec.plain_fields()
    read_only = set(spec.api_read_only_fields)
    read_only.update(f.name for f in model._meta.concrete_fields if not f.editable)
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": ["display", *fields], "read_only_fields": sorted(read_only & set(fields))},
    )
    return type(
        f"{model.__name__}Serializer",
        (SpecModelSerializer,),
        {
            "Meta": meta,
            "spec": spec,
            "display": DisplayField(),
            "__module__": __name__,
        },
    )


@cache
def generated_viewset(model: type[models.Model]) -> type:
    """A ModelViewSet whose queryset comes only from the tenancy helper."""
    from core.api.viewsets import SpecViewSet

    spec = _spec(model)
    return type(
        f"{model.__name__}ViewSet",
        (SpecViewSet,),
        {
            "model": model,
            "spec": spec,
            "serializer_class": resolved(model, "serializer"),
            "filterset_class": resolved(model, "filterset"),
            "ordering_fields": "__all__",
            "search_fields": list(spec.search_fields),
            "__module__": __name__,
        },
    )


@cache
def generated_admin(model: type[models.Model]) -> type:
    """The unfold ModelAdmin with import/export and history, configured from the spec."""
    from core.admin import SpecModelAdmin

    spec = _spec(model)
    relations = [name for name in spec.list_display if _is_relation(model, name)]
    badge_columns = {name: _badge_column(model, name, colours) for name, colours in spec.badges.items()}
    attributes: dict[str, Any] = {
        **{f"{name}_badge": column for name, column in badge_columns.items()},
        "list_display": [f"{name}_badge" if name in badge_columns else name for name in spec.list_display],
        "search_fields": list(spec.search_fields),
        "list_filter": list(spec.list_filter or spec.filter_fields),
        "list_select_related": list(spec.select_related) or relations or False,
        "autocomplete_fields": list(spec.autocomplete_fields),
        "readonly_fields": list(spec.readonly_fields),
        "resource_classes": [resolved(model, "resource")],
        "spec": spec,
        "__module__": __name__,
    }
    if spec.ordering:
        attributes["ordering"] = list(spec.ordering)
    from core.imports import import_allowed

    if not import_allowed(spec):
        attributes["has_import_permission"] = lambda self, request: False
    return type(f"{model.__name__}Admin", (SpecModelAdmin,), attributes)


def _badge_column(model: type[models.Model], name: str, colours: dict) -> Callable:
    """A changelist column showing a choice field as an unfold label in its colour."""
    from unfold.decorators import display

    field_ = model._meta.get_field(name)

    @display(description=field_.verbose_name, ordering=name, label={str(k): v for k, v in colours.items()})
    def column(self, obj):
        return getattr(obj, name), getattr(obj, f"get_{name}_display")()

    return column


def _is_relation(model: type[models.Model], name: str) -> bool:
    try:
        field_ = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - list_display may name a method or property
        return False
    return bool(field_.is_relation and (field_.many_to_one or field_.one_to_one))


def register_admins(site) -> None:
    """Register every declared model on ``site`` that the app did not register by hand."""
    for spec in all_specs():
        if not site.is_registered(spec.model):
            site.register(spec.model, resolved(spec.model, "admin"))
