"""Declarations of the accounts models: admin, API, filters and import/export are generated from these."""

from accounts.choices import COMPANY_ROLE_COLOURS, COMPANY_STATUS_COLOURS
from accounts.models import ApiToken, Company, Invitation, Membership, User
from accounts.services import (
    company_create,
    company_update,
    membership_add,
    membership_remove,
    membership_update,
    user_create,
    user_update,
)
from core.registry import ModelSpec, register

register(
    ModelSpec(
        model=Company,
        list_display=("name", "account_number", "status", "legal_name", "email", "country", "created"),
        search_fields=("name", "legal_name", "=account_number", "email", "tax_id"),
        filter_fields=("status", "country"),
        badges={"status": COMPANY_STATUS_COLOURS},
        readonly_fields=("account_number", "created", "last_updated"),
        ordering=("name",),
        import_id_fields=("account_number",),
        api_read_only_fields=("account_number", "status"),
        tenancy="",
        # Companies are closed (status), never deleted: their invoices and history stay.
        create=company_create,
        update=company_update,
    )
)

register(
    ModelSpec(
        model=Membership,
        list_display=("user", "company", "role", "is_active", "created"),
        search_fields=("user__email", "user__full_name", "company__name"),
        filter_fields=("role", "is_active", "company"),
        badges={"role": COMPANY_ROLE_COLOURS},
        select_related=("user", "company"),
        autocomplete_fields=("user", "company"),
        api_fields=("id", "user", "company", "role", "is_active", "created"),
        tenancy="company",
        create=membership_add,
        update=membership_update,
        delete=membership_remove,
    )
)

register(
    ModelSpec(
        model=User,
        list_display=("email", "full_name", "username", "is_staff", "is_active", "last_login"),
        search_fields=("email", "full_name", "username"),
        filter_fields=("is_staff", "is_active", "groups"),
        readonly_fields=("last_login", "date_joined"),
        export_fields=(
            "id",
            "email",
            "username",
            "full_name",
            "phone",
            "time_zone",
            "is_staff",
            "is_active",
            "date_joined",
            "last_login",
        ),
        importable=False,
        secret_fields=("password",),
        api_fields=("id", "email", "full_name", "username", "is_staff", "is_active", "date_joined"),
        api_read_only_fields=("is_staff",),
        tenancy=None,
        create=user_create,
        update=user_update,
    )
)

register(
    ModelSpec(
        model=Invitation,
        list_display=("email", "company", "role", "invited_by", "expires_at", "accepted_at", "revoked_at"),
        search_fields=("email", "company__name"),
        filter_fields=("role", "company"),
        select_related=("company", "invited_by"),
        autocomplete_fields=("company",),
        readonly_fields=("accepted_at", "accepted_by", "revoked_at", "invited_by"),
        importable=False,
        admin_addable=False,
        api=False,
    )
)

register(
    ModelSpec(
        model=ApiToken,
        list_display=("name", "user", "prefix", "created", "last_used", "expires_at", "revoked_at"),
        search_fields=("name", "=prefix", "user__email"),
        filter_fields=("user",),
        select_related=("user",),
        readonly_fields=("prefix", "last_used", "revoked_at"),
        importable=False,
        secret_fields=("secret_hash",),
        admin_addable=False,
        api=False,
    )
)
