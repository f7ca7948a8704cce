"""Every write of the accounts app: companies, memberships, invitations, API tokens, staff groups."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import CompanyRole, CompanyStatus, StaffRole
from accounts.models import ApiToken, Company, Invitation, Membership
from accounts.roles import (
    STAFF_ROLE_PERMISSIONS,
    WAGTAIL_ADMIN_ROLES,
    WAGTAIL_COLLECTION_ACTIONS,
    WAGTAIL_PAGE_ACTIONS,
    permission_allowed,
)
from core.rows import ModelColumns
from core.services import instance_save
from core.tenancy import remember_member_company_ids

User = get_user_model()

INVITATION_SALT = "serverstock.accounts.invitation"
INVITATION_LIFETIME = timedelta(days=7)
TOKEN_PREFIX_LENGTH = 8
# The marketing site's apps: their permissions go with Wagtail's, to administrators (and marketers).
CMS_APP_LABELS = {"home", "taggit"}


# --- companies -------------------------------------------------------------------------------------------


def _next_account_number() -> str:
    """The next account number: one more than the highest issued (unique, not necessarily gapless)."""
    numbers = Company.objects.select_for_update().values_list("account_number", flat=True)
    highest = max((int(number) for number in numbers if number.isdigit()), default=100000)
    return str(highest + 1)


@transaction.atomic
def company_create(*, name: str, legal_name: str = "", **fields) -> Company:
    """Create a company with the next account number."""
    return company_register(company=Company(name=name.strip(), legal_name=legal_name.strip(), **fields))


@transaction.atomic
def company_register(*, company: Company) -> Company:
    """Number and save a company built elsewhere (the admin's form); validates it first."""
    company.account_number = _next_account_number()
    company.full_clean()
    company.save()
    return company


@transaction.atomic
def company_update(*, company: Company, **fields) -> Company:
    """Change a company's details (account number excluded)."""
    fields.pop("account_number", None)
    for name, value in fields.items():
        setattr(company, name, value)
    company.full_clean()
    company.save()
    return company


@transaction.atomic
def company_set_status(*, company: Company, status: str) -> Company:
    """Activate, suspend or close a company."""
    if status not in CompanyStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    company.status = status
    company.save(update_fields=["status", "last_updated"])
    return company


# --- memberships -----------------------------------------------------------------------------------------


def membership_for(*, user, company: Company | int) -> Membership | None:
    """The user's active membership at ``company``, if any."""
    company_id = getattr(company, "pk", company)
    return Membership.objects.active().filter(user=user, company_id=company_id).select_related("company").first()


def _require_manager(*, actor, company: Company) -> None:
    if actor is None or actor.is_staff and actor.has_perm("accounts.change_membership"):
        return
    membership = membership_for(user=actor, company=company)
    if membership is None or not membership.can("manage_users"):
        raise PermissionDenied(_("Only an owner of %(company)s can manage its users.") % {"company": company})


def _ensure_owner_remains(*, company: Company, excluding: Membership) -> None:
    owners = Membership.objects.active().filter(company=company, role=CompanyRole.OWNER).exclude(pk=excluding.pk)
    if not owners.exists():
        raise ValidationError(
            _("%(company)s must keep at least one owner: make someone else owner first.") % {"company": company}
        )


@transaction.atomic
def membership_add(*, company: Company, user, role: str = CompanyRole.TECHNICAL, actor=None) -> Membership:
    """Give ``user`` a role at ``company`` (re-activating a former membership)."""
    _require_manager(actor=actor, company=company)
    membership, _created = Membership.objects.get_or_create(user=user, company=company, defaults={"role": role})
    membership.role = role
    membership.is_active = True
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor=None) -> Membership:
    """Change a member's role; the company always keeps an owner."""
    _require_manager(actor=actor, company=membership.company)
    if membership.role == CompanyRole.OWNER and role != CompanyRole.OWNER:
        _ensure_owner_remains(company=membership.company, excluding=membership)
    membership.role = role
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor=None) -> Membership:
    """Take a user out of a company (kept, inactive, for history); the last owner cannot be removed."""
    _require_manager(actor=actor, company=membership.company)
    if membership.role == CompanyRole.OWNER:
        _ensure_owner_remains(company=membership.company, excluding=membership)
    membership.is_active = False
    membership.save()
    return membership


@transaction.atomic
def membership_update(
    *, membership: Membership, role: str | None = None, is_active: bool | None = None, actor=None
) -> Membership:
    """Change a membership from a form: its role, or whether it is active (through add/remove, so a company keeps
    an owner and only its managers change it)."""
    if is_active is False and membership.is_active:
        return membership_remove(membership=membership, actor=actor)
    if is_active and not membership.is_active:
        return membership_add(
            company=membership.company, user=membership.user, role=role or membership.role, actor=actor
        )
    if role is not None and role != membership.role:
        return membership_change_role(membership=membership, role=role, actor=actor)
    return membership


# --- invitations -----------------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """A signed reference to the invitation, for the link in the e-mail."""
    return signing.dumps({"invitation": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link points at; a clear error when it is forged, expired or used."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_LIFETIME)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This invitation has expired. Ask the owner to invite you again.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This invitation link is not valid. Check that you copied all of it.")) from error
    invitation = Invitation.objects.select_related("company").filter(pk=payload["invitation"]).first()
    if invitation is None or invitation.email != payload["email"] or invitation.revoked_at:
        raise ValidationError(_("This invitation was withdrawn. Ask the owner to invite you again."))
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired. Ask the owner to invite you again."))
    return invitation


@transaction.atomic
def invitation_create(*, company: Company, email: str, role: str, actor, base_url: str = "") -> Invitation:
    """Invite ``email`` to ``company`` with ``role`` and send the link once the invitation is saved."""
    _require_manager(actor=actor, company=company)
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.active().filter(company=company, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member of %(company)s.") % {"email": email, "company": company}}
        )
    Invitation.objects.pending().filter(company=company, email__iexact=email).update(revoked_at=timezone.now())
    invitation = Invitation(
        company=company,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    link = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + reverse(
        "portal:invitation_accept", args=[invitation_token(invitation)]
    )
    body = render_to_string("accounts/email/invitation.txt", {"invitation": invitation, "link": link, "actor": actor})
    subject = _("You are invited to %(company)s on ServerStock") % {"company": company}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    """Withdraw a pending invitation."""
    _require_manager(actor=actor, company=invitation.company)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "last_updated"])
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user=None, password: str = "", full_name: str = "") -> Membership:
    """Accept an invitation once: an existing, signed-in user joins; a new user is created with ``password``."""
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used. Sign in instead."))
    if user is None or not user.is_authenticated:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _("An account for %(email)s exists already: sign in, then open the link again.")
                % {"email": invitation.email}
            )
        user = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation is for %(email)s; you are signed in as %(current)s.")
            % {"email": invitation.email, "current": user.email}
        )
    membership = membership_add(company=invitation.company, user=user, role=invitation.role, actor=None)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "last_updated"])
    return membership


# --- API tokens ------------------------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with the plain token, which is shown once and never stored."""
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip() or _("API token"),
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, f"ss_{prefix}_{secret}"


def api_token_authenticate(raw: str):
    """The user a presented token belongs to, or None when it is unknown, revoked or expired."""
    try:
        marker, prefix, secret = raw.split("_", 2)
    except ValueError:
        return None
    if marker != "ss":
        return None
    statement, token_columns, user_columns = _token_statement()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            statement, [True, CompanyStatus.CLOSED.value, prefix, connection.ops.adapt_datetimefield_value(now)]
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    row = rows[0]
    token = token_columns.instance(row)
    if not hmac.compare_digest(token.secret_hash, _hash_secret(secret)):
        return None
    user = user_columns.instance(row, token_columns.width)
    if not user.is_active:
        return None
    # The same statement read the user's active memberships: tenancy need not ask again for this request.
    remember_member_company_ids(user, [company_id for *_, company_id in rows if company_id is not None])
    if token.last_used is None or now - token.last_used > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return user


@cache
def _token_statement() -> tuple[str, ModelColumns, ModelColumns]:
    """The usable token of a prefix with its user, as one hand-written statement (``ApiToken.objects.usable()``
    with ``select_related("user")``): every API request asks it, and compiling that queryset cost about a
    millisecond of CPU a request, more than the database's answer.

    Each row ends with the id of a company the user is an active member of (``Membership.objects.active()``:
    an active membership of a company that is not closed), one row per such company, or one row ending in NULL
    when there is none; so the request's tenancy needs no second query. Parameters: true, the closed status,
    the prefix, now."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    token = ModelColumns(ApiToken, [field.name for field in ApiToken._meta.concrete_fields], "t")
    user = ModelColumns(user_model, [field.name for field in user_model._meta.concrete_fields], "u")
    membership, company = Membership._meta, Company._meta
    statement = (
        f"SELECT {token.sql}, {user.sql}, c.{quote(company.pk.column)} FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = t.{quote('user_id')} "
        f"LEFT JOIN {quote(membership.db_table)} m ON m.{quote(membership.get_field('user').column)} "
        f"= u.{quote(user_model._meta.pk.column)} AND m.{quote(membership.get_field('is_active').column)} = %s "
        f"LEFT JOIN {quote(company.db_table)} c ON c.{quote(company.pk.column)} "
        f"= m.{quote(membership.get_field('company').column)} AND c.{quote(company.get_field('status').column)} <> %s "
        f"WHERE t.{quote('prefix')} = %s AND t.{quote('revoked_at')} IS NULL "
        f"AND (t.{quote('expires_at')} IS NULL OR t.{quote('expires_at')} > %s) "
        f"ORDER BY c.{quote(company.get_field('name').column)}"
    )
    return statement, token, user


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke a token; only its owner or staff allowed to change tokens may."""
    if actor != token.user and not actor.has_perm("accounts.change_apitoken"):
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "last_updated"])
    return token


# --- staff groups ----------------------------------------------------------------------------------------


def staff_groups_sync() -> dict[str, int]:
    """Create the staff groups and give each exactly the permissions of ``accounts.roles``."""
    counts = {}
    permissions = list(Permission.objects.select_related("content_type"))
    for role in StaffRole.values:
        group, _created = Group.objects.get_or_create(name=role)
        allowed = [
            permission
            for permission in permissions
            if _role_allows(role, permission.content_type.app_label, permission.codename)
        ]
        group.permissions.set(allowed)
        counts[role] = len(allowed)
        if role in WAGTAIL_ADMIN_ROLES and role != StaffRole.ADMINISTRATOR:
            _grant_wagtail_tree(group)
    return counts


def _grant_wagtail_tree(group: Group) -> None:
    """Page permissions on the whole page tree and image/document permissions on the root collection."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    wanted = {f"{action}_page" for action in WAGTAIL_PAGE_ACTIONS}
    for permission in Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=wanted):
        if root_page is not None:
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)
    media = [f"{action}_{model}" for action in WAGTAIL_COLLECTION_ACTIONS for model in ("image", "document")]
    for permission in Permission.objects.filter(
        content_type__app_label__in=["wagtailimages", "wagtaildocs"], codename__in=media
    ):
        if root_collection is not None:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )


def _role_allows(role: str, app_label: str, codename: str) -> bool:
    if app_label.startswith("wagtail") or app_label in CMS_APP_LABELS:
        if role not in WAGTAIL_ADMIN_ROLES:
            return False
        return role == StaffRole.ADMINISTRATOR or permission_allowed(role, app_label, codename)
    if app_label in {"auth", "contenttypes", "sessions", "admin"} and role != StaffRole.ADMINISTRATOR:
        return False
    if role in STAFF_ROLE_PERMISSIONS:
        return permission_allowed(role, app_label, codename)
    return False


@transaction.atomic
def staff_user_create(
    *,
    email: str,
    password: str,
    roles: list[str],
    username: str | None = None,
    full_name: str = "",
    check_password_strength: bool = True,
) -> User:
    """Create a staff member in the given staff groups."""
    user = User(email=email.lower(), username=username, full_name=full_name, is_staff=True)
    if check_password_strength:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@transaction.atomic
def user_create(*, email: str, password: str = "", **fields) -> User:
    """Create a user (customer or staff) from the admin or API; without a password they sign in after a reset."""
    user = User(email=email.lower())
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    return instance_save(user, **fields)


@transaction.atomic
def user_update(*, user: User, **fields) -> User:
    """Change a user's details, access and groups (passwords change through their own form)."""
    fields.pop("password", None)
    if "email" in fields:
        fields["email"] = fields["email"].lower()
    return instance_save(user, **fields)
