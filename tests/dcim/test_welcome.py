"""The welcome e-mail of a rented server: recipients, body, the record kept, re-sending, the admin button."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import CompanyRole
from dcim import services
from dcim.models import ServerWelcome
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.dcim.factories import device_type, make_device, make_interface, make_rack

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(acme):
    rack = make_rack(name="B04")
    device = make_device(
        acme,
        rack=rack,
        position=10,
        name="srv-acme-01",
        dtype=device_type("R740", cpu="2× Xeon 6338", memory_gb=256),
        management_ip="203.0.113.10",
        ipmi_address="10.0.0.10",
        ipmi_username="ADMIN",
        ipmi_password="ipmi-secret",
        root_password="root-secret",
    )
    make_interface(device, name="eno1", mac_address="00:1a:2b:3c:4d:5e")
    return device


def test_sent_after_commit_to_owner_and_technical_members(
    server, acme, alice, superuser, django_capture_on_commit_callbacks
):
    MembershipFactory(company=acme, user=UserFactory(email="tech@acme.test"), role=CompanyRole.TECHNICAL)
    MembershipFactory(company=acme, user=UserFactory(email="billing@acme.test"), role=CompanyRole.BILLING)
    MembershipFactory(
        company=acme, user=UserFactory(email="gone@acme.test"), role=CompanyRole.TECHNICAL, is_active=False
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        welcome = services.server_welcome_send(device=server, actor=superuser)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert welcome.recipients == ["alice@acme.test", "tech@acme.test"]
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["alice@acme.test", "tech@acme.test"]
    assert "srv-acme-01" in mail.outbox[0].subject


def test_body_has_the_details_and_no_password(server, superuser, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        welcome = services.server_welcome_send(device=server, actor=superuser, base_url="https://portal.example")
    body = mail.outbox[0].body
    for expected in ("srv-acme-01", "203.0.113.10", "10.0.0.10", "ADMIN", "eno1", "00:1a:2b:3c:4d:5e", "B04"):
        assert expected in body
    assert "https://portal.example" + reverse("portal:device_detail", args=[server.pk]) in body
    assert "root-secret" not in body and "ipmi-secret" not in body
    assert welcome.body == body


def test_record_is_kept_and_resending_adds_another(server, superuser, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.server_welcome_send(device=server, actor=superuser)
        second = services.server_welcome_send(device=server, actor=superuser, to=["ops@acme.test"])
    assert ServerWelcome.objects.filter(device=server).count() == 2
    assert (first.sent_by, second.sent_by) == (superuser, superuser)
    assert second.recipients == ["ops@acme.test"]
    assert [message.to for message in mail.outbox] == [["alice@acme.test"], ["ops@acme.test"]]
    server.refresh_from_db()
    assert server.welcome_email_sent_at == second.sent_at


def test_a_server_without_customer_is_refused(superuser):
    stock = make_device(name="stock-01")
    with pytest.raises(ValidationError, match="assigned to no customer"):
        services.server_welcome_send(device=stock, actor=superuser)
    assert not ServerWelcome.objects.exists()


def test_admin_button_sends_and_resends(server, alice, superuser, client_for, django_capture_on_commit_callbacks):
    client = client_for(superuser)
    url = reverse("admin:dcim_device_send_welcome", args=[server.pk])
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        assert response.status_code == 302
    assert ServerWelcome.objects.filter(device=server).count() == 2
    assert len(mail.outbox) == 2
    page = client.get(reverse("admin:dcim_device_change", args=[server.pk])).content.decode()
    assert "Send welcome e-mail" in page
    assert "alice@acme.test" in page


def test_admin_button_is_refused_without_change_permission(server, client_for):
    from tests.accounts.factories import staff_member

    response = client_for(staff_member()).get(reverse("admin:dcim_device_send_welcome", args=[server.pk]))
    assert response.status_code in (302, 403)
    assert not ServerWelcome.objects.exists()
