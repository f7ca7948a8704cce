"""Cancellation by e-mail confirmation: the signed, single-use, expiring link bound to the user and the services."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from catalog.choices import CancellationStatus, ServiceStatus
from catalog.models import CancellationRequest, Service
from catalog.services.common import _require_orderer, _today
from catalog.services.lifecycle import cancellation_effective_date_for, service_request_cancellation
from core.services import instance_save

CANCELLATION_SALT = "serverstock.catalog.cancellation"
CANCELLATION_LINK_LIFETIME = timedelta(hours=48)


def cancellation_token(request: CancellationRequest, service_ids: Iterable[int] | None = None) -> str:
    """The signed link payload: the request, the user it was sent to, the services and the single-use nonce."""
    ids = sorted(service_ids if service_ids is not None else request.services.values_list("pk", flat=True))
    return signing.dumps(
        {"c": request.pk, "u": request.requested_by_id, "s": ids, "n": request.nonce}, salt=CANCELLATION_SALT
    )


@transaction.atomic
def cancellation_request_create(
    *,
    company: Company,
    requested_by,
    services: Sequence[Service],
    reason: str = "",
    requested_end_date: date | None = None,
    base_url: str = "",
) -> CancellationRequest:
    """Record a customer's wish to cancel ``services`` and e-mail them a link to confirm it (after commit).

    Nothing changes on the services until the link is opened by the same user (:func:`cancellation_confirm`).
    """
    _require_orderer(requested_by, company)
    services = list(services)
    if not services:
        raise ValidationError(_("Choose the services to cancel."))
    for service in services:
        if service.company_id != company.pk:
            raise ValidationError(_("That service is not one of %(company)s's.") % {"company": company})
        if service.status not in (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED):
            raise ValidationError(
                _("%(service)s is %(status)s; only active or suspended services can be cancelled.")
                % {"service": service, "status": service.get_status_display().lower()}
            )
    if requested_end_date and requested_end_date < _today():
        raise ValidationError({"requested_end_date": _("The end date cannot be in the past.")})
    request = instance_save(
        CancellationRequest(
            company=company,
            requested_by=requested_by,
            reason=(reason or "").strip(),
            requested_end_date=requested_end_date,
            nonce=secrets.token_hex(16),
            expires_at=timezone.now() + CANCELLATION_LINK_LIFETIME,
        )
    )
    request.services.set(services)
    link = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + reverse(
        "portal:service_cancel_confirm", args=[cancellation_token(request, [s.pk for s in services])]
    )
    context = {
        "cancellation": request,
        "services": [(s, cancellation_effective_date_for(service=s, requested=requested_end_date)) for s in services],
        "link": link,
        "hours": int(CANCELLATION_LINK_LIFETIME.total_seconds() // 3600),
    }
    body = render_to_string("catalog/email/cancellation_confirm.txt", context)
    subject = _("Confirm the cancellation of your services at %(company)s") % {"company": company}
    recipient = requested_by.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
    return request


def cancellation_from_token(token: str, *, user) -> CancellationRequest:
    """The pending request a link names; a clear error when it is forged, expired, used, or not this user's."""
    try:
        payload = signing.loads(token, salt=CANCELLATION_SALT, max_age=CANCELLATION_LINK_LIFETIME)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This confirmation link has expired. Request the cancellation again.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This confirmation link is not valid. Check that you copied all of it.")) from error
    request = CancellationRequest.objects.select_related("company").filter(pk=payload.get("c")).first()
    if request is None or request.nonce != payload.get("n"):
        raise ValidationError(_("This confirmation link is not valid. Check that you copied all of it."))
    if user is None or not user.is_authenticated or user.pk != payload.get("u") or request.requested_by_id != user.pk:
        raise PermissionDenied(_("This link was sent to another user; only they can confirm this cancellation."))
    if sorted(request.services.values_list("pk", flat=True)) != payload.get("s"):
        raise ValidationError(_("This confirmation link is not valid. Check that you copied all of it."))
    if request.status == CancellationStatus.CONFIRMED:
        raise ValidationError(
            _("This cancellation was already confirmed on %(date)s.")
            % {"date": timezone.localtime(request.confirmed_at).date().isoformat()}
        )
    if request.status != CancellationStatus.AWAITING_CONFIRMATION:
        raise ValidationError(_("This cancellation request was withdrawn."))
    if request.expires_at <= timezone.now():
        raise ValidationError(_("This confirmation link has expired. Request the cancellation again."))
    return request


@transaction.atomic
def cancellation_confirm(*, token: str, user) -> CancellationRequest:
    """Confirm a cancellation once: each service becomes "cancellation requested" with its effective date
    from the contract terms (the requested end date, at the end of its billing period, after the minimum term)."""
    request = cancellation_from_token(token, user=user)
    request = CancellationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != CancellationStatus.AWAITING_CONFIRMATION:
        raise ValidationError(_("This cancellation was already confirmed."))
    _require_orderer(user, request.company)
    for service in request.services.select_related("plan").order_by("pk"):
        effective = cancellation_effective_date_for(service=service, requested=request.requested_end_date)
        service_request_cancellation(
            service=service,
            actor=user,
            effective_date=effective,
            reason=request.reason or _("Confirmed by e-mail (request #%(number)s).") % {"number": request.pk},
        )
    request.status = CancellationStatus.CONFIRMED
    request.confirmed_at = timezone.now()
    request.save(update_fields=["status", "confirmed_at", "last_updated"])
    return request
