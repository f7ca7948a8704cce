"""Device secrets: who may reveal them, the audited reveal, setting them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dcim.choices import (
    CUSTOMER_REVEALABLE_SECRETS,
    SecretField,
)
from dcim.models import (
    Device,
    SecretReveal,
)
from dcim.services.common import SECRET_REVEAL_PERMISSION

# --- secrets ---------------------------------------------------------------------------------------------


def may_reveal_secret(*, device: Device, field: str, user) -> bool:
    """Permitted staff may reveal any secret; the owning customer's technical members root and IPMI passwords."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return user.has_perm(SECRET_REVEAL_PERMISSION)
    if field not in CUSTOMER_REVEALABLE_SECRETS or device.company_id is None:
        return False
    from accounts.services import membership_for

    membership = membership_for(user=user, company=device.company_id)
    return membership is not None and membership.can("technical")


@transaction.atomic
def device_secret_reveal(*, device: Device, field: str, user, ip_address: str | None = None) -> str:
    """The plain text of one of ``device``'s secrets, for a permitted user; every reveal is written to the audit.

    The audit is :class:`dcim.models.SecretReveal` (who, which secret, when, from where, as staff or customer),
    shown read-only in the admin.
    """
    if field not in SecretField.values:
        raise ValidationError(_("%(field)s is not a device secret.") % {"field": field})
    if not may_reveal_secret(device=device, field=field, user=user):
        raise PermissionDenied(
            _("You may not see the %(secret)s of %(device)s.")
            % {"secret": SecretField(field).label.lower(), "device": device}
        )
    SecretReveal.objects.create(
        device=device, field=field, user=user, ip_address=ip_address or None, as_customer=not user.is_staff
    )
    return getattr(device, field)


@transaction.atomic
def device_secret_set(*, device: Device, field: str, value: str) -> Device:
    """Store a new secret (encrypted at rest)."""
    if field not in SecretField.values:
        raise ValidationError(_("%(field)s is not a device secret.") % {"field": field})
    device = Device.objects.select_for_update().get(pk=device.pk)
    setattr(device, field, value)
    device._change_reason = f"{field} changed"
    device.save(update_fields=[field, "last_updated"])
    return device
