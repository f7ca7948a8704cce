"""The welcome e-mail of a delivered server: its recipients and sending it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.models import (
    Device,
    ServerWelcome,
)

# --- welcome e-mail --------------------------------------------------------------------------------------

WELCOME_ROLES = ("owner", "technical")


def server_welcome_recipients(*, device: Device) -> list[str]:
    """The e-mail addresses of the owning company's active owner and technical members, sorted."""
    from accounts.models import Membership

    if device.company_id is None:
        return []
    emails = (
        Membership.objects.active()
        .filter(company_id=device.company_id, role__in=WELCOME_ROLES, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


@transaction.atomic
def server_welcome_send(*, device: Device, actor, to: list[str] | None = None, base_url: str = "") -> ServerWelcome:
    """Send the welcome e-mail of a rented server (again, if asked) and keep a copy of what was sent.

    The e-mail goes after commit to ``to`` or, by default, to the owning company's owner and technical members.
    It carries the server's details and a link to the portal page where the passwords are revealed (audited):
    the passwords themselves are never put in an e-mail.
    """
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.company_id is None:
        raise ValidationError(
            _("%(device)s is assigned to no customer; assign it before sending the welcome e-mail.")
            % {"device": device}
        )
    recipients = sorted({address.strip() for address in to if address.strip()}) if to else []
    recipients = recipients or server_welcome_recipients(device=device)
    if not recipients:
        raise ValidationError(
            _("%(company)s has no owner or technical member with an e-mail address to welcome.")
            % {"company": device.company}
        )
    portal_link = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + reverse(
        "portal:device_detail", args=[device.pk]
    )
    context = {
        "device": device,
        "company": device.company,
        "interfaces": device.interfaces.filter(enabled=True).order_by("name"),
        "portal_link": portal_link,
    }
    body = render_to_string("dcim/email/server_welcome.txt", context)
    subject = _("Your server %(device)s is ready") % {"device": device}
    welcome = ServerWelcome.objects.create(
        device=device, sent_at=timezone.now(), sent_by=actor, recipients=recipients, body=body
    )
    device.welcome_email_sent_at = welcome.sent_at
    device._change_reason = "welcome e-mail sent"
    device.save(update_fields=["welcome_email_sent_at", "last_updated"])
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return welcome
