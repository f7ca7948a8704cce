"""Writes owned by core, and the plain services apps use for reference data."""

from collections.abc import Callable
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _


@transaction.atomic
def encrypted_rows_rotate(*, model: type[models.Model], field_names: list[str], batch_size: int = 500) -> int:
    """Re-encrypt ``field_names`` of every row of ``model`` under the newest key; returns the row count.

    Reading decrypts with any configured key and writing encrypts with the first, so reading each value and
    writing it back is the rotation. ``update()`` is used so no timestamps or history entries change.
    """
    count = 0
    queryset = model._default_manager.order_by("pk").only("pk", *field_names)
    for row in queryset.iterator(chunk_size=batch_size):
        values = {name: getattr(row, name) for name in field_names}
        model._default_manager.filter(pk=row.pk).update(**values)
        count += 1
    return count


# --- plain writes: for reference data whose rules are all in the model (full_clean) ------------------------


def instance_save(instance: models.Model, *, exclude: list[str] | None = None, **fields) -> models.Model:
    """Set ``fields`` on ``instance`` (many-to-many as lists), validate it with ``full_clean`` and save it.

    The one "set fields, validate, save" step that services build on; call it inside the service's transaction.
    """
    many = {f.name for f in instance._meta.many_to_many}
    related = {name: fields.pop(name) for name in list(fields) if name in many}
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=[*(exclude or []), *related] or None)
    instance.save()
    for name, value in related.items():
        getattr(instance, name).set(value)
    return instance


def instance_delete(instance: models.Model) -> None:
    """Delete ``instance``; rows that still use it (protected relations) come back as a ValidationError."""
    try:
        instance.delete()
    except models.ProtectedError as error:
        used_by = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise ValidationError(
            _("%(object)s is still used by %(used_by)s; change or remove those first.")
            % {"object": instance, "used_by": ", ".join(used_by)}
        ) from error


class PlainServices(NamedTuple):
    """``create``, ``update`` and ``delete`` services for a model with no rules beyond its own validation."""

    create: Callable
    update: Callable
    delete: Callable


def plain_services(model: type[models.Model]) -> PlainServices:
    """Services for reference data (sites, manufacturers, queues…): atomic, ``full_clean``, nothing else.

    In the app's ``services.py``: ``site_create, site_update, site_delete = plain_services(Site)``; the spec
    names them (``create=site_create`` …). A model that gains a rule gets a hand-written service instead.
    """
    name = model._meta.model_name
    label = model._meta.verbose_name

    @transaction.atomic
    def create(**fields):
        return instance_save(model(), **fields)

    @transaction.atomic
    def update(**fields):
        return instance_save(fields.pop(name), **fields)

    @transaction.atomic
    def delete(**fields):
        instance_delete(fields.pop(name))

    for function, action in ((create, "create"), (update, "update"), (delete, "delete")):
        function.__name__ = function.__qualname__ = f"{name}_{action}"
        function.__doc__ = f"{action.title()} a {label} (validated with full_clean, nothing else)."
    return PlainServices(create=create, update=update, delete=delete)
