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


class SpecModelAdmin(SimpleHistoryAdmin, ModelAdmin, ImportExportModelAdmin):
    """Base of generated admins; app overrides subclass the generated class, never this one directly."""

    import_form_class = ImportForm
    export_form_class = ExportForm
    list_per_page = 50
    list_filter_submit = True
    warn_unsaved_form = True
    compressed_fields = True
    spec = None


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
