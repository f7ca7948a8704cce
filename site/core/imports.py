"""Spreadsheet imports write through the services a spec names, like the generated admin and API.

django-import-export builds an instance per row and would ``save()`` it; :class:`ServiceWritesResource`
instead hands the row's values to the spec's ``create`` service (a new row) or ``update`` service (a row
matched by the spec's ``import_id_fields``), and a row marked for deletion to its ``delete`` service
(:mod:`core.writes`). So an imported company gets its account number from ``company_register``, an
imported payment is allocated like one recorded by hand, and a rule a service holds holds for imports too.

A row the services do not allow (no service named) is refused with a row error; a service's
``ValidationError`` becomes the row's validation error, shown by the admin's import page, and, as the admin
imports with ``rollback_on_validation_errors``, a file with one bad row writes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets

from core import writes


def import_allowed(spec) -> bool:
    """Whether staff may import rows of ``spec``'s model: it is importable and names a write service."""
    return bool(spec.importable and (spec.create or spec.update))


class ServiceWritesResource(resources.ModelResource):
    """A ``ModelResource`` whose imports call the spec's services (the spec is found by the model)."""

    @classmethod
    def spec(cls):
        from core.registry import get_spec

        return get_spec(cls._meta.model)

    def _values(self, instance, row, *, compared_with=None) -> dict:
        """The row's values as service keywords: model fields set on ``instance``, many-to-many as lists.

        With ``compared_with`` (the stored row), only the values that differ from it, compared as the
        spreadsheet shows them (a date-time exported without its microseconds is not a change)."""
        values = {}
        for field in self.get_import_fields():
            if not field.attribute or field.column_name not in row:
                continue
            name = field.attribute.split("__")[0]
            if isinstance(field.widget, widgets.ManyToManyWidget):
                value = list(field.clean(row) or [])
                if compared_with is not None and compared_with.pk is not None:
                    if {item.pk for item in value} == set(field.get_value(compared_with).values_list("pk", flat=True)):
                        continue
            else:
                value = getattr(instance, name, None)
                if compared_with is not None and field.export(compared_with) == field.export(instance):
                    continue
            values[name] = value
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A matched row that changes nothing is skipped (and so never reaches an update service)."""
        if import_validation_errors or original is None or original.pk is None:
            return False
        return not self._values(instance, row, compared_with=original)

    def save_instance(self, instance, is_create, row, **kwargs):
        spec = self.spec()
        service = spec.create if is_create else spec.update
        if service is None:
            what = spec.model._meta.verbose_name_plural.capitalize()
            if is_create:
                raise ValidationError(_("%(what)s cannot be added by import.") % {"what": what})
            raise ValidationError(_("%(what)s cannot be changed by import.") % {"what": what})
        self.before_save_instance(instance, row, **kwargs)
        actor = kwargs.get("user")
        if is_create:
            fields = writes.writable_fields(spec.model, self._values(instance, row), service=service)
            saved = writes.create(spec, fields=fields, actor=actor)
        else:
            current = spec.model._default_manager.get(pk=instance.pk)
            changed = self._values(instance, row, compared_with=current)
            changed.pop(spec.model._meta.pk.name, None)
            fields = writes.writable_fields(spec.model, changed, service=service)
            saved = writes.update(spec, instance=current, fields=fields, actor=actor)
        # The row result names what was written: the saved row's key and text.
        instance.pk = saved.pk
        instance._state.adding = False
        for name in fields:
            if not spec.model._meta.get_field(name).many_to_many:
                setattr(instance, name, getattr(saved, name))
        self.after_save_instance(instance, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        """Many-to-many values went to the service with the others."""

    def delete_instance(self, instance, row, **kwargs):
        spec = self.spec()
        if spec.delete is None:
            raise ValidationError(
                _("%(what)s cannot be deleted by import.") % {"what": spec.model._meta.verbose_name_plural.capitalize()}
            )
        self.before_delete_instance(instance, row, **kwargs)
        writes.delete(spec, instance=instance, actor=kwargs.get("user"))
        self.after_delete_instance(instance, row, **kwargs)
