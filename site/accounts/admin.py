"""Overrides of the generated accounts admins: user passwords, company members inline, lifecycle actions."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from accounts import services
from accounts.choices import CompanyStatus
from accounts.models import Company, Membership, User
from core.registry import generated_admin, override


class MembershipInline(TabularInline):
    model = Membership
    fields = ("user", "role", "is_active")
    autocomplete_fields = ("user",)
    extra = 0
    tab = True


@override(Company, "admin")
class CompanyAdmin(generated_admin(Company)):
    inlines = [MembershipInline]
    actions = ["suspend", "activate"]
    fieldsets = (
        (None, {"fields": ("name", "legal_name", "account_number", "status", "email", "phone", "tax_id")}),
        (
            _("Billing address"),
            {"fields": ("address_line1", "address_line2", "city", "region", "postal_code", "country")},
        ),
        (_("Notes"), {"fields": ("description", "comments")}),
        (_("Record"), {"fields": ("created", "last_updated"), "classes": ["collapse"]}),
    )

    def _set_status(self, request, queryset, status):
        for company in queryset:
            services.company_set_status(company=company, status=status)
        self.message_user(request, _("%(count)d companies updated.") % {"count": queryset.count()}, messages.SUCCESS)

    @action(description=_("Suspend selected companies"), permissions=["change"])
    def suspend(self, request, queryset):
        self._set_status(request, queryset, CompanyStatus.SUSPENDED)

    @action(description=_("Re-activate selected companies"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_status(request, queryset, CompanyStatus.ACTIVE)


GeneratedUserAdmin = generated_admin(User)


@override(User, "admin")
class UserAdmin(BaseUserAdmin, GeneratedUserAdmin):
    # Django's UserAdmin comes first for its password views; the spec's columns and filters still apply.
    list_display = GeneratedUserAdmin.list_display
    list_filter = GeneratedUserAdmin.list_filter
    search_fields = GeneratedUserAdmin.search_fields
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "username", "phone", "time_zone")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups", "user_permissions")

    def service_fields(self, request, form, change: bool) -> dict:
        """Django's creation form asks for the password twice; ``user_create`` takes it once."""
        fields = super().service_fields(request, form, change)
        if not change:
            fields["password"] = form.cleaned_data["password1"]
        return fields


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass
