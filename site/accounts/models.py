"""Users, companies, memberships, invitations and API tokens."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import COMPANY_ROLE_CAPABILITIES, CompanyRole, CompanyStatus
from accounts.querysets import ApiTokenQuerySet, CompanyQuerySet, InvitationQuerySet, MembershipQuerySet
from core.models import PrimaryModel, TimestampedModel


class UserManager(BaseUserManager):
    """Creates users keyed by e-mail address."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: by e-mail address, or by a short staff handle such as ``noc``."""

    email = models.EmailField(_("e-mail address"), unique=True)
    username = models.CharField(
        _("staff handle"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Optional short sign-in name for staff, e.g. 'noc'."),
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("Staff sign in to the admin; customers only to the portal.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.username == "":
            self.username = None

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Company(PrimaryModel):
    """A customer account: the unit of tenancy everything customer-visible belongs to."""

    account_number = models.CharField(
        _("account number"), max_length=20, unique=True, editable=False, help_text=_("Assigned on creation.")
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("The name shown to staff and on invoices."))
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CompanyStatus, default=CompanyStatus.ACTIVE)
    email = models.EmailField(_("billing e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (line 2)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state / region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. US."))
    tax_id = models.CharField(_("tax id"), max_length=50, blank=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="accounts_company_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def billing_address(self) -> str:
        """The postal address as lines, for invoices."""
        locality = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = [self.legal_name or self.name, self.address_line1, self.address_line2, locality, self.region]
        parts.append(self.country)
        return "\n".join(part for part in parts if part)


class Membership(TimestampedModel):
    """A user's role at a company; a user may belong to several companies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=CompanyRole, default=CompanyRole.TECHNICAL)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["company__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.get_role_display()})"

    def can(self, capability: str) -> bool:
        """Whether this role grants ``capability`` (see ``COMPANY_ROLE_CAPABILITIES``)."""
        return self.is_active and capability in COMPANY_ROLE_CAPABILITIES.get(self.role, frozenset())


class Invitation(TimestampedModel):
    """An invitation by e-mail to join a company; accepted once, through a signed, expiring link."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=CompanyRole, default=CompanyRole.TECHNICAL)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(TimestampedModel):
    """A personal API token. Only a SHA-256 hash of the secret is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
