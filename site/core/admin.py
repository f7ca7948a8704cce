"""The admin base class every generated admin derives from: unfold, import-export and history in one."""

from urllib.parse import urlencode

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
