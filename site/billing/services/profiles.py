"""Billing profiles: a company's billing settings, read or created on first use, and changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing.choices import InvoiceStatus
from billing.models import (
    BillingProfile,
    Invoice,
)

# --- profiles -------------------------------------------------------------------------------------------


def billing_profile_for(*, company) -> BillingProfile:
    """The company's billing profile, created with the defaults on first use."""
    profile = BillingProfile.objects.filter(company=company).first()
    if profile is None:
        with transaction.atomic():
            profile, _created = BillingProfile.objects.get_or_create(
                company=company, defaults={"billing_email": company.email}
            )
    return profile


def billing_profiles_for(*, companies) -> dict[int, BillingProfile]:
    """The billing profiles of many companies by company id, the missing ones created with the defaults (as
    :func:`billing_profile_for` does): three queries for any number of companies."""
    companies = {company.pk: company for company in companies}
    profiles = {profile.company_id: profile for profile in BillingProfile.objects.filter(company_id__in=companies)}
    missing = [company for pk, company in companies.items() if pk not in profiles]
    if missing:
        # Another worker may create one at the same moment: the unique company column keeps the first.
        BillingProfile.objects.bulk_create(
            [BillingProfile(company=company, billing_email=company.email) for company in missing],
            ignore_conflicts=True,
        )
        created = list(BillingProfile.objects.filter(company_id__in=[company.pk for company in missing]))
        BillingProfile.history.bulk_history_create(created)
        profiles.update((profile.company_id, profile) for profile in created)
    return profiles


@transaction.atomic
def billing_profile_update(*, company, **fields) -> BillingProfile:
    """Change the billing profile (currency, terms, exemption, e-mail recipients)."""
    profile = billing_profile_for(company=company)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown billing profile fields: {sorted(unknown)}")
    if "currency" in fields and fields["currency"] != profile.currency:
        if Invoice.objects.filter(company=company).exclude(status=InvoiceStatus.VOID).exists():
            raise ValidationError({"currency": _("The currency cannot change once the company has been invoiced.")})
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


PROFILE_FIELDS = (
    "currency",
    "payment_terms_days",
    "tax_exempt",
    "tax_exemption_id",
    "billing_email",
    "invoice_recipients",
)


@transaction.atomic
def billing_profile_change(*, billingprofile: BillingProfile, **fields) -> BillingProfile:
    """The admin's and API's change of a profile: its billing fields through ``billing_profile_update``, its
    notes as they are; the company it belongs to never changes."""
    if "company" in fields and fields.pop("company") != billingprofile.company:
        raise ValidationError({"company": _("A billing profile stays with its company.")})
    notes = {name: fields.pop(name) for name in ("description", "comments") if name in fields}
    profile = billing_profile_update(company=billingprofile.company, **fields)
    for name, value in notes.items():
        setattr(profile, name, value)
    if notes:
        profile.save()
    return profile
