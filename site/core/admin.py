"""The admin base class every generated admin derives from: unfold, import-export and history in one."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.sites import UnfoldAdminSite


def secret_field_names(model) -> set[str]:
    """Names of ``model``'s encrypted fields (never shown: set through a write-only input, read by the reveal)."""
    from core.fields import EncryptedTextField

    return {field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)}


def _without(names, hidden: set[str]) -> list:
    return [name for name in names if name not in hidden]


class SpecModelAdmin(SimpleHistoryAdmin, ModelAdmin, ImportExportModelAdmin):
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
