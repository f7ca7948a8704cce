"""The admin base class every generated admin derives from: unfold, import-export and history in one.

It writes only through the services the model's spec names (:mod:`core.writes`): the add form calls
``spec.create``, the change form ``spec.update`` with the changed fields, deletion ``spec.delete``. Without a
service the page is read-only (no add button, a disabled change form, no delete). A service's
``ValidationError`` comes back as form errors on the same page (or a message for deletions), nothing saved.
"""

from contextlib import contextmanager
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.sites import UnfoldAdminSite

from core import writes
from core.registry import get_spec


def secret_field_names(model) -> set[str]:
    """Names of ``model``'s encrypted fields (never shown: set through a write-only input, read by the reveal)."""
    from core.fields import EncryptedTextField

    return {field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)}


def _without(names, hidden: set[str]) -> list:
    return [name for name in names if name not in hidden]


class ServiceRefused(Exception):
    """A service refused an admin write; carries its ValidationError back to the view that shows it."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


class SpecWritesMixin:
    """The admin's write paths, each through the spec's named service (see the module docstring)."""

    spec = None

    def _service(self, kind: str):
        return getattr(self.spec, kind, None) if self.spec is not None else None

    def has_add_permission(self, request):
        addable = self.spec is None or (self.spec.create is not None and self.spec.admin_addable)
        return addable and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return (self.spec is None or self.spec.delete is not None) and super().has_delete_permission(request, obj)

    def _updatable(self) -> bool:
        return self.spec is None or self.spec.update is not None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if (obj is None or self._updatable()) and refusal is None:
            return form
        read_only = obj is not None and not self._updatable()

        class ServiceForm(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                if read_only:
                    for field in self.fields.values():
                        field.disabled = True

            def _post_clean(self):
                super()._post_clean()
                if refusal is not None:
                    writes.form_errors(self, refusal)

        ServiceForm.__name__ = form.__name__
        return ServiceForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and not self._updatable():
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def service_fields(self, request, form, change: bool) -> dict:
        """What the service receives from the form: the model's fields among the form's (changed) data.

        An override maps a form whose fields are not the model's (Django's user creation form's passwords).
        """
        names = form.changed_data if change else None
        service = self._service("update" if change else "create")
        return writes.writable_fields(self.model, form.cleaned_data, names, service)

    def save_model(self, request, obj, form, change):
        """Create or update through the spec's service; copy what it saved back onto ``obj`` for the admin."""
        if self.spec is None:
            return super().save_model(request, obj, form, change)
        service = self._service("update" if change else "create")
        if service is None:
            raise PermissionDenied
        fields = self.service_fields(request, form, change)
        with refusals_as_form_errors():
            if change:
                current = self.model._default_manager.get(pk=obj.pk)
                saved = writes.update(self.spec, instance=current, fields=fields, actor=request.user)
            else:
                saved = writes.create(self.spec, fields=fields, actor=request.user)
        adopt(obj, saved if isinstance(saved, self.model) else obj)

    def save_related(self, request, form, formsets, change):
        """Many-to-many fields went to the service with the other fields; inline rows go through their own."""
        if self.spec is None:
            return super().save_related(request, form, formsets, change)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """Each inline row through the services of its model's spec (refused when it names none)."""
        spec = get_spec(formset.model)
        if self.spec is None or spec is None:
            return super().save_formset(request, form, formset, change)
        parent = {formset.fk.name: form.instance} if getattr(formset, "fk", None) is not None else {}
        deleted = set(formset.deleted_forms)
        # What formset.save() would have recorded, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        with refusals_as_form_errors():
            for row in formset.forms:
                instance = row.instance
                if row in deleted:
                    if instance.pk is not None:
                        _require(spec.delete)
                        writes.delete(spec, instance=instance, actor=request.user)
                        formset.deleted_objects.append(instance)
                elif instance.pk is None and row.has_changed():
                    _require(spec.create)
                    fields = {**writes.writable_fields(formset.model, row.cleaned_data, service=spec.create), **parent}
                    formset.new_objects.append(writes.create(spec, fields=fields, actor=request.user))
                elif instance.pk is not None and row.has_changed():
                    _require(spec.update)
                    fields = writes.writable_fields(formset.model, row.cleaned_data, row.changed_data, spec.update)
                    current = formset.model._default_manager.get(pk=instance.pk)
                    saved = writes.update(spec, instance=current, fields=fields, actor=request.user)
                    formset.changed_objects.append((saved, row.changed_data))

    def delete_model(self, request, obj):
        if self.spec is None:
            return super().delete_model(request, obj)
        if self.spec.delete is None:
            raise PermissionDenied
        with refusals_as_form_errors():
            writes.delete(self.spec, instance=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        if self.spec is None:
            return super().delete_queryset(request, queryset)
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The service's transaction rolled back; render the same form again with its errors.
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refused:
            self.message_user(request, writes.error_text(refused.error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ServiceRefused as refused:
            self.message_user(request, writes.error_text(refused.error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@contextmanager
def refusals_as_form_errors():
    """Turn a service's ValidationError into :class:`ServiceRefused`, which the admin's views show."""
    try:
        yield
    except ValidationError as error:
        raise ServiceRefused(error) from error


def _require(service) -> None:
    if service is None:
        raise PermissionDenied


def adopt(obj, saved) -> None:
    """Make the admin's ``obj`` the row the service saved (the admin goes on to log and redirect with it)."""
    opts = obj._meta
    for field in opts.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class SpecModelAdmin(SpecWritesMixin, SimpleHistoryAdmin, ModelAdmin, ImportExportModelAdmin):
    """Base of generated admins; app overrides subclass the generated class, never this one directly.

    Secrets (encrypted fields) never appear on a page: staff who may change the object get an empty password
    input (empty keeps the stored value), staff who may only view it do not get the field at all.
    """

    import_form_class = ImportForm
    export_form_class = ExportForm
    list_per_page = 50
    list_filter_submit = True
    warn_unsaved_form = True
    compressed_fields = True
    spec = None

    def _hidden_secrets(self, request, obj) -> set[str]:
        secrets = secret_field_names(self.model)
        if not secrets:
            return set()
        may_edit = self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)
        return set() if may_edit else secrets

    def get_fieldsets(self, request, obj=None):
        hidden = self._hidden_secrets(request, obj)
        fieldsets = super().get_fieldsets(request, obj)
        if not hidden:
            return fieldsets
        return [(title, {**options, "fields": _without(options["fields"], hidden)}) for title, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        # A secret is never displayed as read-only text, whoever asks.
        return _without(super().get_readonly_fields(request, obj), secret_field_names(self.model))

    def get_list_display(self, request):
        return _without(super().get_list_display(request), secret_field_names(self.model))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in secret_field_names(self.model):
            from django import forms

            kwargs["widget"] = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        # An empty password input keeps the stored secret.
        if change:
            for name in secret_field_names(self.model) & set(form.cleaned_data):
                if not form.cleaned_data[name] and form.initial.get(name):
                    setattr(form.instance, name, form.initial[name])
        return super().save_form(request, form, change)

    def service_fields(self, request, form, change: bool) -> dict:
        """An empty password input keeps the stored secret: it is not passed to the update service."""
        fields = super().service_fields(request, form, change)
        if change:
            for name in secret_field_names(self.model) & set(fields):
                if not fields[name]:
                    del fields[name]
        return fields


class ServerStockAdminSite(UnfoldAdminSite):
    """The staff admin: unfold's site, with every declared model registered after autodiscovery."""

    site_header = "ServerStock"
    site_title = "ServerStock"
    index_title = "Operations"

    def login(self, request, extra_context=None):
        """Sign-in goes through allauth, so rate limits and staff MFA apply to the admin too."""
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


def restyle_third_party_admins(site) -> None:
    """Re-register admins of third-party apps (allauth, django-q2, taggit...) with unfold's look.

    Each keeps its own behaviour: the new class derives from the original admin class and unfold's ModelAdmin.
    """
    for model, model_admin in list(site._registry.items()):
        original = type(model_admin)
        if issubclass(original, ModelAdmin):
            continue
        bases = (ModelAdmin,) if original is admin.ModelAdmin else (original, ModelAdmin)
        restyled = type(original.__name__, bases, {"__module__": original.__module__})
        site.unregister(model)
        site.register(model, restyled)
