"""Cancellation confirmed through an e-mailed link: signed, single-use, expiring, bound to the user and services."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog import services
from catalog.choices import CancellationStatus, ServiceStatus
from catalog.services import cancellations
from tests.catalog.factories import active_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(acme, alice, django_capture_on_commit_callbacks):
    service = active_service(acme, on=timezone.localdate() - timedelta(days=10), label="Cabinet B04")
    with django_capture_on_commit_callbacks(execute=True):
        request = services.cancellation_request_create(
            company=acme, requested_by=alice, services=[service], reason="Consolidating"
        )
    return request, service


def mailed_token(message) -> str:
    return re.search(r"/portal/services/cancel/confirm/([^/\s]+)/", message.body).group(1)


def test_the_link_is_mailed_after_commit_and_nothing_changes_yet(requested, alice):
    request, service = requested
    [message] = mail.outbox
    assert message.to == [alice.email] and "Cabinet B04" in message.body
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
    assert request.status == CancellationStatus.AWAITING_CONFIRMATION


def test_valid_link_confirms_once(requested, alice):
    request, service = requested
    token = mailed_token(mail.outbox[0])
    services.cancellation_confirm(token=token, user=alice)
    service.refresh_from_db()
    request.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLATION_REQUESTED
    assert service.cancellation_effective_date > timezone.localdate()
    assert request.status == CancellationStatus.CONFIRMED
    with pytest.raises(ValidationError, match="already confirmed"):
        services.cancellation_confirm(token=token, user=alice)


def test_expired_link_is_refused(requested, alice, monkeypatch):
    request, service = requested
    token = mailed_token(mail.outbox[0])
    monkeypatch.setattr(cancellations, "CANCELLATION_LINK_LIFETIME", timedelta(seconds=-1))
    with pytest.raises(ValidationError, match="expired"):
        services.cancellation_confirm(token=token, user=alice)
    monkeypatch.undo()
    request.expires_at = timezone.now() - timedelta(minutes=1)
    request.save()
    with pytest.raises(ValidationError, match="expired"):
        services.cancellation_confirm(token=token, user=alice)
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE


def test_forged_link_is_refused(requested, alice, acme):
    request, service = requested
    token = mailed_token(mail.outbox[0])
    with pytest.raises(ValidationError, match="not valid"):
        services.cancellation_confirm(token=token[:-2] + "xx", user=alice)
    # A correctly signed link naming more services than were requested (e.g. from an old secret) is refused.
    other = active_service(acme)
    with pytest.raises(ValidationError, match="not valid"):
        services.cancellation_confirm(token=services.cancellation_token(request, [service.pk, other.pk]), user=alice)
    other.refresh_from_db()
    assert other.status == ServiceStatus.ACTIVE


def test_link_opened_by_another_user_is_refused(requested, bob, acme):
    from tests.accounts.factories import MembershipFactory

    token = mailed_token(mail.outbox[0])
    colleague = MembershipFactory(company=acme).user
    for user in (bob, colleague):
        with pytest.raises(PermissionDenied, match="sent to another user"):
            services.cancellation_confirm(token=token, user=user)
    request, service = requested
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE


def test_only_active_services_of_the_company_can_be_cancelled(acme, globex, alice):
    theirs = active_service(globex)
    with pytest.raises(ValidationError, match="not one of Acme Hosting's"):
        services.cancellation_request_create(company=acme, requested_by=alice, services=[theirs])
    pending = services.service_create(company=acme, plan=active_service(acme).plan, actor=None)
    with pytest.raises(ValidationError, match="only active or suspended"):
        services.cancellation_request_create(company=acme, requested_by=alice, services=[pending])
