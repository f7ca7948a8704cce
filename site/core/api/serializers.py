"""The serializer every generated API serializer derives from: tenancy-scoped relations, staff-only fields.

* Every related-object field looks its object up through :func:`core.tenancy.for_user`, so a customer naming
  another company's object gets the same 400 ("Invalid pk … object does not exist") as for a missing one:
  the API never tells whether a foreign object exists. Related models without a tenancy path (the catalog,
  staff-only models) keep their own querysets.
* Fields the spec declares ``staff_only_fields`` (``comments`` by default: staff notes) are never serialised
  for customers, in either direction.
* ``ModelSerializer`` builds its fields from the model's metadata on every instance (about a tenth of an API
  list's CPU); here they are built once per class and process, and each instance gets its own copies.
"""

import copy

from rest_framework import serializers

from core.tenancy import for_user, tenancy_path


class TenancyScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key relation whose choices are what the requesting user may see of the related model."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset is None or tenancy_path(queryset.model) is None:
            return queryset
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return for_user(queryset, request.user)


class DisplayField(serializers.CharField):
    """``str(obj)``, read-only. A ``source="__str__"`` field made DRF inspect the method's signature on every row
    (``is_simple_callable``): about a tenth of serialising a page of 50."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return str(instance)


class SpecModelSerializer(serializers.ModelSerializer):
    """Base of generated serializers (``spec`` is set on each generated class)."""

    serializer_related_field = TenancyScopedRelatedField
    spec = None
    # What a listed row reads besides the model fields the serializer outputs (``str()``, properties), as ORM
    # paths ("name", "company__name"). Declaring it (even empty) makes lists read only those columns
    # (:meth:`list_queryset`); None keeps the viewset's whole rows.
    list_reads: tuple[str, ...] | None = None

    def get_fields(self):
        fields = self.model_fields()
        request = self.context.get("request")
        if self.spec is not None and request is not None and not getattr(request.user, "is_staff", False):
            for name in self.spec.staff_only_fields:
                fields.pop(name, None)
        return fields

    def model_fields(self) -> dict:
        """``ModelSerializer.get_fields()``, built once per serializer class and copied for each instance.

        What ``ModelSerializer`` builds depends only on the class (its ``Meta``, declared fields and model), never
        on the instance, data or context, so one build per class serves every request. Each instance gets deep
        copies, made the way DRF copies a serializer's declared fields for every instance (``Field.__deepcopy__``
        instantiates a new field from the arguments the original was made with): fields are bound to their
        serializer and may be changed per request (``read_only``, ``queryset``), so none is shared. A subclass
        that changes fields per request does it on the copies, in ``get_fields`` after ``super()``; one that
        overrides ``build_field`` or ``get_extra_kwargs`` must not read the request there.
        """
        return copy.deepcopy(self._model_field_prototypes())

    def _model_field_prototypes(self) -> dict:
        cls = type(self)
        prototypes = _MODEL_FIELD_PROTOTYPES.get(cls)
        if prototypes is None:
            prototypes = _MODEL_FIELD_PROTOTYPES[cls] = super().get_fields()
        return prototypes

    @classmethod
    def list_queryset(cls, queryset):
        """``queryset`` reading only what a listed row shows, when the class declares :attr:`list_reads`.

        The columns are the model fields behind the serializer's readable fields (staff-only ones included) and
        the declared paths; the relations those paths cross are joined (``select_related``) and nothing else.
        A list of devices read five joined tables whole, secrets decrypted, to show one company's name. A read
        of a column left out costs a query per row, which the constant-query tests of every list would catch.
        """
        if cls.list_reads is None:
            return queryset
        only, joined = _LIST_COLUMNS.get(cls, (None, None))
        if only is None:
            model = queryset.model
            concrete = {field.name for field in model._meta.concrete_fields}
            only = [model._meta.pk.name]
            for name, field in cls()._model_field_prototypes().items():
                source = field.source or name  # unbound: a field's source defaults to its name when bound
                if not field.write_only and source in concrete:
                    only.append(source)
            joined = []
            for path in cls.list_reads:
                parts = path.split("__")
                for depth in range(1, len(parts)):
                    relation = "__".join(parts[:depth])
                    only.append(relation)
                    joined.append(relation)
                only.append(path)
            only, joined = list(dict.fromkeys(only)), list(dict.fromkeys(joined))
            _LIST_COLUMNS[cls] = only, joined
        queryset = queryset.select_related(None)
        return (queryset.select_related(*joined) if joined else queryset).only(*only)


# Serializer class -> the unbound fields ModelSerializer built for it (never handed out, only copied).
_MODEL_FIELD_PROTOTYPES: dict[type, dict] = {}
# Serializer class -> (the columns, the relations) its lists read (``list_queryset``).
_LIST_COLUMNS: dict[type, tuple[list[str], list[str]]] = {}
