"""Admin: lifecycle buttons call the services, order approval, the lifecycle inline."""

import pytest
from django.urls import reverse

from catalog import services
from catalog.choices import OrderStatus, ServiceStatus
from tests.catalog.factories import active_service, plan

pytestmark = pytest.mark.django_db


def change_url(service):
    return reverse("admin:catalog_service_change", args=[service.pk])


def button(service, name):
    return reverse(f"admin:catalog_service_{name}_detail", args=[service.pk])


def test_lifecycle_buttons(acme, support, client_for):
    client = client_for(support)
    service = services.service_create(company=acme, plan=plan(), actor=None)
    page = client.get(change_url(service))
    assert page.status_code == 200 and "Provision" in page.content.decode()
    assert client.get(button(service, "provision")).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.PROVISIONING
    assert client.post(button(service, "activate"), {"reason": "", "on": ""}).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
    # A refused move shows the service's message and changes nothing.
    response = client.get(button(service, "provision"), follow=True)
    assert "cannot be provisioned" in response.content.decode()
    form = client.get(button(service, "suspend"))
    assert form.status_code == 200
    refused = client.post(button(service, "suspend"), {"reason": ""})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    client.post(button(service, "suspend"), {"reason": "Unpaid"})
    service.refresh_from_db()
    assert service.status == ServiceStatus.SUSPENDED
    history = client.get(change_url(service)).content.decode()
    assert "Unpaid" in history  # the lifecycle inline


def test_noc_may_look_but_not_press(acme, noc_user, client_for):
    service = active_service(acme)
    client = client_for(noc_user)
    assert client.get(change_url(service)).status_code == 200
    assert client.get(button(service, "suspend")).status_code == 403


def test_order_approval_button(acme, alice, support, client_for):
    order = services.order_place(company=acme, placed_by=alice, lines=[{"plan": plan()}])
    url = reverse("admin:catalog_order_change", args=[order.pk])
    client = client_for(support)
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:catalog_order_approve_detail", args=[order.pk])).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED and order.lines.get().service.status == ServiceStatus.PENDING


def test_staff_add_a_service_through_the_service(acme, support, client_for):
    chosen = plan()
    response = client_for(support).post(
        reverse("admin:catalog_service_add"),
        {
            "company": acme.pk,
            "plan": chosen.pk,
            "quantity": "1",
            "term_months": "0",
            "label": "Cage 7",
            "catalog_serviceplanperiod-TOTAL_FORMS": "0",
            "catalog_serviceplanperiod-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "plan_periods-TOTAL_FORMS": "0",
            "plan_periods-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    service = acme.services.get()
    assert service.label == "Cage 7" and service.plan_periods.count() == 1 and service.events.count() == 1


def test_staff_record_and_withdraw_a_cancellation(acme, support, client_for):
    service = active_service(acme)
    client = client_for(support)
    assert client.post(button(service, "request_cancellation"), {"reason": "Phone call", "on": ""}).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLATION_REQUESTED and service.cancellation_effective_date
    assert client.get(button(service, "withdraw_cancellation")).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE


def test_dashboard_shows_orders_and_services(acme, alice, superuser, client_for):
    services.order_place(company=acme, placed_by=alice, lines=[{"plan": plan()}])
    active_service(acme)
    body = client_for(superuser).get(reverse("admin:index")).content.decode()
    assert "Orders to approve" in body and "Active services" in body
