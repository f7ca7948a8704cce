"""Rented servers back into the resale flow when their service is cancelled: a wipe checklist, then stock."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.choices import ProductKind, ServerReturnStatus, ServiceEventKind, ServiceStatus
from catalog.models import ServerReturn
from dcim import services as dcim_services
from dcim.choices import DeviceStatus
from dcim.models import Device
from dcim.selectors import server_stock
from tests.accounts.factories import UserFactory, sign_in
from tests.catalog.factories import active_service, plan
from tests.dcim.factories import device_type, make_device

pytestmark = pytest.mark.django_db

ALL_TICKED = dict.fromkeys(dcim_services.WIPE_CHECKLIST, True)


@pytest.fixture
def rented(acme, support):
    """A datacenter-owned server rented to Acme through an active dedicated-server service."""
    server = make_device(None, dtype=device_type("R640"), name="rent-01")
    server = dcim_services.device_assign(device=server, company=acme)
    dcim_services.device_secret_set(device=server, field="root_password", value="acme-root")
    service = active_service(
        acme, plan_=plan(ProductKind.DEDICATED_SERVER), on=timezone.localdate() - timedelta(days=40)
    )
    services.service_link_resources(service=service, actor=support, devices=[server])
    return service, server


def _in_stock(server) -> bool:
    return Device.objects.in_stock().filter(pk=server.pk).exists()


def test_scheduled_cancellation_puts_the_server_through_the_wipe_then_back_in_stock(rented, support):
    service, server = rented
    services.service_request_cancellation(service=service, actor=support, effective_date=timezone.localdate())
    assert services.service_cancel_due() == 1
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLED
    returned = ServerReturn.objects.get(device=server)
    assert (returned.status, returned.service, returned.company) == (
        ServerReturnStatus.WAITING,
        service,
        service.company,
    )
    release = service.events.get(kind=ServiceEventKind.RELEASE)
    assert "Waiting for wipe and return to stock: rent-01" in release.reason
    assert not _in_stock(server) and server_stock() == []
    # Taken from the customer at once (no portal access, no secret reveal), staged until the wipe.
    server.refresh_from_db()
    assert (server.company, server.status) == (None, DeviceStatus.STAGED)
    assert not Device.objects.filter(company=service.company).exists()

    # Part of the checklist: saved, the server still waits.
    returned = services.server_return_check(server_return=returned, checklist={"disks_wiped": True}, actor=support)
    assert returned.status == ServerReturnStatus.WAITING and returned.checklist["disks_wiped"] is True
    assert not _in_stock(server)

    returned = services.server_return_check(
        server_return=returned, checklist=ALL_TICKED, actor=support, new_ipmi_password="fresh-ipmi"
    )
    server.refresh_from_db()
    assert returned.status == ServerReturnStatus.RETURNED and returned.returned_by == support
    assert (server.company, server.status, server.root_password) == (None, DeviceStatus.INVENTORY, "")
    assert _in_stock(server)
    assert server_stock()[0]["available"] == 1
    assert server.history.filter(company=service.company).exists()  # who had it is kept
    assert service.devices.filter(pk=server.pk).exists()  # and the service still shows what it used
    with pytest.raises(ValidationError, match="back in stock already"):
        services.server_return_check(server_return=returned, checklist=ALL_TICKED, actor=support)


def test_terminating_after_cancelling_opens_one_return_only(rented, support):
    service, server = rented
    services.service_cancel(service=service, actor=support)
    services.service_terminate(service=service, actor=support)
    assert ServerReturn.objects.filter(device=server).count() == 1


def test_customer_owned_and_shared_servers_are_not_returned(rented, acme, support):
    service, server = rented
    own = make_device(acme, name="acme-own")
    services.service_link_resources(service=service, actor=support, devices=[own])
    managed = active_service(acme, plan_=plan(ProductKind.MANAGED_SERVICE))
    services.service_link_resources(service=managed, actor=support, devices=[server])
    services.service_cancel(service=service, actor=support)
    assert not ServerReturn.objects.exists()
    assert "Kept for other services: rent-01" in service.events.get(kind=ServiceEventKind.RELEASE).reason


def test_wipe_checklist_refusals_change_nothing(rented, support, globex):
    service, server = rented
    services.service_cancel(service=service, actor=support)
    returned = ServerReturn.objects.get()
    with pytest.raises(ValidationError, match="Not items of the wipe checklist: paint"):
        services.server_return_check(server_return=returned, checklist={"paint": True}, actor=support)
    with pytest.raises(PermissionDenied):
        services.server_return_check(server_return=returned, checklist=ALL_TICKED, actor=UserFactory())
    # Handed to another customer meanwhile (staff moved it in DCIM): the return no longer applies.
    Device.objects.filter(pk=server.pk).update(company=globex)
    with pytest.raises(ValidationError, match="no longer applies"):
        services.server_return_check(server_return=returned, checklist=ALL_TICKED, actor=support)
    returned.refresh_from_db()
    assert returned.status == ServerReturnStatus.WAITING and returned.checklist == {}


def test_admin_wipe_checklist_page(rented, support, client):
    service, server = rented
    services.service_cancel(service=service, actor=support)
    returned = ServerReturn.objects.get()
    sign_in(client, support)
    url = f"/admin/catalog/serverreturn/{returned.pk}/wipe/"
    page = client.get(url)
    assert page.status_code == 200 and "Disks securely wiped" in page.content.decode()
    response = client.post(url, {**ALL_TICKED, "new_ipmi_password": "x"})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == ServerReturnStatus.RETURNED
    service_page = client.get(f"/admin/catalog/service/{service.pk}/change/").content.decode()
    assert "Servers going back to stock" in service_page and "rent-01" in service_page


def test_customer_loses_the_server_and_its_secrets_when_the_service_ends(rented, support, alice, client_for):
    service, server = rented
    client = client_for(alice)
    page = reverse("portal:device_detail", args=[server.pk])
    reveal = reverse("portal:device_reveal", args=[server.pk])
    assert client.get(page).status_code == 200
    services.service_cancel(service=service, actor=support)
    assert client.get(page).status_code == 404
    assert client.post(reveal, {"field": "root_password"}).status_code == 404
